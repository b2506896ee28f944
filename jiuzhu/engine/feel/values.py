"""FEEL runtime values: which Python types represent which FEEL types, and input conversion.

FEEL type                  Python value
null                       None
number                     int (when integral and exact) or decimal.Decimal
string / boolean           str / bool
list / context             list / dict
date                       datetime.date
time                       datetime.time (tzinfo None = local time)
date and time              datetime.datetime (tzinfo None = local date-time)
days and time duration     datetime.timedelta
years and months duration  YearsMonths
range                      Range
function                   FeelFunction
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

# feel-scala computes with java.math.MathContext.DECIMAL128
D128 = Context(prec=34, rounding=ROUND_HALF_EVEN, Emax=6144, Emin=-6143)


@dataclass(frozen=True, slots=True, order=True)
class YearsMonths:
    """A years-and-months duration, kept as total months (the sign lives there)."""

    months: int

    @property
    def years_part(self) -> int:
        return int(abs(self.months) // 12) * (1 if self.months >= 0 else -1)

    @property
    def months_part(self) -> int:
        return int(abs(self.months) % 12) * (1 if self.months >= 0 else -1)

    def __str__(self) -> str:
        from .temporal import format_years_months

        return format_years_months(self)


@dataclass(frozen=True, slots=True)
class Range:
    start: Any
    end: Any
    start_incl: bool
    end_incl: bool


class FeelFunction:
    """A user-defined function literal (or a built-in handed around as a value)."""

    __slots__ = ("impl", "name", "params")

    def __init__(self, params: list[str], impl: Callable[..., Any], name: str = "anonymous") -> None:
        self.params = params
        self.impl = impl  # called as impl(ctx, args: list)
        self.name = name

    def __repr__(self) -> str:
        return f"function {self.name}({', '.join(self.params)})"


_KINDS: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    Decimal: "number",
    str: "string",
    list: "list",
    dict: "context",
    date: "date",
    datetime: "date and time",
    time: "time",
    timedelta: "days and time duration",
    YearsMonths: "years and months duration",
    Range: "range",
    FeelFunction: "function",
}


def kind(value: Any) -> str:
    """The FEEL type name of a runtime value."""
    k = _KINDS.get(type(value))
    if k is not None:
        return k
    for t, name in _KINDS.items():
        if t is not type(None) and isinstance(value, t):
            return name
    return "unknown"


def is_number(v: Any) -> bool:
    t = type(v)
    return t is int or t is Decimal


def to_feel(value: Any) -> Any:
    """Convert a JSON-like Python value (from process variables) into a FEEL value."""
    t = type(value)
    if t is int or t is str or t is bool or value is None or t is Decimal:
        return value
    if t is float:
        if math.isnan(value) or math.isinf(value):
            return None
        as_int = int(value)
        return as_int if as_int == value and abs(value) < 1e15 else Decimal(repr(value))
    if t is dict:
        return {str(k): to_feel(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [to_feel(v) for v in value]
    if isinstance(value, bool | int):
        return bool(value) if isinstance(value, bool) else int(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        return to_feel(float(value))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_feel(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_feel(v) for v in value]
    if isinstance(value, date | time | timedelta | YearsMonths | Range | FeelFunction):
        return value
    return None


def normalize_number(d: Decimal) -> int | Decimal:
    """Integral decimals become ints so results look like Zeebe's JSON (``5``, not ``5.0``)."""
    if d.is_finite() and d == d.to_integral_value():
        return int(d)
    return d


def export(value: Any) -> Any:
    """Final shape of an evaluation result: integral numbers as int, recursively."""
    t = type(value)
    if t is Decimal:
        return normalize_number(value)
    if t is list:
        return [export(v) for v in value]
    if t is dict:
        return {k: export(v) for k, v in value.items()}
    return value
