"""Household monthly income per capita (家庭月人均收入).

DOMAIN.md, "Amounts": income excludes listed items — 优抚金, scholarships, social-assistance
payments, and the basic pension (城乡居民基础养老金) during the 14th Five-Year Plan (the window is
profile data, ``IncomeRules.basic_pension_excluded_from/until``); rigid medical and disability
spending may be deducted.

Rules applied here (documented in docs/policy.md):
* Every amount is ≥ 0. A business loss is entered as 0: a loss does not reduce other income.
* An amount covering several months (e.g. a year's harvest) is spread evenly: amount / months.
* Net income = counted income − deductible rigid spending, never below 0.
* Per capita = net income / members, rounded half up to the fen; totals are rounded to the fen
  for display, but the per-capita figure is computed from unrounded sums.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.money import MoneyLike, round_money, to_money
from jiuzhu.policy.profiles import IncomeRules


class IncomeKind(enum.StrEnum):
    WAGES = "wages"
    BUSINESS = "business"
    PROPERTY = "property"
    TRANSFER = "transfer"  # pensions other than the basic pension, support payments (赡养费), ...
    BASIC_PENSION = "basic_pension"
    PREFERENTIAL_TREATMENT = "preferential_treatment"  # 优抚金
    SCHOLARSHIP = "scholarship"  # 奖学金、助学金
    SOCIAL_ASSISTANCE = "social_assistance"  # 低保金、特困供养金、临时救助金 ...

    @property
    def label(self) -> str:
        return _INCOME_LABELS[self]


_INCOME_LABELS = {
    IncomeKind.WAGES: "工资性收入",
    IncomeKind.BUSINESS: "经营净收入",
    IncomeKind.PROPERTY: "财产净收入",
    IncomeKind.TRANSFER: "转移净收入",
    IncomeKind.BASIC_PENSION: "城乡居民基础养老金",
    IncomeKind.PREFERENTIAL_TREATMENT: "优抚金",
    IncomeKind.SCHOLARSHIP: "奖学金、助学金",
    IncomeKind.SOCIAL_ASSISTANCE: "社会救助金",
}

_ALWAYS_EXCLUDED = frozenset({IncomeKind.PREFERENTIAL_TREATMENT, IncomeKind.SCHOLARSHIP, IncomeKind.SOCIAL_ASSISTANCE})


class SpendingKind(enum.StrEnum):
    MEDICAL = "medical"  # 自付医疗费用
    DISABILITY = "disability"  # 残疾康复、护理等刚性支出

    @property
    def label(self) -> str:
        return "自付医疗费用" if self is SpendingKind.MEDICAL else "残疾康复护理支出"


@dataclass(frozen=True)
class IncomeItem:
    kind: IncomeKind
    amount: Decimal
    period_months: int = 1
    note: str = ""

    @classmethod
    def of(cls, kind: IncomeKind | str, amount: MoneyLike, period_months: int = 1, note: str = "") -> IncomeItem:
        """Build from loose input (strings, floats from JSON), validating everything."""
        try:
            income_kind = IncomeKind(kind)
        except ValueError:
            raise PolicyError("unknown_income_kind", f"未知的收入类别：{kind!r}") from None
        item = cls(income_kind, to_money(amount, field=income_kind.label), period_months, note)
        _check_period(item.period_months)
        return item

    @property
    def monthly(self) -> Decimal:
        return self.amount / self.period_months


@dataclass(frozen=True)
class RigidSpending:
    kind: SpendingKind
    amount: Decimal
    period_months: int = 1

    @classmethod
    def of(cls, kind: SpendingKind | str, amount: MoneyLike, period_months: int = 1) -> RigidSpending:
        try:
            spending_kind = SpendingKind(kind)
        except ValueError:
            raise PolicyError("unknown_spending_kind", f"未知的支出类别：{kind!r}") from None
        spending = cls(spending_kind, to_money(amount, field=spending_kind.label), period_months)
        _check_period(spending.period_months)
        return spending

    @property
    def monthly(self) -> Decimal:
        return self.amount / self.period_months


@dataclass(frozen=True)
class IncomeLine:
    kind: IncomeKind
    monthly: Decimal  # rounded to the fen, for display
    counted: bool
    reason: str


@dataclass(frozen=True)
class IncomeAssessment:
    on: date
    members: int
    lines: tuple[IncomeLine, ...]
    counted_monthly: Decimal
    excluded_monthly: Decimal
    deductions_monthly: Decimal
    net_monthly: Decimal
    per_capita: Decimal


def _check_period(months: int) -> None:
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise PolicyError("period_months", f"收入或支出的计算月数必须为正整数，实际为 {months!r}")


def check_members(members: int) -> int:
    if isinstance(members, bool) or not isinstance(members, int):
        raise PolicyError("members", f"家庭成员人数必须为整数，实际为 {members!r}")
    if members < 1:
        raise PolicyError("members", f"家庭成员人数至少为1人，实际为 {members}")
    return members


def is_counted(kind: IncomeKind, on: date, rules: IncomeRules) -> tuple[bool, str]:
    """Whether an income kind counts on ``on``, and why (quoted in the per-item findings)."""
    if kind in _ALWAYS_EXCLUDED:
        return False, f"{kind.label}不计入家庭收入"
    if kind is IncomeKind.BASIC_PENSION:
        start, until = rules.basic_pension_excluded_from, rules.basic_pension_excluded_until
        if start is not None and until is not None and start <= on <= until:
            return False, f"{kind.label}在{start.year}—{until.year}年间不计入家庭收入"
    return True, f"{kind.label}计入家庭收入"


def assess_income(
    members: int,
    items: Iterable[IncomeItem],
    spending: Iterable[RigidSpending] = (),
    *,
    on: date,
    rules: IncomeRules,
) -> IncomeAssessment:
    """Per-capita monthly income of a household of ``members`` people, assessed on ``on``."""
    check_members(members)
    counted = excluded = deductions = Decimal(0)
    lines: list[IncomeLine] = []
    for item in items:
        to_money(item.amount, field=item.kind.label)  # rejects negative amounts built directly
        _check_period(item.period_months)
        is_in, reason = is_counted(item.kind, on, rules)
        if is_in:
            counted += item.monthly
        else:
            excluded += item.monthly
        lines.append(IncomeLine(item.kind, round_money(item.monthly), is_in, reason))
    for cost in spending:
        to_money(cost.amount, field=cost.kind.label)
        _check_period(cost.period_months)
        if rules.rigid_spending_deductible:
            deductions += cost.monthly
    net = max(counted - deductions, Decimal(0))
    return IncomeAssessment(
        on=on,
        members=members,
        lines=tuple(lines),
        counted_monthly=round_money(counted),
        excluded_monthly=round_money(excluded),
        deductions_monthly=round_money(deductions),
        net_monthly=round_money(net),
        per_capita=round_money(net / members),
    )
