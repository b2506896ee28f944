"""A rule on what a person entered, broken: the job throws the BPMN error that sends the task back
(with ``taskRejection``, the reason in Chinese), never a technical failure that ends in an incident.
A rule on what the process itself supplies stays a technical failure."""

from datetime import timedelta
from typing import Any

import pytest

from schemas.tables import AuditEntry, Decision
from tests.workers.harness import START, World, accept_vars, approval_vars
from tests.workers.test_rules import assess_vars
from workers.runtime import JobInputError, Thrown


def accepted(world: World) -> dict[str, Any]:
    return world.ok("application.accept", accept_vars(world.county))


def rejection(thrown: Thrown) -> str:
    reason = thrown.variables["taskRejection"]
    assert reason["step"] and reason["at"]
    return str(reason["reason"])


def visit_vars(world: World, case_id: int, visit_id: int, **change: Any) -> dict[str, Any]:
    first, second = world.staff_id("taozhou.jingban"), world.staff_id("taozhou.jingban2")
    values: dict[str, Any] = {
        "caseId": case_id,
        "visitId": visit_id,
        "visitorIds": [first, second],
        "visitedAt": START.isoformat(),
        "findings": "住房为自建房，无车辆。",
        "passed": True,
        "signatures": [
            {"role": "调查人员", "name": "经办一", "staffId": first},
            {"role": "调查人员", "name": "经办二", "staffId": second},
            {"role": "家庭成员", "name": "张建国"},
        ],
    }
    values.update(change)
    return values


def scheduled_visit(world: World) -> tuple[int, int]:
    case = accepted(world)
    visit = world.ok("visit.schedule", {"caseId": case["caseId"], "townshipId": 1, "acceptedAt": START.isoformat()})
    return case["caseId"], visit["visitId"]


def test_the_same_visitor_twice_comes_back_to_the_visit(world: World) -> None:
    case_id, visit_id = scheduled_visit(world)
    same = world.staff_id("taozhou.jingban")
    signatures = [
        {"role": "调查人员", "name": "经办一", "staffId": same},
        {"role": "调查人员", "name": "经办一", "staffId": same},
        {"role": "家庭成员", "name": "张建国"},
    ]
    thrown = world.thrown(
        "visit.record", visit_vars(world, case_id, visit_id, visitorIds=[same, same], signatures=signatures)
    )
    assert thrown.code == "VISIT_RECORD_INVALID"
    assert rejection(thrown) == "入户调查须由至少两名不同的工作人员进行"
    # The case history shows the refusal, against the case.
    [row] = [r for r in world.audit("visit.record") if "error" in r.details]
    assert row.case_id == case_id and row.details["error"]["code"] == "VISIT_RECORD_INVALID"


def test_a_visitor_of_another_township_and_a_visit_in_the_future_come_back(world: World) -> None:
    case_id, visit_id = scheduled_visit(world)
    other = world.staff_id("xinhang.jingban")
    first = world.staff_id("taozhou.jingban")
    signatures = [
        {"role": "调查人员", "name": "经办一", "staffId": first},
        {"role": "调查人员", "name": "新杭经办", "staffId": other},
        {"role": "家庭成员", "name": "张建国"},
    ]
    thrown = world.thrown(
        "visit.record", visit_vars(world, case_id, visit_id, visitorIds=[first, other], signatures=signatures)
    )
    assert thrown.code == "VISIT_RECORD_INVALID" and "不属本乡镇工作人员" in rejection(thrown)
    later = (START + timedelta(days=2)).isoformat()
    thrown = world.thrown("visit.record", visit_vars(world, case_id, visit_id, visitedAt=later))
    assert rejection(thrown) == "调查时间不能晚于当前时间"


def test_a_good_visit_clears_an_earlier_rejection(world: World) -> None:
    case_id, visit_id = scheduled_visit(world)
    result = world.ok("visit.record", visit_vars(world, case_id, visit_id))
    assert result["taskRejection"] is None and result["visitPassed"] is True


def test_approving_without_an_amount_comes_back_to_the_approver(world: World) -> None:
    case = accepted(world)
    thrown = world.thrown("approval.record", approval_vars(world, case["caseId"], amount=None))
    assert thrown.code == "INPUT_REJECTED"
    assert rejection(thrown) == "批准时须填写救助金额（amount）"
    assert world.all(Decision) == []


def test_an_empty_reason_and_a_negative_amount_are_told_in_the_form_s_words(world: World) -> None:
    case = accepted(world)
    thrown = world.thrown("approval.record", approval_vars(world, case["caseId"], amount=-5, reasons=""))
    assert thrown.code == "INPUT_REJECTED"
    reason = rejection(thrown)
    assert "批准救助金额" in reason and "审批理由不能为空" in reason


def test_an_unauthorised_approver_comes_back_with_the_reason(world: World) -> None:
    case = accepted(world)
    values = {**approval_vars(world, case["caseId"]), "approverId": world.staff_id("taozhou.jingban")}
    thrown = world.thrown("approval.record", values)
    assert thrown.code == "APPROVER_NOT_AUTHORISED" and "不是本乡镇分管领导" in rejection(thrown)


def test_a_business_outcome_is_not_a_rejection(world: World) -> None:
    """ABOVE_TOWNSHIP_LIMIT sends the case to the county: no reason to show the leader."""
    case = world.ok("application.accept", accept_vars(world.county, "zhang", "支出型临时救助"))
    values = {**approval_vars(world, case["caseId"], amount=99_000), "caseType": "支出型临时救助"}
    thrown = world.thrown("approval.record", values)
    assert thrown.code == "ABOVE_TOWNSHIP_LIMIT" and "taskRejection" not in thrown.variables


def test_a_process_variable_that_breaks_the_contract_stays_a_technical_failure(world: World) -> None:
    """``caseId`` is not typed by a person: a wrong one is the process's fault, retried then an incident."""
    with pytest.raises(JobInputError):
        world.run("approval.record", {**approval_vars(world, 1), "caseId": "not a number"})


def test_a_self_care_assessment_with_an_item_missing_comes_back(world: World) -> None:
    case = accepted(world)
    abilities = {"eating": True, "dressing": True, "bed_transfer": True, "toileting": None, "walking_indoors": True}
    thrown = world.thrown(
        "eligibility.assess-self-care",
        {"caseId": case["caseId"], "memberId": case["applicantId"], "abilities": abilities},
    )
    assert thrown.code == "INPUT_REJECTED" and "生活自理能力评估" in rejection(thrown)


def test_emergency_relief_without_an_amount_comes_back(world: World) -> None:
    case = world.ok("application.accept", accept_vars(world.county, "zhang", "支出型临时救助"))
    values = {
        "caseId": case["caseId"],
        "householdId": case["householdId"],
        "amount": 0,
        "emergencyCause": "火灾",
        "reportedAt": START.isoformat(),
        "paidById": world.staff_id("taozhou.lingdao"),
        "idempotencyKey": f"emergency-{case['caseId']}",
    }
    thrown = world.thrown("payment.pay-emergency", values)
    assert thrown.code == "INPUT_REJECTED" and rejection(thrown).startswith("先行救助金额")


def test_a_recheck_adjustment_without_the_new_amount_or_by_an_unknown_approver_comes_back(world: World) -> None:
    case = accepted(world)
    values = {
        "caseId": case["caseId"],
        "recheckOutcome": "调整",
        "reasons": "收入增加",
        "householdHeard": True,
        "decidedAt": START.isoformat(),
        "approverId": world.staff_id("taozhou.lingdao"),
    }
    thrown = world.thrown("dynamic.record-recheck", values)
    assert thrown.code == "INPUT_REJECTED" and rejection(thrown) == "调整救助金额须填写新金额（newAmount）"
    thrown = world.thrown("dynamic.record-recheck", {**values, "newAmount": 300, "approverId": 999_999})
    assert thrown.code == "INPUT_REJECTED" and "不是在职工作人员" in rejection(thrown)


def test_a_delivery_in_the_future_or_without_a_receipt_comes_back(world: World) -> None:
    case = accepted(world)
    decision = world.ok("approval.record", approval_vars(world, case["caseId"]))
    notice_id = world.ok("notice.issue-decision", {"caseId": case["caseId"], "decisionId": decision["decisionId"]})[
        "noticeId"
    ]
    later = (START + timedelta(days=1)).isoformat()
    thrown = world.thrown(
        "notice.record-delivery", {"noticeId": notice_id, "deliveredAt": later, "receiptReference": "R1"}
    )
    assert thrown.code == "INPUT_REJECTED" and rejection(thrown) == "送达时间不能晚于当前时间"
    thrown = world.thrown(
        "notice.record-delivery", {"noticeId": notice_id, "deliveredAt": START.isoformat(), "receiptReference": ""}
    )
    assert rejection(thrown) == "送达回证编号不能为空"
    done = world.ok(
        "notice.record-delivery", {"noticeId": notice_id, "deliveredAt": START.isoformat(), "receiptReference": "R1"}
    )
    assert done["taskRejection"] is None
    assert [r for r in world.all(AuditEntry) if r.action == "notice.record-delivery" and "error" in r.details]


def test_an_income_row_the_rules_refuse_comes_back_to_the_assessment_naming_the_row(world: World) -> None:
    case = accepted(world)
    rows = [{"kind": "wages", "amount": 900, "periodMonths": 1}, {"kind": "wages", "amount": 900, "periodMonths": 13}]
    thrown = world.thrown("eligibility.assess", assess_vars(case, world, "zhang", "低保", incomeItems=rows))
    assert thrown.code == "INPUT_REJECTED" and rejection(thrown) == "收入第2项所属月数不能大于 12"


def test_a_missing_self_care_item_is_named_in_chinese(world: World) -> None:
    case = accepted(world)
    abilities = {
        "eating": True,
        "dressing": True,
        "bed_transfer": "不知道",
        "toileting": True,
        "walking_indoors": True,
        "bathing": True,
    }
    thrown = world.thrown(
        "eligibility.assess-self-care",
        {"caseId": case["caseId"], "memberId": case["applicantId"], "abilities": abilities},
    )
    assert rejection(thrown) == "生活自理能力评估（上下床）填写有误"
