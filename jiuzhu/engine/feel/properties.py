"""Properties of temporal values and ranges (`date.year`, `duration.days`, `range.start`, ...)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .context import MISSING
from .values import Range, YearsMonths


def _time_props(t: time | datetime, key: str) -> Any:
    if key == "hour":
        return t.hour
    if key == "minute":
        return t.minute
    if key == "second":
        return t.second
    if key == "time offset":
        off = t.utcoffset() if t.tzinfo is not None else None
        return off
    if key == "timezone":
        return t.tzinfo.key if isinstance(t.tzinfo, ZoneInfo) else None
    return MISSING


def _date_props(d: date, key: str) -> Any:
    if key == "year":
        return d.year
    if key == "month":
        return d.month
    if key == "day":
        return d.day
    if key == "weekday":
        return d.isoweekday()
    return MISSING


def get_property(value: Any, key: str) -> Any:
    t = type(value)
    if t is date:
        return _date_props(value, key)
    if t is datetime:
        r = _date_props(value, key)
        return r if r is not MISSING else _time_props(value, key)
    if t is time:
        return _time_props(value, key)
    if t is timedelta:
        total = value.days * 86400 + value.seconds
        sign = -1 if total < 0 else 1
        total = abs(total) if value.microseconds == 0 or total >= 0 else abs(total + 1)
        if key == "days":
            return sign * (total // 86400)
        if key == "hours":
            return sign * (total // 3600 % 24)
        if key == "minutes":
            return sign * (total // 60 % 60)
        if key == "seconds":
            return sign * (total % 60)
        return MISSING
    if t is YearsMonths:
        if key == "years":
            return value.years_part
        if key == "months":
            return value.months_part
        return MISSING
    if t is Range:
        return {
            "start": value.start,
            "end": value.end,
            "start included": value.start_incl,
            "end included": value.end_incl,
        }.get(key, MISSING)
    return MISSING
