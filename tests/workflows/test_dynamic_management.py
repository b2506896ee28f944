"""动态管理 (dynamic-management.bpmn): periodic re-checks that keep, adjust, taper or stop assistance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.workflows.conftest import Case, deliver, household, visit_form

pytestmark = pytest.mark.workflows

PROCESS = "dynamic-management"


def enrol(case: Case, *, stable: bool = True, able: bool = False, recheck_from: str | None = None) -> int:
    variables: dict[str, Any] = {
        "caseId": 1001,
        "householdId": 501,
        "townshipId": 3,
        "members": household(),
        "monthlyAmount": 1440,
        "decisionId": 601,
        "incomeStable": stable,
        "memberAbleToWork": able,
        "checkAuthorised": True,
    }
    if recheck_from is not None:  # a household of the caseload import: its last re-check or 认定日期
        variables["recheckFrom"] = recheck_from
    key = case.start(PROCESS, variables)
    return key


def recheck_until_proposal(case: Case, check_fails: bool = False) -> None:
    if check_fails:
        case.throw(
            "verification.check-economic-status",
            "ECONOMIC_CHECK_FAILED",
            {"checkReportId": 9, "findings": [{"source": "税务", "outcome": "不符合", "finding": "务工收入¥3,000/月"}]},
        )
    else:
        case.complete("verification.check-economic-status")
    case.complete("visit.schedule")
    case.do("Activity_ConductVisit", **visit_form(case))
    case.complete("visit.record")


def test_yearly_recheck_keeps_assistance_and_schedules_the_next(case: Case) -> None:
    key = enrol(case)
    scheduled = case.complete("dynamic.schedule-recheck")
    assert scheduled["incomeStable"] is True and scheduled["fromDate"] == "2026-03-02"
    assert case.last_output("dynamic.schedule-recheck")["cadenceMonths"] == 12
    case.advance(timedelta(days=300))
    assert case.waiting() == []  # not due yet
    case.advance(timedelta(days=70))  # past 2027-03-01 09:00
    recheck_until_proposal(case)
    case.do("Activity_ProposeOutcome", recheckOutcome="维持", recheckReasons="家庭情况无变化", incomeStable=True)
    assert case.waiting_tasks() == ["Activity_ApproveRecheck"]  # no hearing needed to keep paying
    case.do("Activity_ApproveRecheck", approverId=41)
    recorded = case.complete("dynamic.record-recheck")
    assert recorded["recheckOutcome"] == "维持" and recorded["householdHeard"] is False
    nxt = case.complete("dynamic.schedule-recheck")
    assert nxt["fromDate"] == "2027-03-07"
    assert case.active(key) and "notice.issue-decision" not in case.trail


def test_an_imported_household_counts_from_its_last_recheck_once_then_from_the_recheck(case: Case) -> None:
    key = enrol(case, recheck_from="2025-05-20")
    assert case.complete("dynamic.schedule-recheck")["fromDate"] == "2025-05-20"
    assert case.last_output("dynamic.schedule-recheck")["nextRecheckDue"] == "2026-05-01"
    case.advance(timedelta(days=50))
    assert case.waiting() == []  # 2026-04-21: not due yet
    case.advance(timedelta(days=30))
    recheck_until_proposal(case)
    case.do("Activity_ProposeOutcome", recheckOutcome="维持", recheckReasons="家庭情况无变化", incomeStable=True)
    case.do("Activity_ApproveRecheck", approverId=41)
    case.complete("dynamic.record-recheck")
    # the next cycle counts from the re-check just made, not from the imported date again
    assert case.complete("dynamic.schedule-recheck")["fromDate"] == "2026-05-21"
    assert case.active(key)


def test_an_overdue_imported_household_is_rechecked_at_once(case: Case) -> None:
    enrol(case, recheck_from="2024-11-30", stable=False)
    case.complete("dynamic.schedule-recheck")
    assert case.last_output("dynamic.schedule-recheck")["nextRecheckDue"] == "2025-05-01"
    case.advance(timedelta(minutes=1))
    assert case.waiting() == ["verification.check-economic-status"]


def test_half_yearly_when_a_member_can_work(case: Case) -> None:
    enrol(case, stable=False, able=True)
    case.complete("dynamic.schedule-recheck")
    assert case.last_output("dynamic.schedule-recheck")["cadenceMonths"] == 6
    case.advance(timedelta(days=190))
    assert case.waiting() == ["verification.check-economic-status"]


def test_reported_change_stops_assistance_only_after_hearing_and_a_written_notice(case: Case) -> None:
    key = enrol(case)
    case.complete("dynamic.schedule-recheck")
    case.advance(timedelta(days=40))
    case.publish("household-change-reported", 1001, {"changeReport": "儿子外出务工，月收入约¥3,000"})
    recheck_until_proposal(case, check_fails=True)
    case.do("Activity_ProposeOutcome", recheckOutcome="停发", recheckReasons="家庭月人均收入高于低保标准")
    # Stopping without hearing the household is refused by the worker and sent back.
    case.do("Activity_HearHousehold", householdHeard=False, hearingNotes="未联系上")
    case.do("Activity_ApproveRecheck", approverId=41)
    case.throw("dynamic.record-recheck", "HOUSEHOLD_NOT_HEARD")
    case.do("Activity_HearHousehold", householdHeard=True, hearingNotes="户主陈述：务工收入不稳定")
    case.do("Activity_ApproveRecheck", approverId=41)
    recorded = case.complete("dynamic.record-recheck")
    assert recorded["householdHeard"] is True and recorded["recheckOutcome"] == "停发"
    notice = case.complete("notice.issue-decision")
    assert (
        notice["noticeKind"] == "变更告知书"
        and notice["decisionId"] == case.last_output("dynamic.record-recheck")["decisionId"]
    )
    deliver(case)
    assert not case.active(key)
    assert case.trail.index("Activity_HearHousehold") < case.trail.index("notice.issue-decision")


def test_taper_period_when_income_rose_through_work(case: Case) -> None:
    key = enrol(case)
    case.complete("dynamic.schedule-recheck")
    case.publish("household-change-reported", 1001, {})
    recheck_until_proposal(case)
    case.do("Activity_ProposeOutcome", recheckOutcome="渐退", recheckReasons="就业后收入增加，给予渐退期")
    case.do("Activity_HearHousehold", householdHeard=True, hearingNotes="同意")
    case.do("Activity_ApproveRecheck", approverId=41)
    case.complete("dynamic.record-recheck")
    taper_until = case.last_output("dynamic.record-recheck")["taperUntil"]
    assert taper_until == "2026-09-01"  # the last month paid (the worker's rule: ≤ 6 months)
    case.complete("notice.issue-decision")
    deliver(case)
    case.advance(timedelta(days=210))  # 2026-09-28: September is still paid
    assert case.active(key)
    case.advance(timedelta(days=3))  # 2026-10-01 09:00: the taper period is over
    assert not case.active(key)


def test_cut_in_amount_needs_hearing_and_updates_the_amount(case: Case) -> None:
    key = enrol(case)
    case.complete("dynamic.schedule-recheck")
    case.publish("household-change-reported", 1001, {})
    recheck_until_proposal(case)
    case.do("Activity_ProposeOutcome", recheckOutcome="调整", newAmount=960, recheckReasons="收入增加")
    case.do("Activity_HearHousehold", householdHeard=True, hearingNotes="无异议")
    case.do("Activity_ApproveRecheck", approverId=41)
    case.complete("dynamic.record-recheck")
    case.complete("notice.issue-decision")
    deliver(case)
    case.complete("dynamic.schedule-recheck")
    assert case.engine.variables(key)["monthlyAmount"] == 960 and case.active(key)


def test_raise_in_amount_needs_no_hearing(case: Case) -> None:
    enrol(case)
    case.complete("dynamic.schedule-recheck")
    case.publish("household-change-reported", 1001, {})
    recheck_until_proposal(case)
    case.do("Activity_ProposeOutcome", recheckOutcome="调整", newAmount=1800, recheckReasons="家庭成员重病")
    assert case.waiting_tasks() == ["Activity_ApproveRecheck"]
