"""FEEL results to JSON-compatible Python, the way Zeebe writes them into process variables."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from .temporal import zeebe_string
from .text import feel_string
from .values import FeelFunction, Range, YearsMonths


def to_json(value: Any) -> Any:
    """Whole numbers become int, other numbers float (Zeebe writes a double); temporal values
    become the ISO strings Zeebe stores; contexts dicts; lists lists; functions null."""
    t = type(value)
    if value is None or t is bool or t is str or t is int:
        return value
    if t is Decimal:
        if not value.is_finite():
            return None
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    if t is list or t is tuple:
        return [to_json(v) for v in value]
    if t is dict:
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, date | time | timedelta | YearsMonths):
        return zeebe_string(value)
    if t is float:
        return value
    if isinstance(value, Range):
        return feel_string(value)
    if isinstance(value, FeelFunction):
        return None
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return None
