"""Dynamic management (动态管理): how often a household in payment is re-checked, and when next.

DOMAIN.md, "Dynamic management" (最低生活保障审核确认办法 Art. 31): households whose income changes
little are re-checked every year; households with an unstable income or a member able to work,
every half year; after a recipient dies, within 3 months. The due date is the same day that many
months on, clamped to the month's end (31 Jan + 1 month → 28/29 Feb).

Used by the ``dynamic.schedule-recheck`` worker and by the caseload import (``caseload.py``).
"""

from __future__ import annotations

import calendar
from datetime import date

STABLE_MONTHS = 12  # stable income, nobody able to work: yearly
UNSTABLE_MONTHS = 6  # unstable income or members able to work: half-yearly
AFTER_DEATH_MONTHS = 3  # re-check within 3 months after a recipient dies


def month_after(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def recheck_cadence(*, income_stable: bool, member_able_to_work: bool, recipient_died: bool = False) -> int:
    """Months between re-checks: 12, 6, or 3 after a recipient died."""
    if recipient_died:
        return AFTER_DEATH_MONTHS
    return STABLE_MONTHS if income_stable and not member_able_to_work else UNSTABLE_MONTHS


def next_recheck_due(last: date, months: int) -> date:
    """The next re-check after the decision or re-check of ``last``, ``months`` on."""
    return month_after(last, months)
