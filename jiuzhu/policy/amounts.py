"""Benefit amounts: 低保 差额, 单人保, 特困 basic + care, 临时救助 approval routing.

DOMAIN.md, "Amounts": 低保 amount = (standard − per-capita income) × members, plus category add-ons
(elderly, minors, severely disabled, seriously ill) as a share of the standard, and usually a floor.
Example: standard ¥780, 3 members, income ¥900/month → (780 − 300) × 3 = ¥1,440.
"特困": the self-care level sets the care component. "临时救助": the township approves up to a
multiple of the monthly 低保 standard; above it the county decides case by case (一事一议);
急难型 small amounts are paid first (小金额先行救助).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from jiuzhu.policy.categories import MemberCategory, Person
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.income import check_members
from jiuzhu.policy.money import MoneyLike, format_yuan, round_money, to_money
from jiuzhu.policy.profiles import BenefitRules, TemporaryAssistanceRules
from jiuzhu.policy.selfcare import SelfCareLevel


@dataclass(frozen=True)
class AmountLine:
    label: str
    amount: Decimal


@dataclass(frozen=True)
class BenefitAmount:
    monthly: Decimal
    lines: tuple[AmountLine, ...]
    floor_applied: bool = False

    @property
    def explanation(self) -> str:
        parts = "＋".join(f"{line.label} {format_yuan(line.amount)}" for line in self.lines)
        return f"{parts}，合计每月 {format_yuan(self.monthly)}"


def categories_of(person: Person, on: date, rules: BenefitRules) -> frozenset[MemberCategory]:
    """The add-on categories a member falls in on ``on``."""
    age = person.age_on(on)
    found: set[MemberCategory] = set()
    if age >= rules.elderly_age:
        found.add(MemberCategory.ELDERLY)
    if age < rules.minor_age:
        found.add(MemberCategory.MINOR)
    if person.disability is not None and person.disability.severe:
        found.add(MemberCategory.SEVERELY_DISABLED)
    if person.seriously_ill:
        found.add(MemberCategory.SERIOUSLY_ILL)
    return frozenset(found)


def _addon_rate(categories: Iterable[MemberCategory], rules: BenefitRules) -> Decimal:
    rates = [rules.addon_rates.get(MemberCategory(category), Decimal(0)) for category in categories]
    if not rates:
        return Decimal(0)
    return sum(rates, Decimal(0)) if rules.addons_cumulative else max(rates)


def dibao_amount(
    standard: MoneyLike,
    per_capita_income: MoneyLike,
    members: int,
    *,
    rules: BenefitRules,
    member_categories: Sequence[Iterable[MemberCategory]] = (),
) -> BenefitAmount:
    """Monthly 低保 amount for an eligible household.

    ``member_categories`` has one entry per member that earns an add-on (at most ``members``);
    with ``addons_cumulative`` False a member gets only the highest rate. The floor is
    ``floor_rate × standard × members``. Raises ``not_eligible`` if income is not below standard.
    """
    check_members(members)
    limit = to_money(standard, field="低保标准")
    income = to_money(per_capita_income, field="家庭月人均收入")
    if income >= limit:
        raise PolicyError(
            "not_eligible",
            f"家庭月人均收入 {format_yuan(income)} 不低于低保标准 {format_yuan(limit)}，不计发低保金",
        )
    if len(member_categories) > members:
        raise PolicyError("members", f"享受分类加发的人数（{len(member_categories)}）多于家庭成员人数（{members}）")
    quantum = rules.amount_quantum
    gap = (limit - income) * members
    lines = [AmountLine(f"差额（{format_yuan(limit)}−{format_yuan(income)}）×{members}人", round_money(gap, quantum))]
    addons = Decimal(0)
    for index, categories in enumerate(member_categories, start=1):
        cats = sorted({MemberCategory(c) for c in categories})
        rate = _addon_rate(cats, rules)
        if rate > 0:
            addon = limit * rate
            addons += addon
            label = "、".join(cats)
            lines.append(AmountLine(f"分类加发（成员{index}：{label}，标准×{rate}）", round_money(addon, quantum)))
    total = gap + addons
    floor = limit * rules.floor_rate * members
    floor_applied = total < floor
    if floor_applied:
        lines.append(
            AmountLine(f"保底补足（标准×{rules.floor_rate}×{members}人）", round_money(floor - total, quantum))
        )
        total = floor
    return BenefitAmount(round_money(total, quantum), tuple(lines), floor_applied)


def single_person_dibao_amount(
    standard: MoneyLike,
    own_monthly_income: MoneyLike,
    categories: Iterable[MemberCategory],
    *,
    rules: BenefitRules,
) -> BenefitAmount:
    """单人保: the member is treated as a one-person household (DOMAIN.md "Amounts")."""
    return dibao_amount(standard, own_monthly_income, 1, rules=rules, member_categories=[tuple(categories)])


def tekun_amount(basic_standard: MoneyLike, level: SelfCareLevel, *, rules: BenefitRules) -> BenefitAmount:
    """特困: basic livelihood standard + care component by self-care level."""
    basic = to_money(basic_standard, field="特困人员基本生活标准")
    rate = rules.care_rates[SelfCareLevel(level)]
    care = basic * rate
    quantum = rules.amount_quantum
    lines = (
        AmountLine("基本生活费", round_money(basic, quantum)),
        AmountLine(f"照料护理费（{level}，基本生活标准×{rate}）", round_money(care, quantum)),
    )
    return BenefitAmount(round_money(basic + care, quantum), lines)


class ApprovalLevel(enum.StrEnum):
    TOWNSHIP = "乡镇（街道）审批"
    COUNTY_CASE_BY_CASE = "县级一事一议"


@dataclass(frozen=True)
class TemporaryRoute:
    level: ApprovalLevel
    township_limit: Decimal
    pay_first_amount: Decimal  # 急难型: paid at once, paperwork after; 0 otherwise
    reason: str


def route_temporary_assistance(
    amount: MoneyLike,
    monthly_standard: MoneyLike,
    *,
    emergency: bool,
    rules: TemporaryAssistanceRules,
) -> TemporaryRoute:
    """Who approves a 临时救助 amount, and how much may be paid first in an emergency.

    Up to and including ``township_limit_multiple × monthly_standard`` the township approves;
    above it the county decides case by case. 急难型 pays first up to ``emergency_small_amount``.
    """
    requested = to_money(amount, field="救助金额")
    if requested == 0:
        raise PolicyError("zero_amount", "临时救助金额必须大于0")
    limit = round_money(to_money(monthly_standard, field="低保标准") * rules.township_limit_multiple)
    pay_first = min(requested, rules.emergency_small_amount) if emergency else Decimal(0)
    if requested <= limit:
        level = ApprovalLevel.TOWNSHIP
        reason = f"救助金额 {format_yuan(requested)} 未超过乡镇审批限额 {format_yuan(limit)}"
    else:
        level = ApprovalLevel.COUNTY_CASE_BY_CASE
        reason = f"救助金额 {format_yuan(requested)} 超过乡镇审批限额 {format_yuan(limit)}，报县级一事一议"
    if pay_first > 0:
        reason += f"；先行救助 {format_yuan(pay_first)}，事后补充说明"
    return TemporaryRoute(level, limit, pay_first, reason)
