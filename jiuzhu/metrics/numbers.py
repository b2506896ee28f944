"""Numbers handed to the recorders: finite and not negative, or refused (counted, never raised)."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal


def non_negative(value: object, field: str, invalid: Callable[[str], None]) -> float | None:
    """`value` as a float, or None (and `invalid("number")`) if it is not a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        invalid("number")
        return None
    number = float(value)
    if math.isnan(number) or math.isinf(number) or number < 0:
        invalid("number")
        return None
    return number
