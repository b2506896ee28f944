"""临时救助 (temporary-assistance.bpmn): 急难型 relief first within 24 hours, 支出型 normal review."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.workflows.conftest import Case, application, approve, assessment_form, deliver, visit_form

pytestmark = pytest.mark.workflows

PROCESS = "temporary-assistance"
EMERGENCY = "急难型临时救助"
EXPENDITURE = "支出型临时救助"


def start_emergency(case: Case, **overrides: object) -> int:
    variables = application(EMERGENCY, emergencyCause="火灾", incidentLocation="桃州镇东亭村三组")
    variables.update(overrides)
    key = case.start(PROCESS, variables)
    case.complete("application.accept")
    case.complete("sla.compute-deadlines")
    return key


def normal_review(case: Case, proposed: float, standard: float = 780) -> None:
    case.complete("verification.check-economic-status")
    case.complete("visit.schedule")
    case.do("Activity_ConductVisit", **visit_form(case))
    case.complete("visit.record")
    case.do("Activity_TownshipAssessment", **assessment_form(essentialSpending=18000))
    case.complete("eligibility.assess", proposedAmount=proposed, standard=standard)


def test_emergency_relief_paid_first_then_paperwork_and_referrals(case: Case) -> None:
    key = start_emergency(case)
    task = case.task("Activity_ApproveRelief")
    assert task.candidate_groups == ["township-leader"]
    assert task.due_date == (case.now + timedelta(hours=24)).isoformat()
    case.advance(timedelta(hours=3))
    case.do("Activity_ApproveRelief", reliefAmount=1500, reliefReasons="房屋失火，基本生活用品全部烧毁", approverId=41)
    paid = case.complete("payment.pay-emergency")
    assert paid["amount"] == 1500 and paid["emergencyCause"] == "火灾" and paid["paidById"] == 41
    assert paid["idempotencyKey"] == "emergency-1001"
    follow_up = case.task("Activity_EmergencyFollowUp")
    assert follow_up.due_date == (case.now + timedelta(days=7)).date().isoformat() + "T17:30:00+08:00"
    case.do(
        "Activity_EmergencyFollowUp",
        followUpNotes="火灾致房屋损毁，家庭无其他收入来源，建议纳入低保并申请医疗救助。",
        referralTargets=["低保", "医疗救助"],
    )
    targets = sorted(g["target"] for g in [case.complete("referral.create"), case.complete("referral.create")])
    assert targets == ["低保", "医疗救助"]
    assert case.complete("case.close")["finalStatus"] == "已结案"
    assert not case.active(key)
    assert "verification.check-economic-status" not in case.trail and "sla.escalate" not in case.trail


def test_emergency_relief_not_paid_within_24_hours_is_escalated(case: Case) -> None:
    key = start_emergency(case)
    case.advance(timedelta(hours=25))
    escalated = case.complete("sla.escalate")
    assert escalated["level"] == "overdue" and escalated["decisionDue"] == "2026-03-03"
    supervise = case.task("Activity_SuperviseRelief")
    assert set(supervise.candidate_groups) == {"township-leader", "county-supervisor"}
    case.do("Activity_SuperviseRelief", supervisionNotes="立即发放")
    # The relief is still owed: the approval task was not cancelled by the escalation.
    case.do("Activity_ApproveRelief", reliefAmount=1000, reliefReasons="火灾", approverId=41)
    case.complete("payment.pay-emergency")
    case.do("Activity_EmergencyFollowUp", followUpNotes="已补充说明", referralTargets=[])
    assert case.complete("case.close")["finalStatus"] == "已结案"
    assert not case.active(key)


def test_emergency_above_the_small_amount_goes_to_the_normal_review(case: Case) -> None:
    key = start_emergency(case)
    case.do("Activity_ApproveRelief", reliefAmount=6000, reliefReasons="重大疾病住院", approverId=41)
    case.throw("payment.pay-emergency", "ABOVE_EMERGENCY_LIMIT")
    normal_review(case, proposed=3000)
    assert case.waiting_tasks() == ["Activity_LeaderApproval"]
    case.do("Activity_LeaderApproval", **approve(3000))
    case.complete("approval.record")
    case.complete("notice.issue-decision")
    deliver(case)
    paid = case.complete("payment.pay-monthly")
    assert paid["amount"] == 3000 and paid["idempotencyKey"] == "temporary-1001" and paid["month"] == "2026-04-01"
    assert case.complete("case.close")["finalStatus"] == "已结案"
    assert not case.active(key)


def test_emergency_relief_already_paid_is_not_paid_twice(case: Case) -> None:
    key = start_emergency(case)
    case.do("Activity_ApproveRelief", reliefAmount=800, reliefReasons="意外", approverId=41)
    case.throw("payment.pay-emergency", "DUPLICATE_PAYMENT")
    case.do("Activity_EmergencyFollowUp", followUpNotes="此前已发放", referralTargets=[])
    assert case.complete("case.close")["finalStatus"] == "已结案" and not case.active(key)


def test_expenditure_within_the_township_limit_is_approved_by_the_township(case: Case) -> None:
    key = case.start(PROCESS, application(EXPENDITURE))
    case.complete("application.accept")
    case.complete("sla.compute-deadlines")
    normal_review(case, proposed=3000)  # 3000 / 780 = 3.8 ≤ 4
    assert case.waiting_tasks() == ["Activity_LeaderApproval"]
    case.do("Activity_LeaderApproval", **approve(3000))
    case.complete("approval.record")
    case.complete("notice.issue-decision")
    deliver(case)
    case.complete("payment.pay-monthly")
    case.complete("case.close")
    assert not case.active(key)


@pytest.mark.parametrize(
    ("profile", "proposed", "task"),
    [
        (None, 3500, "Activity_CountyCaseByCase"),  # county profile: 4.5 × standard > 4
        ("national", 3500, "Activity_LeaderApproval"),  # national: ≤ 10 × standard stays in the township
        ("national", 8000, "Activity_CountyCaseByCase"),  # 10.3 × standard
    ],
)
def test_route_decision_sends_large_amounts_to_the_county(
    case: Case, profile: str | None, proposed: float, task: str
) -> None:
    case.start(PROCESS, application(EXPENDITURE, policyProfile=profile))
    case.complete("application.accept")
    case.complete("sla.compute-deadlines")
    normal_review(case, proposed=proposed)
    assert case.waiting_tasks() == [task]
    if task == "Activity_CountyCaseByCase":
        assert case.task(task).candidate_groups == ["county-supervisor"]


def test_township_decision_above_its_limit_is_sent_to_the_county(case: Case) -> None:
    case.start(PROCESS, application(EXPENDITURE))
    case.complete("application.accept")
    case.complete("sla.compute-deadlines")
    normal_review(case, proposed=3000)
    case.do("Activity_LeaderApproval", **approve(4000))
    case.throw("approval.record", "ABOVE_TOWNSHIP_LIMIT")
    case.do("Activity_CountyCaseByCase", **approve(4000, approverId=51))
    assert case.complete("approval.record")["approverId"] == 51


def test_expenditure_check_fails_notice_then_close(case: Case) -> None:
    key = case.start(PROCESS, application(EXPENDITURE))
    case.complete("application.accept")
    case.complete("sla.compute-deadlines")
    case.throw(
        "verification.check-economic-status",
        "ECONOMIC_CHECK_FAILED",
        {"checkReportId": 5, "findings": [{"source": "银行存款", "outcome": "不符合", "finding": "存款¥20万"}]},
    )
    assert case.complete("notice.issue-rejection")["facts"] == ["存款¥20万"]
    deliver(case)
    assert case.complete("case.close")["finalStatus"] == "不予批准"
    assert not case.active(key)


def test_expenditure_review_sla_warns_and_escalates(case: Case) -> None:
    case.start(PROCESS, application(EXPENDITURE))
    case.complete("application.accept")
    case.complete("sla.compute-deadlines")
    case.advance(timedelta(days=10))
    assert case.complete("sla.escalate")["level"] == "warning"
    case.advance(timedelta(days=4))
    assert case.complete("sla.escalate")["level"] == "overdue"
    assert sorted(case.waiting()) == ["Activity_SuperviseOverdue", "verification.check-economic-status"]
