"""A person's input that a worker refuses comes back to the same user task with the reason
(``taskRejection``), and the case goes on once it is put right: the real processes and the real
workers, no failed job and no incident on the way (``Casework`` fails the test on either)."""

import json
from datetime import timedelta
from typing import Any

import pytest

from schemas.enums import CaseStatus
from schemas.tables import Decision, HomeVisit
from tests.e2e.conftest import Casework
from tests.e2e.test_case_paths import APPLICATION, REASONS, TEMPORARY, approve_zhang
from tests.workers.harness import START

pytestmark = pytest.mark.e2e


async def sent_back(cw: Casework, element_id: str, previous_key: int, instance_key: int) -> dict[str, Any]:
    """The task is open again (a new one) and its process holds the reason."""
    task = await cw.task(element_id)
    assert task.key != previous_key
    reason = cw.variables(instance_key)["taskRejection"]
    assert reason["reason"] and reason["step"]
    return dict(reason)


async def test_the_same_visitor_twice_comes_back_to_the_visit_then_the_case_goes_on(cw: Casework) -> None:
    key = cw.start(APPLICATION, "zhang", "低保")
    form = cw.visit_form("taozhou", "张建国")
    first = await cw.complete("Activity_ConductVisit", **{**form, "visitor2Id": form["visitor1Id"]})
    visit_instance = cw.running_child(key, "home-visit")
    reason = await sent_back(cw, "Activity_ConductVisit", first.key, visit_instance)
    assert reason["reason"] == "入户调查须由至少两名不同的工作人员进行"
    case = cw.case_of(key)
    assert [v.visited_at for v in cw.rows(HomeVisit, case_id=case.id)] == [None]

    await cw.complete("Activity_ConductVisit", **form)
    await cw.task("Activity_TownshipAssessment")
    assert cw.variables(key).get("taskRejection") is None  # the next task shows no stale reason
    assert cw.case_of(key).status is CaseStatus.AWAITING_APPROVAL


async def test_approving_without_an_amount_comes_back_to_the_leader_then_is_decided(cw: Casework) -> None:
    key = cw.start(APPLICATION, "zhang", "低保")
    await cw.complete("Activity_ConductVisit", **cw.visit_form("taozhou", "张建国"))
    await cw.complete("Activity_TownshipAssessment", **cw.assessment_form(900))
    leader = cw.staff("taozhou.lingdao")
    decision = {"decisionOutcome": "批准", "decisionReasons": REASONS, "approverId": leader}
    first = await cw.complete("Activity_LeaderApproval", **decision)
    reason = await sent_back(cw, "Activity_LeaderApproval", first.key, key)
    assert reason["reason"] == "批准时须填写救助金额（amount）"
    assert cw.rows(Decision, case_id=cw.case_of(key).id) == []

    # A caseworker's staff number as the approver: sent back again, with who may approve.
    second = await cw.complete(
        "Activity_LeaderApproval", **{**decision, "approvedAmount": 755, "approverId": cw.staff("taozhou.jingban")}
    )
    reason = await sent_back(cw, "Activity_LeaderApproval", second.key, key)
    assert "不是本乡镇分管领导" in reason["reason"]

    await cw.complete("Activity_LeaderApproval", **{**decision, "approvedAmount": 755})
    await cw.quiet()
    assert cw.case_of(key).status is CaseStatus.IN_PUBLICITY  # decided: the result publicity is up
    [made] = cw.rows(Decision, case_id=cw.case_of(key).id)
    assert made.approver_id == leader and float(made.amount or 0) == 755


async def test_a_delivery_dated_in_the_future_comes_back_to_the_delivery(cw: Casework) -> None:
    key = cw.start(APPLICATION, "wang", "低保")  # rejected at the check: the notice is delivered
    tomorrow = (cw.now + timedelta(days=1)).isoformat()
    first = await cw.complete("Activity_DeliverNotice", deliveredAt=tomorrow, receiptReference="回证-1")
    notice_instance = cw.running_child(key, "written-notice")
    reason = await sent_back(cw, "Activity_DeliverNotice", first.key, notice_instance)
    assert reason["reason"] == "送达时间不能晚于当前时间"
    await cw.deliver("回证-1")
    case = cw.case_of(key)
    await cw.quiet()
    assert [
        e.details["output"]["noticeId"]
        for e in cw.audit(case.id or 0, "notice.record-delivery")
        if "output" in e.details
    ]


async def test_emergency_relief_without_an_amount_comes_back_to_the_leader(cw: Casework) -> None:
    key = cw.start(TEMPORARY, "chen", "急难型临时救助", emergencyCause="火灾", incidentLocation="大竹园12号")
    relief = {"reliefReasons": "房屋失火", "approverId": cw.staff("xinhang.lingdao")}
    first = await cw.complete("Activity_ApproveRelief", reliefAmount=0, **relief)
    reason = await sent_back(cw, "Activity_ApproveRelief", first.key, key)
    assert reason["reason"].startswith("先行救助金额")
    await cw.complete("Activity_ApproveRelief", reliefAmount=1800, **relief)
    await cw.task("Activity_EmergencyFollowUp")
    assert cw.now < START + timedelta(hours=24)


async def test_an_adjustment_without_the_new_amount_comes_back_to_the_proposal(cw: Casework) -> None:
    key, case = await approve_zhang(cw)
    case_id = case.id or 0
    await cw.advance(timedelta(days=30))
    registry_file = cw.world.data_dir / "provincial-registry.json"
    registry = json.loads(registry_file.read_text("utf-8"))
    applicant = cw.county.household("zhang").members[0].id_number
    registry["persons"][applicant]["records"] = [
        {"source": "税务", "kind": "wages", "monthlyAmount": 1200, "finding": "张建国个税记录显示月工资收入 ¥1,200"}
    ]
    registry_file.write_text(json.dumps(registry, ensure_ascii=False), "utf-8")
    cw.publish("household-change-reported", case_id, {"changeReport": "张建国打零工，月收入约¥1,200"})
    await cw.complete("Activity_ConductVisit", **cw.visit_form("taozhou", "张建国", findings="张建国打零工。"))
    proposal = {"recheckOutcome": "调整", "recheckReasons": "收入有变化。", "incomeStable": False}
    first = await cw.complete("Activity_ProposeOutcome", **proposal)  # 调整, but no new amount
    await cw.complete("Activity_ApproveRecheck", approverId=cw.staff("taozhou.lingdao"))
    dynamic = cw.running_child(key, "dynamic-management")
    reason = await sent_back(cw, "Activity_ProposeOutcome", first.key, dynamic)
    assert reason["reason"] == "调整救助金额须填写新金额（newAmount）"

    await cw.complete("Activity_ProposeOutcome", **proposal, newAmount=1600)  # more than before: no hearing
    await cw.complete("Activity_ApproveRecheck", approverId=cw.staff("taozhou.lingdao"))
    await cw.task("Activity_DeliverNotice")  # the change notice
    assert cw.variables(dynamic)["taskRejection"] is None
    assert [e.element_id for e in cw.audit(case_id, "dynamic.record-recheck")] == ["Activity_RecordRecheck"] * 2


async def test_an_income_row_out_of_range_comes_back_to_the_township_assessment(cw: Casework) -> None:
    key = cw.start(APPLICATION, "zhang", "低保")
    await cw.complete("Activity_ConductVisit", **cw.visit_form("taozhou", "张建国"))
    wrong = cw.assessment_form(900, incomeItems=[{"kind": "wages", "amount": 900, "periodMonths": 13}])
    first = await cw.complete("Activity_TownshipAssessment", **wrong)
    reason = await sent_back(cw, "Activity_TownshipAssessment", first.key, key)
    assert reason["reason"] == "收入第1项所属月数不能大于 12"
    await cw.complete("Activity_TownshipAssessment", **cw.assessment_form(900))
    await cw.task("Activity_LeaderApproval")
    assert cw.variables(key)["taskRejection"] is None
