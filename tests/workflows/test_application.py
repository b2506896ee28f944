"""低保 / 特困 application (assistance-application.bpmn) on the embedded engine, end to end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.workflows.conftest import Case, application, approve, assessment_form, deliver, reject, visit_form

pytestmark = pytest.mark.workflows

PROCESS = "assistance-application"


def accept(case: Case, **variables: object) -> int:
    key = case.start(PROCESS, application(**variables))  # type: ignore[arg-type]
    case.complete("application.accept")
    case.complete("sla.compute-deadlines")
    return key


def home_visit(case: Case, conclusion: str = "符合") -> None:
    case.complete("visit.schedule")
    task = case.task("Activity_ConductVisit")
    assert task.candidate_groups == ["township-caseworker"]
    assert task.due_date == (case.now + timedelta(days=3)).isoformat()
    case.do("Activity_ConductVisit", **visit_form(case, conclusion))
    case.complete("visit.record")


def assess_and_approve(case: Case, amount: float = 1440) -> None:
    case.do("Activity_TownshipAssessment", **assessment_form())
    case.complete("eligibility.assess")
    assert case.task("Activity_LeaderApproval").candidate_groups == ["township-leader"]
    case.do("Activity_LeaderApproval", **approve(amount))
    case.complete("approval.record")


def result_publicity(case: Case, objections: int = 0) -> None:
    given = case.complete("publicity.publish")
    assert given["days"] is None  # the profile's period; the worker reads it
    case.advance(timedelta(days=8))
    case.complete("publicity.close", openObjections=objections)


def test_reform_path_check_first_visit_leader_approval_result_publicity_payment(case: Case) -> None:
    key = accept(case)
    assert case.last_input("application.accept")["path"] == "county"
    assert case.last_input("application.accept")["channel"] == "帮办代办"
    check = case.complete("verification.check-economic-status")
    assert check["checkAuthorised"] is True and len(check["memberIdNumbers"]) == 3
    home_visit(case)
    assert case.last_input("visit.record")["visitorIds"] == [21, 22]
    assess_and_approve(case)
    decision = case.last_input("approval.record")
    assert decision["amount"] == 1440 and decision["reasons"].startswith("家庭月人均收入")
    result_publicity(case)
    case.complete("notice.issue-decision")
    assert case.last_input("notice.issue-decision")["noticeKind"] == "批准通知书"
    deliver(case)
    payment = case.complete("payment.schedule")
    assert payment["monthlyAmount"] == 1440 and payment["effectiveMonth"] == "2026-04-01"
    case.complete("dynamic.schedule-recheck")
    # Enrolled in dynamic management: the case waits for the next re-check or a reported change.
    assert case.waiting() == [] and case.active(key)
    done = case.trail
    # No review-stage publicity, no democratic evaluation: the first publicity comes after the decision.
    assert done.index("verification.check-economic-status") < done.index("visit.schedule")
    assert done.index("approval.record") < done.index("publicity.publish")
    assert done.count("publicity.publish") == 1
    assert "Activity_DemocraticEvaluation" not in done and "supervision.select-spot-check" not in done
    assert "sla.escalate" not in done


def test_check_fails_written_notice_within_the_case_then_closes(case: Case) -> None:
    key = accept(case)
    case.throw(
        "verification.check-economic-status",
        "ECONOMIC_CHECK_FAILED",
        {
            "checkReportId": 77,
            "findings": [
                {"source": "车辆", "outcome": "不符合", "finding": "家庭成员名下有小型轿车一辆", "amount": None},
                {"source": "户籍", "outcome": "符合", "finding": "户籍信息一致", "amount": None},
            ],
        },
    )
    notice = case.complete("notice.issue-rejection")
    assert notice["facts"] == ["家庭成员名下有小型轿车一辆"] and notice["checkReportId"] == 77
    assert notice["decisionId"] is None
    deliver(case)
    # The applicant may dispute with evidence; nobody does. The 10-day SLA timers fire meanwhile
    # but the case is decided (not eligible), so nobody is escalated.
    case.advance(timedelta(days=16))
    closed = case.complete("case.close")
    assert closed["finalStatus"] == "不予批准"
    assert not case.active(key)
    assert "visit.schedule" not in case.trail and "sla.escalate" not in case.trail


def test_dispute_with_evidence_rechecks_and_needs_township_follow_up(case: Case) -> None:
    key = accept(case)
    case.throw("verification.check-economic-status", "ECONOMIC_CHECK_FAILED", {"checkReportId": 77, "findings": []})
    notice = case.complete("notice.issue-rejection")
    assert notice["facts"] == ["家庭经济状况核对结果不符合条件"]
    deliver(case)
    case.advance(timedelta(days=2))
    case.publish(
        "economic-check-disputed",
        1001,
        {"disputeEvidence": "车辆已于2025年报废，附报废证明", "disputedAt": case.now.isoformat()},
    )
    recheck = case.complete("verification.recheck", checkOutcome="需进一步核实")
    assert recheck["previousCheckReportId"] == 77 and recheck["evidence"].startswith("车辆已于")
    case.do("Activity_TownshipFollowUp", followUpFindings="车管所证明车辆已注销。")
    home_visit(case)
    assess_and_approve(case)
    result_publicity(case)
    case.complete("notice.issue-decision")
    deliver(case)
    case.complete("payment.schedule")
    case.complete("dynamic.schedule-recheck")
    assert case.active(key) and case.waiting() == []


def test_recheck_still_fails_gives_a_second_notice(case: Case) -> None:
    key = accept(case)
    case.throw("verification.check-economic-status", "ECONOMIC_CHECK_FAILED", {"checkReportId": 77, "findings": []})
    case.complete("notice.issue-rejection")
    deliver(case)
    case.publish("economic-check-disputed", 1001, {"disputeEvidence": "工资条", "disputedAt": case.now.isoformat()})
    case.throw(
        "verification.recheck",
        "ECONOMIC_CHECK_FAILED",
        {
            "checkReportId": 78,
            "findings": [{"source": "税务", "outcome": "不符合", "finding": "个税记录显示月收入¥4,500"}],
        },
    )
    second = case.complete("notice.issue-rejection")
    assert second["facts"] == ["个税记录显示月收入¥4,500"] and second["checkReportId"] == 78
    deliver(case)
    assert case.complete("case.close")["finalStatus"] == "不予批准"
    assert not case.active(key)


def test_incomplete_materials_one_time_notice_then_accepted(case: Case) -> None:
    key = case.start(PROCESS, application(missingMaterials=["残疾证复印件", "住院费用票据"]))
    case.throw("application.accept", "APPLICATION_INCOMPLETE")
    task = case.task("Activity_NotifyMissingMaterials")
    assert set(task.candidate_groups) == {"township-caseworker", "village-assistant"}
    case.do("Activity_NotifyMissingMaterials", materialsSupplied=True, missingMaterialsNote="已一次性告知并补齐")
    again = case.complete("application.accept")
    assert again["missingMaterials"] == []
    case.complete("sla.compute-deadlines")
    case.complete("verification.check-economic-status")
    assert case.active(key)


def test_incomplete_materials_never_supplied_or_duplicate_application_end_without_a_case(case: Case) -> None:
    first = case.start(PROCESS, application(missingMaterials=["户口簿"]))
    case.throw("application.accept", "APPLICATION_INCOMPLETE")
    case.do("Activity_NotifyMissingMaterials", materialsSupplied=False)
    assert not case.active(first)
    second = case.start(PROCESS, application())
    case.throw("application.accept", "DUPLICATE_APPLICATION")
    assert not case.active(second)
    assert "case.close" not in case.trail


def test_every_member_authorises_the_check_one_task_each(case: Case) -> None:
    key = accept(case, checkAuthorised=False)
    tasks = [t for t in case.engine.user_tasks.values() if t.element_id == "Activity_AuthoriseCheck"]
    assert len(tasks) == 3
    for _ in range(3):
        case.do("Activity_AuthoriseCheck", authorised=True)
    check = case.complete("verification.check-economic-status")
    assert check["checkAuthorised"] is True
    assert case.active(key)


def test_a_member_refusing_authorisation_closes_the_case_as_withdrawn(case: Case) -> None:
    key = accept(case, checkAuthorised=False)
    case.do("Activity_AuthoriseCheck", authorised=True)
    case.do("Activity_AuthoriseCheck", authorised=False, authorisationNote="配偶拒绝签字")
    case.do("Activity_AuthoriseCheck", authorised=True)
    assert case.complete("case.close")["finalStatus"] == "已撤回"
    assert not case.active(key) and "verification.check-economic-status" not in case.trail


def test_check_not_authorised_error_closes_as_withdrawn(case: Case) -> None:
    key = accept(case)
    case.throw("verification.check-economic-status", "CHECK_NOT_AUTHORISED")
    assert case.complete("case.close")["finalStatus"] == "已撤回"
    assert not case.active(key)


def test_leader_rejects_written_notice_with_reasons(case: Case) -> None:
    key = accept(case)
    case.complete("verification.check-economic-status")
    home_visit(case, conclusion="不符合")
    assert case.last_input("visit.record")["passed"] is False
    case.do("Activity_TownshipAssessment", **assessment_form())
    case.complete("eligibility.assess", eligible=False, proposedAmount=None)
    case.do("Activity_LeaderApproval", **reject())
    decision = case.complete("approval.record")
    assert decision["amount"] is None and decision["decisionOutcome"] == "不予批准"
    notice = case.complete("notice.issue-rejection")
    assert notice["decisionId"] is not None and notice["facts"] == [reject()["decisionReasons"]]
    deliver(case)
    assert case.complete("case.close")["finalStatus"] == "不予批准"
    assert not case.active(key) and "publicity.publish" not in case.trail


def test_objection_during_result_publicity_sends_the_case_back_to_re_investigation(case: Case) -> None:
    key = accept(case)
    case.complete("verification.check-economic-status")
    home_visit(case)
    assess_and_approve(case)
    published = case.complete("publicity.publish")
    case.advance(timedelta(days=2))
    objection = {
        "messageId": "obj-1",
        "channel": "12349热线",
        "content": "申请人儿子在县城经营门店",
        "receivedAt": case.now.isoformat(),
    }
    case.publish("publicity-objection", 1001, {"objection": objection}, message_id="obj-1")
    recorded = case.complete("publicity.record-objection")
    assert recorded["publicityId"] == case.last_output("publicity.publish")["publicityId"]
    assert recorded["caseId"] == 1001 and recorded["messageId"] == "obj-1"
    case.advance(timedelta(days=6))
    objections = "1. 12349热线（2026-03-04）：申请人儿子在县城经营门店"
    case.complete("publicity.close", openObjections=1, objectionSummary=objections)
    # Re-investigation: a new home visit (no new economic check), then a new decision.
    assert case.waiting() == ["visit.schedule"]
    home_visit(case)
    assess_and_approve(case, amount=960)
    # After the new decision the township answers the objection, with what was objected before it.
    answer = case.task("Activity_AnswerObjections")
    assert answer.candidate_groups == ["township-caseworker"]
    shown = case.engine.user_task_variables(answer.key)
    assert shown["objectionSummaryText"] == objections and shown["newDecisionText"].startswith("批准，每月 960")
    case.do("Activity_AnswerObjections", objectionOutcome="异议成立", objectionReason="儿子经营门店属实，已计入收入。")
    resolved = case.complete("publicity.resolve-objections")
    assert (resolved["caseId"], resolved["objectionOutcome"]) == (1001, "异议成立")
    assert resolved["objectionReason"] == "儿子经营门店属实，已计入收入。" and resolved["decisionId"] is not None
    result_publicity(case)
    case.complete("notice.issue-decision")
    deliver(case)
    assert case.complete("payment.schedule")["monthlyAmount"] == 960
    assert case.trail.count("verification.check-economic-status") == 1
    assert case.trail.count("visit.schedule") == 2 and case.active(key)
    assert published["startDate"] == "2026-03-02"


def test_tekun_self_care_assessment_and_supporters(case: Case) -> None:
    key = accept(case, caseType="特困")
    case.complete("verification.check-economic-status")
    home_visit(case)
    assert sorted(case.waiting_tasks()) == ["Activity_CheckSupporters", "Activity_RecordSelfCare"]
    case.do(
        "Activity_RecordSelfCare",
        eating=True,
        dressing=True,
        bedTransfer=True,
        toileting=True,
        walkingIndoors=True,
        bathing=False,
    )
    selfcare = case.complete("eligibility.assess-self-care")
    assert selfcare["memberId"] == 9001 and selfcare["abilities"]["bathing"] is False
    assert len(selfcare["abilities"]) == 6
    case.do("Activity_CheckSupporters", supporterAble=False, supporterNotes="无子女，配偶已故")
    case.do("Activity_TownshipAssessment", **assessment_form())
    assessed = case.complete("eligibility.assess")
    assert assessed["caseType"] == "特困" and assessed["supporterAble"] is False
    assert assessed["selfCareLevel"] == "部分丧失生活自理能力"
    case.do("Activity_LeaderApproval", **approve(1650))
    assert case.complete("approval.record")["caseType"] == "特困"
    assert case.waiting() == ["publicity.publish"] and case.active(key)


def test_tekun_supporters_checked_before_the_self_care_assessment_still_joins(case: Case) -> None:
    """The two 特困 checks run in parallel: whichever is done first, the join waits for the other and
    then opens 乡镇审核 (the engine's compaction used to re-hang one branch under the other here)."""
    accept(case, caseType="特困")
    case.complete("verification.check-economic-status")
    home_visit(case)
    case.do("Activity_CheckSupporters", supporterAble=False, supporterNotes="无子女，配偶已故")
    assert case.waiting_tasks() == ["Activity_RecordSelfCare"]
    case.do(
        "Activity_RecordSelfCare",
        eating=True,
        dressing=True,
        bedTransfer=True,
        toileting=True,
        walkingIndoors=True,
        bathing=False,
    )
    case.complete("eligibility.assess-self-care")
    assert case.waiting_tasks() == ["Activity_TownshipAssessment"], case.waiting()
    case.do("Activity_TownshipAssessment", **assessment_form())
    assert case.complete("eligibility.assess")["selfCareLevel"] == "部分丧失生活自理能力"


SELF_CARE = {"eating": True, "dressing": True, "bedTransfer": True, "toileting": True, "walkingIndoors": True}


def test_tekun_self_care_sent_back_after_the_supporters_check_is_done_still_reaches_the_assessment(
    case: Case,
) -> None:
    """核查法定义务人 is done first (its token waits at 特困核查完成); the self-care record is then sent back
    by the worker and filled again: the join still lets the case on to 乡镇审核."""
    key = accept(case, caseType="特困")
    case.complete("verification.check-economic-status")
    home_visit(case)
    case.do("Activity_CheckSupporters", supporterAble=False, supporterNotes="无子女，配偶已故")
    assert case.waiting_tasks() == ["Activity_RecordSelfCare"]
    case.do("Activity_RecordSelfCare", **SELF_CARE, bathing=False)
    case.throw("eligibility.assess-self-care", "INPUT_REJECTED", {"taskRejection": "评估说明未填写"})
    assert case.waiting_tasks() == ["Activity_RecordSelfCare"]
    case.do("Activity_RecordSelfCare", **SELF_CARE, bathing=False, selfCareNotes="洗澡需人协助")
    case.complete("eligibility.assess-self-care")
    assert case.waiting_tasks() == ["Activity_TownshipAssessment"] and case.active(key)
    case.do("Activity_TownshipAssessment", **assessment_form())
    assert case.complete("eligibility.assess")["selfCareLevel"] == "部分丧失生活自理能力"


def test_national_profile_first_review_publicity_evaluation_on_objection_county_confirmation(case: Case) -> None:
    key = accept(case, policyProfile="national")
    assert case.last_input("application.accept")["path"] == "national"
    case.complete("verification.check-economic-status")
    home_visit(case)
    case.do("Activity_TownshipAssessment", **assessment_form())
    case.complete("eligibility.assess")
    first = case.complete("publicity.publish")
    assert first["days"] == 7
    case.advance(timedelta(days=1))
    objection = {"messageId": "o-7", "channel": "村务公开栏", "content": "有房出租", "receivedAt": case.now.isoformat()}
    case.publish("publicity-objection", 1001, {"objection": objection})
    case.complete("publicity.record-objection")
    case.advance(timedelta(days=7))
    case.complete("publicity.close", openObjections=1)
    case.do("Activity_DemocraticEvaluation", evaluationSummary="评议认为出租收入很少", evaluationSupports=True)
    case.complete("supervision.select-spot-check", spotCheckSelected=True)
    case.do("Activity_OnSiteCheck", onSiteFindings="实地核查属实", onSiteConfirmed=True)
    task = case.task("Activity_CountyConfirmation")
    assert task.candidate_groups == ["county-supervisor"]
    case.do("Activity_CountyConfirmation", **approve())
    case.complete("approval.record")
    result_publicity(case)
    case.complete("notice.issue-decision")
    deliver(case)
    case.complete("payment.schedule")
    case.complete("dynamic.schedule-recheck")
    assert case.active(key)
    assert "Activity_LeaderApproval" not in case.trail
    assert case.trail.count("publicity.publish") == 2


def test_sla_reminder_at_day_8_and_escalation_at_day_10_while_review_goes_on(case: Case) -> None:
    key = accept(case)
    case.complete("verification.check-economic-status")
    case.complete("visit.schedule")
    case.advance(timedelta(days=10))
    warned = case.complete("sla.escalate")
    assert warned["level"] == "warning" and warned["decisionDue"] == "2026-03-16"
    case.advance(timedelta(days=4))
    breached = case.complete("sla.escalate")
    assert breached["level"] == "overdue"
    supervise = case.task("Activity_SuperviseOverdue")
    assert set(supervise.candidate_groups) == {"township-leader", "county-supervisor"}
    case.do("Activity_SuperviseOverdue", supervisionNotes="责成经办人两日内完成入户调查")
    # The review was never interrupted: the home visit is still waiting for the caseworker.
    assert case.waiting() == ["Activity_ConductVisit"] and case.active(key)
    case.do("Activity_ConductVisit", **visit_form(case))
    case.complete("visit.record")
    assess_and_approve(case)
    assert case.waiting() == ["publicity.publish"]


def test_approver_without_authority_sends_the_decision_back(case: Case) -> None:
    accept(case)
    case.complete("verification.check-economic-status")
    home_visit(case)
    case.do("Activity_TownshipAssessment", **assessment_form())
    case.complete("eligibility.assess")
    case.do("Activity_LeaderApproval", **approve(approverId=99))
    case.throw("approval.record", "APPROVER_NOT_AUTHORISED")
    case.do("Activity_LeaderApproval", **approve())
    assert case.complete("approval.record")["approverId"] == 41
