"""Numeric built-ins. Results are exact decimals (DECIMAL128), like feel-scala."""

from __future__ import annotations

import random
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from typing import Any

from ..values import D128
from ._registry import builtin, integer, num


def _round(n: Any, scale: Any, mode: str) -> int | Decimal:
    value = num(n)
    s = integer(scale)
    if not -6000 < s < 6000:
        raise ValueError("scale out of range")
    if type(value) is int and s >= 0:
        return value
    q = Decimal(1).scaleb(-s)
    return Decimal(value).quantize(q, rounding=mode, context=D128)


@builtin("decimal", "n, scale")
def decimal(n: Any, scale: Any) -> Any:
    return _round(n, scale, ROUND_HALF_EVEN)


@builtin("floor", "n, scale?")
def floor(n: Any, scale: Any = 0) -> Any:
    return _round(n, 0 if scale is None else scale, ROUND_FLOOR)


@builtin("ceiling", "n, scale?")
def ceiling(n: Any, scale: Any = 0) -> Any:
    return _round(n, 0 if scale is None else scale, ROUND_CEILING)


@builtin("round up", "n, scale?")
def round_up(n: Any, scale: Any = 0) -> Any:
    return _round(n, 0 if scale is None else scale, ROUND_UP)


@builtin("round down", "n, scale?")
def round_down(n: Any, scale: Any = 0) -> Any:
    return _round(n, 0 if scale is None else scale, ROUND_DOWN)


@builtin("round half up", "n, scale?")
def round_half_up(n: Any, scale: Any = 0) -> Any:
    return _round(n, 0 if scale is None else scale, ROUND_HALF_UP)


@builtin("round half down", "n, scale?")
def round_half_down(n: Any, scale: Any = 0) -> Any:
    return _round(n, 0 if scale is None else scale, ROUND_HALF_DOWN)


@builtin("abs", "n")
def abs_(n: Any) -> Any:
    from datetime import timedelta

    from ..values import YearsMonths

    if type(n) is timedelta:
        return abs(n)
    if type(n) is YearsMonths:
        return YearsMonths(abs(n.months))
    return abs(num(n))


@builtin("modulo", "dividend, divisor")
def modulo(dividend: Any, divisor: Any) -> Any:
    a, b = num(dividend), num(divisor)
    if b == 0:
        raise ZeroDivisionError("modulo by zero")
    if type(a) is int and type(b) is int:
        return a % b  # Python's sign follows the divisor, as FEEL's modulo does
    r = D128.remainder(a, b)
    if r != 0 and (r < 0) != (b < 0):
        r = D128.add(r, b)
    return r


@builtin("sqrt", "number")
def sqrt(number: Any) -> Any:
    n = num(number)
    if n < 0:
        raise ValueError("square root of a negative number")
    return D128.sqrt(Decimal(n))


@builtin("log", "number")
def log(number: Any) -> Any:
    n = num(number)
    if n <= 0:
        raise ValueError("logarithm of a non-positive number")
    return D128.ln(Decimal(n))


@builtin("exp", "number")
def exp(number: Any) -> Any:
    return D128.exp(Decimal(num(number)))


@builtin("odd", "number")
def odd(number: Any) -> bool:
    n = num(number)
    return n == int(n) and int(n) % 2 == 1


@builtin("even", "number")
def even(number: Any) -> bool:
    n = num(number)
    return n == int(n) and int(n) % 2 == 0


@builtin("random number")
def random_number() -> Decimal:
    return Decimal(repr(random.random()))
