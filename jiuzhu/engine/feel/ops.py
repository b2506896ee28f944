"""FEEL operators: equality, ordering and arithmetic with null propagation.

Every function returns None (FEEL null) when the operation is not defined for its operands,
as feel-scala does since 1.17 ("comparing different types returns null").
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .temporal import add_months
from .values import D128, Range, YearsMonths, kind


def _num(t: type) -> bool:
    return t is int or t is Decimal


def equal(a: Any, b: Any) -> bool | None:
    """FEEL `=`: null equals only null; different types are not comparable (null)."""
    if a is None or b is None:
        return a is None and b is None
    ta, tb = type(a), type(b)
    if ta is tb or (_num(ta) and _num(tb)):
        if ta is list:
            if len(a) != len(b):
                return False
            return all(equal(x, y) is True for x, y in zip(a, b, strict=True))
        if ta is dict:
            if a.keys() != b.keys():
                return False
            return all(equal(a[k], b[k]) is True for k in a)
        if (ta is datetime or ta is time) and (a.tzinfo is None) != (b.tzinfo is None):
            return None
        return bool(a == b)
    ka, kb = kind(a), kind(b)
    if ka != kb:
        return None
    return equal_same_kind(a, b)


def equal_same_kind(a: Any, b: Any) -> bool | None:
    if isinstance(a, list) and isinstance(b, list):
        return equal(list(a), list(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return equal(dict(a), dict(b))
    return bool(a == b)


def compare(a: Any, b: Any) -> int | None:
    """Ordering for `<` etc.: -1/0/1, or None when not comparable."""
    ta, tb = type(a), type(b)
    if (_num(ta) and _num(tb)) or (ta is tb and ta in (str, date, YearsMonths, timedelta)):
        return -1 if a < b else (1 if a > b else 0)
    if ta is tb and ta in (datetime, time):
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None
        try:
            return -1 if a < b else (1 if a > b else 0)
        except TypeError:
            return None
    return None


def less(a: Any, b: Any) -> bool | None:
    c = compare(a, b)
    return None if c is None else c < 0


def less_eq(a: Any, b: Any) -> bool | None:
    c = compare(a, b)
    return None if c is None else c <= 0


def greater(a: Any, b: Any) -> bool | None:
    c = compare(a, b)
    return None if c is None else c > 0


def greater_eq(a: Any, b: Any) -> bool | None:
    c = compare(a, b)
    return None if c is None else c >= 0


def not_equal(a: Any, b: Any) -> bool | None:
    r = equal(a, b)
    return None if r is None else not r


COMPARISONS = {"=": equal, "!=": not_equal, "<": less, "<=": less_eq, ">": greater, ">=": greater_eq}


def in_range(r: Range, v: Any) -> bool | None:
    if r.start is not None:
        c = compare(v, r.start)
        if c is None:
            return None
        if c < 0 or (c == 0 and not r.start_incl):
            return False
    if r.end is not None:
        c = compare(v, r.end)
        if c is None:
            return None
        if c > 0 or (c == 0 and not r.end_incl):
            return False
    return True


# --- arithmetic ------------------------------------------------------------------------------


def _dec(v: Any) -> Decimal:
    return v if type(v) is Decimal else Decimal(v)


def _finite(d: Decimal) -> Decimal | None:
    return d if d.is_finite() else None


def add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return a + b
    if _num(ta) and _num(tb):
        return _finite(D128.add(a, b))
    if ta is str and tb is str:
        return a + b
    if tb is timedelta and ta in (datetime, time, timedelta):
        return _shift(a, b)
    if ta is timedelta and tb in (datetime, time, date):
        return _shift(b, a)
    if tb is timedelta and ta is date:
        return _shift(a, b)
    if tb is YearsMonths and ta in (date, datetime):
        return add_months(a, b.months)
    if ta is YearsMonths and tb in (date, datetime):
        return add_months(b, a.months)
    if ta is YearsMonths and tb is YearsMonths:
        return YearsMonths(a.months + b.months)
    return None


def _shift(a: Any, d: timedelta) -> Any:
    ta = type(a)
    if ta is timedelta:
        return a + d
    if ta is time:
        base = datetime.combine(date(2000, 1, 1), a)
        return (base + d).timetz()
    if ta is date:
        # feel-scala: date + duration stays a date (the time part is dropped)
        return (datetime(a.year, a.month, a.day) + d).date()
    return a + d


def subtract(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return a - b
    if _num(ta) and _num(tb):
        return _finite(D128.subtract(a, b))
    if tb is timedelta and ta in (date, datetime, time, timedelta):
        return _shift(a, -b)
    if tb is YearsMonths and ta in (date, datetime):
        return add_months(a, -b.months)
    if ta is YearsMonths and tb is YearsMonths:
        return YearsMonths(a.months - b.months)
    if ta is date and tb is date:
        return a - b
    if ta is datetime and tb is datetime:
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None
        return a - b
    if (ta is date and tb is datetime) or (ta is datetime and tb is date):
        a2 = datetime(a.year, a.month, a.day, tzinfo=b.tzinfo) if ta is date else a
        b2 = datetime(b.year, b.month, b.day, tzinfo=a.tzinfo) if tb is date else b
        return a2 - b2
    if ta is time and tb is time:
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None
        base = date(2000, 1, 1)
        return datetime.combine(base, a) - datetime.combine(base, b)
    return None


def multiply(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return a * b
    if _num(ta) and _num(tb):
        return _finite(D128.multiply(a, b))
    if ta is timedelta and _num(tb):
        return _scale_td(a, _dec(b))
    if tb is timedelta and _num(ta):
        return _scale_td(b, _dec(a))
    if ta is YearsMonths and _num(tb):
        return YearsMonths(int(D128.multiply(a.months, b)))
    if tb is YearsMonths and _num(ta):
        return YearsMonths(int(D128.multiply(b.months, a)))
    return None


def _scale_td(td: timedelta, factor: Decimal) -> timedelta:
    micros = (td.days * 86400 + td.seconds) * 1_000_000 + td.microseconds
    return timedelta(microseconds=int(D128.multiply(micros, factor)))


def divide(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if _num(ta) and _num(tb):
        if b == 0:
            return None
        if ta is int and tb is int and a % b == 0:
            return a // b
        return _finite(D128.divide(a, b))
    if ta is timedelta and _num(tb):
        return None if b == 0 else _scale_td(a, D128.divide(1, b))
    if ta is timedelta and tb is timedelta:
        if not b:
            return None
        return D128.divide(_td_micros(a), _td_micros(b))
    if ta is YearsMonths and _num(tb):
        return None if b == 0 else YearsMonths(int(D128.divide(a.months, b)))
    if ta is YearsMonths and tb is YearsMonths:
        return None if b.months == 0 else D128.divide(a.months, b.months)
    return None


def _td_micros(td: timedelta) -> int:
    return (td.days * 86400 + td.seconds) * 1_000_000 + td.microseconds


def power(a: Any, b: Any) -> Any:
    if not (_num(type(a)) and _num(type(b))):
        return None
    try:
        if type(a) is int and type(b) is int and 0 <= b <= 10_000 and abs(a) < 10**6:
            return a**b
        if b != b.to_integral_value() if type(b) is Decimal else False:
            return None  # feel-scala only raises to integer powers
        if abs(b) > 999_999_999:
            return None
        return _finite(D128.power(_dec(a), int(b)))
    except (InvalidOperation, ZeroDivisionError, OverflowError):
        return None


def negate(a: Any) -> Any:
    ta = type(a)
    if ta is int or ta is Decimal:
        return -a
    if ta is timedelta:
        return -a
    if ta is YearsMonths:
        return YearsMonths(-a.months)
    return None


ARITHMETIC = {"+": add, "-": subtract, "*": multiply, "/": divide, "**": power}
