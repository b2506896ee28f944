"""Conversion built-ins: string, number, date, time, date and time, duration, context."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import temporal as T
from ..text import feel_string
from ..values import YearsMonths, normalize_number
from ._registry import ArgError, builtin, integer, lst, num, text

_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@builtin("string", "from")
def string(value: Any) -> Any:
    return feel_string(value)


def _number(s: str) -> Any:
    s = s.strip()
    if not _NUMBER_RE.fullmatch(s):
        raise ArgError(f"can't convert {s!r} to a number")
    try:
        d = Decimal(s)
    except InvalidOperation as e:
        raise ArgError(str(e)) from e
    return normalize_number(d) if "." not in s and "e" not in s.lower() else d


@builtin("number", "from")
def number(value: Any) -> Any:
    return _number(text(value))


@builtin("number", "from, grouping separator, decimal separator?")
def number_sep(value: Any, grouping: Any, decimal: Any = None) -> Any:
    s = text(value)
    if grouping is not None:
        if text(grouping) not in (" ", ",", "."):
            raise ArgError("grouping separator must be one of ' ', ',' or '.'")
        s = s.replace(grouping, "")
    if decimal is not None:
        if text(decimal) not in (",", ".") or decimal == grouping:
            raise ArgError("decimal separator must be ',' or '.'")
        s = s.replace(decimal, ".")
    return _number(s)


@builtin("date", "from")
def date_(value: Any) -> Any:
    if type(value) is str:
        return T.parse_date(value)
    if type(value) is datetime:
        return value.date()
    if type(value) is date:
        return value
    raise ArgError("expected a string, date or date and time")


@builtin("date", "year, month, day")
def date3(year: Any, month: Any, day: Any) -> Any:
    return date(integer(year), integer(month), integer(day))


@builtin("time", "from")
def time_(value: Any) -> Any:
    if type(value) is str:
        return T.parse_time(value)
    if type(value) is datetime:
        return value.timetz()
    if type(value) is time:
        return value
    if type(value) is date:
        return time(0, 0, 0, tzinfo=T.zone("Z"))
    raise ArgError("expected a string or a date and time")


@builtin("time", "hour, minute, second, offset?")
def time4(hour: Any, minute: Any, second: Any, offset: Any = None) -> Any:
    s = num(second)
    micro = int((Decimal(s) % 1) * 1_000_000)
    tz = None
    if offset is not None:
        if type(offset) is not timedelta:
            raise ArgError("offset must be a days and time duration")
        tz = T.zone(T._offset_text(offset)) if offset else T.zone("Z")
    return time(integer(hour), integer(minute), int(s), micro, tzinfo=tz)


@builtin("date and time", "from")
def date_and_time(value: Any) -> Any:
    return T.parse_datetime(text(value))


@builtin("date and time", "date, time")
def date_and_time2(d: Any, t: Any) -> Any:
    if type(d) not in (date, datetime):
        raise ArgError("expected a date")
    day = d if type(d) is date else d.date()
    if type(t) is time:
        return datetime.combine(day, t)
    if type(t) is str and type(d) is datetime:
        tz = T.zone(t)
        if tz is None:
            raise ArgError(f"unknown time zone {t!r}")
        return d.replace(tzinfo=tz) if d.tzinfo is None else d.astimezone(tz)
    raise ArgError("expected a time")


@builtin("duration", "from")
def duration(value: Any) -> Any:
    return T.parse_duration(text(value))


def _to_date(v: Any) -> date:
    if type(v) is date:
        return v
    if type(v) is datetime:
        return v.date()
    raise ArgError("expected a date or date and time")


@builtin("years and months duration", "from, to")
def years_and_months_duration(from_: Any, to: Any) -> YearsMonths:
    return YearsMonths(T.months_between(_to_date(from_), _to_date(to)))


@builtin("context", "entries")
def context(entries: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for e in lst(entries):
        if type(e) is not dict or "key" not in e or "value" not in e or type(e["key"]) is not str:
            raise ArgError("expected a list of {key, value} contexts")
        out[e["key"]] = e["value"]
    return out


@builtin("@", "from")
def temporal_literal(value: Any) -> Any:
    """`@"2024-01-01"`: a date, time, date-time or duration, whichever the string is."""
    s = text(value)
    if s.startswith(("P", "-P")):
        return T.parse_duration(s)
    if "T" in s:
        return T.parse_datetime(s)
    if ":" in s:
        return T.parse_time(s)
    return T.parse_date(s)
