"""Temporal built-ins: now, today, day of week, week of year, last day of month, ..."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Any

from ..context import EvalContext
from ._registry import ArgError, builtin

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _date(v: Any) -> date:
    if type(v) is date:
        return v
    if type(v) is datetime:
        return v.date()
    raise ArgError("expected a date or date and time")


@builtin("now", needs_ctx=True)
def now(ctx: EvalContext) -> datetime:
    return ctx.now()


@builtin("today", needs_ctx=True)
def today(ctx: EvalContext) -> date:
    return ctx.now().date()


@builtin("day of week", "date")
def day_of_week(d: Any) -> str:
    return _DAYS[_date(d).weekday()]


@builtin("day of year", "date")
def day_of_year(d: Any) -> int:
    return _date(d).timetuple().tm_yday


@builtin("week of year", "date")
def week_of_year(d: Any) -> int:
    return _date(d).isocalendar()[1]


@builtin("month of year", "date")
def month_of_year(d: Any) -> str:
    return _MONTHS[_date(d).month - 1]


@builtin("last day of month", "date")
def last_day_of_month(d: Any) -> date:
    x = _date(d)
    return date(x.year, x.month, calendar.monthrange(x.year, x.month)[1])
