"""Service-level limits of a case, from a profile's SLA rules and a working calendar.

DOMAIN.md: 10 working days from acceptance to decision (county reform; warn from day 8 in the
profile), 急难型 relief within 24 hours, a rejection notice within 3 working days, payments from
the month after approval.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from jiuzhu.policy.calendar import (
    CalendarResult,
    WorkingCalendar,
    add_hours,
    first_day_of_next_month,
    local_date,
)
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.profiles import SlaRules


class SlaState(enum.StrEnum):
    ON_TRACK = "on_track"
    WARNING = "warning"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class SlaStatus:
    state: SlaState
    elapsed_working_days: int
    limit_working_days: int
    warn_at_working_day: int
    due: date  # the last day on which the decision is on time
    provisional: bool


def decision_due(accepted: date | datetime, calendar: WorkingCalendar, sla: SlaRules) -> CalendarResult[date]:
    return calendar.add_working_days(accepted, sla.decision_working_days)


def decision_sla(
    accepted: date | datetime, now: date | datetime, calendar: WorkingCalendar, sla: SlaRules
) -> SlaStatus:
    """Where a case stands against the decision limit at ``now`` (passed in, never read)."""
    if local_date(now) < local_date(accepted):
        raise PolicyError("reversed_range", "当前时间早于受理时间")
    elapsed = calendar.working_days_between(accepted, now)
    due = decision_due(accepted, calendar, sla)
    if elapsed.value > sla.decision_working_days:
        state = SlaState.OVERDUE
    elif elapsed.value >= sla.decision_warn_at_working_day:
        state = SlaState.WARNING
    else:
        state = SlaState.ON_TRACK
    return SlaStatus(
        state=state,
        elapsed_working_days=elapsed.value,
        limit_working_days=sla.decision_working_days,
        warn_at_working_day=sla.decision_warn_at_working_day,
        due=due.value,
        provisional=elapsed.provisional or due.provisional,
    )


def emergency_relief_due(received: datetime, sla: SlaRules) -> datetime:
    """急难型: relief first within ``emergency_hours`` clock hours of the report."""
    return add_hours(received, sla.emergency_hours)


def rejection_notice_due(decided: date | datetime, calendar: WorkingCalendar, sla: SlaRules) -> CalendarResult[date]:
    """Written notice with reasons within 3 working days of the decision (Art. 21)."""
    return calendar.add_working_days(decided, sla.rejection_notice_working_days)


def payment_start(approved: date | datetime) -> date:
    """Paid monthly from the month after the decision (Art. 21, 25)."""
    return first_day_of_next_month(approved)
