"""Money as ``Decimal`` with explicit rounding.

Amounts are yuan per month. Inputs may come from JSON job variables (int, float or str); floats
are converted through ``str`` so that ``0.1`` stays ``0.1``. Rounding is always ROUND_HALF_UP
(四舍五入), the rule used in Chinese public finance, to the quantum given by the caller
(default one fen, ``0.01``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from jiuzhu.policy.errors import PolicyError

FEN = Decimal("0.01")
YUAN = Decimal("1")

MoneyLike = Decimal | int | float | str


def to_money(value: MoneyLike, *, field: str = "金额", allow_negative: bool = False) -> Decimal:
    """Convert ``value`` to a finite ``Decimal``; reject bools, NaN, infinities and (by default) < 0."""
    if isinstance(value, bool):
        raise PolicyError("not_a_number", f"{field}必须是数字，实际为 {value!r}")
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise PolicyError("not_a_number", f"{field}必须是数字，实际为 {value!r}") from None
    if not amount.is_finite():
        raise PolicyError("not_a_number", f"{field}必须是有限数字，实际为 {value!r}")
    if amount < 0 and not allow_negative:
        raise PolicyError("negative_amount", f"{field}不能为负数，实际为 {amount}")
    return amount


def round_money(amount: Decimal, quantum: Decimal = FEN) -> Decimal:
    """Round half up to ``quantum`` (e.g. ``FEN`` or ``YUAN``)."""
    return amount.quantize(quantum, rounding=ROUND_HALF_UP)


def format_yuan(amount: Decimal) -> str:
    """Format for notices: ``¥1,440`` for whole yuan, ``¥300.50`` otherwise."""
    rounded = round_money(amount)
    sign = "-" if rounded < 0 else ""
    rounded = abs(rounded)
    if rounded == rounded.to_integral_value():
        return f"{sign}¥{int(rounded):,}"
    return f"{sign}¥{rounded:,.2f}"
