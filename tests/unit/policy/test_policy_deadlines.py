"""Case limits from profile + calendar, DOMAIN.md "Time" and the county reform profile."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jiuzhu.policy.calendar import CST, WorkingCalendar, YearData
from jiuzhu.policy.deadlines import (
    SlaState,
    decision_due,
    decision_sla,
    emergency_relief_due,
    payment_start,
    rejection_notice_due,
)
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.profiles import get_profile

pytestmark = pytest.mark.unit

SLA = get_profile("county").sla
CALENDAR = WorkingCalendar.standard()


@pytest.mark.parametrize(
    ("now", "state", "elapsed"),
    [
        (date(2026, 9, 30), SlaState.ON_TRACK, 0),
        (date(2026, 10, 7), SlaState.ON_TRACK, 0),  # the holiday week does not count
        (date(2026, 10, 15), SlaState.ON_TRACK, 7),
        (date(2026, 10, 16), SlaState.WARNING, 8),  # warn from working day 8
        (date(2026, 10, 20), SlaState.WARNING, 10),  # the last day is still on time
        (date(2026, 10, 21), SlaState.OVERDUE, 11),
        (datetime(2026, 10, 20, 23, 59, tzinfo=CST), SlaState.WARNING, 10),
        (datetime(2026, 10, 20, 16, 0, tzinfo=UTC), SlaState.OVERDUE, 11),  # 10-21 00:00 in China
    ],
)
def test_decision_sla(now: date, state: SlaState, elapsed: int) -> None:
    status = decision_sla(date(2026, 9, 30), now, CALENDAR, SLA)
    assert status.state is state
    assert status.elapsed_working_days == elapsed
    assert status.due == date(2026, 10, 20)
    assert (status.limit_working_days, status.warn_at_working_day) == (10, 8)
    assert status.provisional is False


def test_decision_sla_across_the_year_end_is_provisional_until_2027_is_known() -> None:
    status = decision_sla(date(2026, 12, 24), date(2026, 12, 28), CALENDAR, SLA)
    assert status.due == date(2027, 1, 7)
    assert status.provisional is True
    with_2027 = CALENDAR.with_overrides([YearData(2027, {date(2027, 1, 1): "元旦"})])
    status = decision_sla(date(2026, 12, 24), date(2026, 12, 28), with_2027, SLA)
    assert status.due == date(2027, 1, 8)
    assert status.provisional is False


def test_decision_sla_rejects_now_before_acceptance() -> None:
    with pytest.raises(PolicyError):
        decision_sla(date(2026, 10, 2), date(2026, 10, 1), CALENDAR, SLA)


@pytest.mark.parametrize(
    ("accepted", "due", "provisional"),
    [
        (date(2026, 9, 30), date(2026, 10, 20), False),
        (date(2026, 11, 27), date(2026, 12, 11), False),
        (date(2026, 12, 24), date(2027, 1, 7), True),
    ],
)
def test_decision_due(accepted: date, due: date, provisional: bool) -> None:
    result = decision_due(accepted, CALENDAR, SLA)
    assert (result.value, result.provisional) == (due, provisional)


@pytest.mark.parametrize(
    ("decided", "due"),
    [
        (date(2026, 9, 30), date(2026, 10, 10)),  # 10-08, 10-09, make-up Saturday 10-10
        (date(2026, 11, 27), date(2026, 12, 2)),
    ],
)
def test_rejection_notice_due(decided: date, due: date) -> None:
    assert rejection_notice_due(decided, CALENDAR, SLA).value == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime(2026, 10, 1, 9, 30, tzinfo=CST), datetime(2026, 10, 2, 9, 30, tzinfo=CST)),  # holidays too
        (datetime(2026, 12, 31, 22, 0, tzinfo=CST), datetime(2027, 1, 1, 22, 0, tzinfo=CST)),
    ],
)
def test_emergency_relief_due(received: datetime, due: datetime) -> None:
    assert emergency_relief_due(received, SLA) == due


@pytest.mark.parametrize(
    ("approved", "start"),
    [(date(2026, 10, 20), date(2026, 11, 1)), (date(2026, 12, 11), date(2027, 1, 1))],
)
def test_payment_start(approved: date, start: date) -> None:
    assert payment_start(approved) == start
