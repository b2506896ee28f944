"""FEEL `string()` rendering of any value."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from .temporal import format_date, format_datetime, format_day_time, format_time, format_years_months
from .values import FeelFunction, Range, YearsMonths


def number_text(n: int | Decimal) -> str:
    if type(n) is int:
        return str(n)
    return format(n, "f")


def _quoted(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _key(k: str) -> str:
    return k if k.isidentifier() else _quoted(k)


def feel_string(v: Any, nested: bool = False) -> str | None:
    t = type(v)
    if v is None:
        return "null" if nested else None
    if t is str:
        return _quoted(v) if nested else v
    if t is bool:
        return "true" if v else "false"
    if t is int or t is Decimal:
        return number_text(v)
    if t is datetime:
        return format_datetime(v)
    if t is date:
        return format_date(v)
    if t is time:
        return format_time(v)
    if t is timedelta:
        return format_day_time(v)
    if t is YearsMonths:
        return format_years_months(v)
    if t is list:
        return "[" + ", ".join(str(feel_string(x, True)) for x in v) + "]"
    if t is dict:
        return "{" + ", ".join(f"{_key(k)}: {feel_string(x, True)}" for k, x in v.items()) + "}"
    if t is Range:
        left = "[" if v.start_incl else "("
        right = "]" if v.end_incl else ")"
        return f"{left}{feel_string(v.start, True)}..{feel_string(v.end, True)}{right}"
    if isinstance(v, FeelFunction):
        return repr(v)
    return str(v)
