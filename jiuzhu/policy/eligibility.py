"""Eligibility for 低保, 低保边缘, 特困 and 临时救助, with the reasons a notice quotes.

DOMAIN.md, "Amounts": 低保 needs household monthly per-capita income *below* the local standard
and property within limits; 低保边缘 is income below 1.5× the standard. "特困": no capacity to
work (≥60, <16, or listed disability grades), no livelihood (income below the 低保 standard,
property within the local rule) and no legal supporter able to support. "临时救助": 急难型 for a
sudden event, 支出型 for essential spending beyond what the household can bear.

Every result lists reasons for the conditions checked, met or not, so a written notice (书面告知书)
can quote the facts, e.g. "核对显示家庭月人均收入 ¥900，高于当地低保标准 ¥780".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from jiuzhu.policy.categories import Person
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.income import IncomeAssessment
from jiuzhu.policy.money import MoneyLike, format_yuan, round_money, to_money
from jiuzhu.policy.profiles import IncomeRules, TekunRules


class Programme(enum.StrEnum):
    DIBAO = "低保"
    NEAR_POOR = "低保边缘"
    TEKUN = "特困"
    TEMPORARY_EMERGENCY = "急难型临时救助"
    TEMPORARY_EXPENDITURE = "支出型临时救助"


class EmergencyCause(enum.StrEnum):
    ACCIDENT = "意外事故"
    FIRE = "火灾"
    SERIOUS_ILLNESS = "突发重大疾病"
    NATURAL_DISASTER = "自然灾害"
    OTHER = "其他突发事件"


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    met: bool  # True: this condition is satisfied


@dataclass(frozen=True)
class EligibilityResult:
    programme: Programme
    eligible: bool
    reasons: tuple[Reason, ...]

    @property
    def failed(self) -> tuple[Reason, ...]:
        """The unmet conditions: what a rejection notice quotes."""
        return tuple(reason for reason in self.reasons if not reason.met)

    @property
    def summary(self) -> str:
        return "；".join(reason.message for reason in (self.failed or self.reasons))


def _compare_word(value: Decimal, limit: Decimal) -> str:
    if value > limit:
        return "高于"
    return "等于" if value == limit else "低于"


def _income_reason(per_capita: Decimal, limit: Decimal, label: str, code: str) -> Reason:
    met = per_capita < limit
    word = _compare_word(per_capita, limit)
    return Reason(
        f"{code}_below" if met else f"{code}_not_below",
        f"核对显示家庭月人均收入 {format_yuan(per_capita)}，{word}{label} {format_yuan(limit)}",
        met,
    )


def _property_reason(within: bool) -> Reason:
    if within:
        return Reason("property_within_limits", "核对显示家庭财产状况符合当地规定", True)
    return Reason("property_over_limits", "核对显示家庭财产状况超出当地规定", False)


def assess_dibao(income: IncomeAssessment, standard: MoneyLike, *, property_within_limits: bool) -> EligibilityResult:
    """低保: per-capita income strictly below ``standard`` and property within limits."""
    limit = to_money(standard, field="低保标准")
    reasons = (
        _income_reason(income.per_capita, limit, "当地低保标准", "income"),
        _property_reason(property_within_limits),
    )
    return EligibilityResult(Programme.DIBAO, all(r.met for r in reasons), reasons)


def assess_near_poor(
    income: IncomeAssessment, standard: MoneyLike, *, property_within_limits: bool, rules: IncomeRules
) -> EligibilityResult:
    """低保边缘: not below the 低保 standard (else it is 低保) but below multiple × standard."""
    limit = to_money(standard, field="低保标准")
    edge = round_money(limit * rules.near_poor_multiple)
    above_dibao = income.per_capita >= limit
    reasons = (
        Reason(
            "income_not_below_dibao" if above_dibao else "income_below_dibao",
            f"家庭月人均收入 {format_yuan(income.per_capita)}，{_compare_word(income.per_capita, limit)}"
            f"当地低保标准 {format_yuan(limit)}" + ("" if above_dibao else "，应按低保审核"),
            above_dibao,
        ),
        _income_reason(income.per_capita, edge, f"低保边缘标准（低保标准的{rules.near_poor_multiple}倍）", "edge"),
        _property_reason(property_within_limits),
    )
    return EligibilityResult(Programme.NEAR_POOR, all(r.met for r in reasons), reasons)


def incapacity_reason(person: Person, on: date, rules: TekunRules) -> Reason:
    """特困人员认定办法 Art. 6: no capacity to work by age or by a listed disability grade."""
    age = person.age_on(on)
    if age < 0:
        raise PolicyError("birth_future", f"出生日期 {person.birth_date.isoformat()} 晚于评估日期 {on.isoformat()}")
    if age >= rules.elderly_age:
        return Reason("no_work_capacity_age", f"年满{rules.elderly_age}周岁（{age}周岁），无劳动能力", True)
    if age < rules.minor_age:
        return Reason("no_work_capacity_minor", f"未满{rules.minor_age}周岁（{age}周岁），无劳动能力", True)
    disability = person.disability
    if disability is not None and disability.grade in rules.incapacity_disability_grades.get(
        disability.kind, frozenset()
    ):
        return Reason(
            "no_work_capacity_disability",
            f"{disability.kind}残疾{disability.grade}级，属于无劳动能力的残疾等级",
            True,
        )
    return Reason(
        "has_work_capacity",
        f"{age}周岁，且无规定等级的残疾，不属于无劳动能力人员",
        False,
    )


def assess_tekun(
    person: Person,
    income: IncomeAssessment,
    dibao_standard: MoneyLike,
    *,
    on: date,
    property_within_limits: bool,
    legal_supporter_able: bool,
    rules: TekunRules,
) -> EligibilityResult:
    """特困: all three of incapacity, no livelihood and no able legal supporter."""
    limit = to_money(dibao_standard, field="低保标准")
    supporter = (
        Reason("has_able_supporter", "有具备赡养、抚养、扶养能力的法定义务人", False)
        if legal_supporter_able
        else Reason("no_able_supporter", "无法定赡养、抚养、扶养义务人，或其义务人无履行义务能力", True)
    )
    reasons = (
        incapacity_reason(person, on, rules),
        _income_reason(income.per_capita, limit, "当地低保标准", "income"),
        _property_reason(property_within_limits),
        supporter,
    )
    return EligibilityResult(Programme.TEKUN, all(r.met for r in reasons), reasons)


def assess_emergency(cause: EmergencyCause | str, *, basic_living_in_severe_difficulty: bool) -> EligibilityResult:
    """急难型临时救助: a sudden event leaving basic living in severe difficulty; help at once."""
    try:
        event = EmergencyCause(cause)
    except ValueError:
        raise PolicyError("unknown_cause", f"未知的急难事由：{cause!r}") from None
    reason = (
        Reason("emergency", f"因{event}导致基本生活暂时出现严重困难，需立即先行救助", True)
        if basic_living_in_severe_difficulty
        else Reason("no_severe_difficulty", f"虽发生{event}，但基本生活未出现严重困难", False)
    )
    return EligibilityResult(Programme.TEMPORARY_EMERGENCY, reason.met, (reason,))


def assess_expenditure(
    income: IncomeAssessment,
    essential_spending: MoneyLike,
    *,
    months: int,
    standard: MoneyLike,
) -> EligibilityResult:
    """支出型临时救助: essential spending (medical, education, ...) beyond what the household bears.

    Local practice applied here: the household qualifies when its monthly income minus the
    monthly average of that spending (total over ``months``) leaves per-capita income below the
    低保 standard. Pass an ``income`` assessed *without* deducting the same spending again.
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise PolicyError("period_months", f"支出计算月数必须为正整数，实际为 {months!r}")
    limit = to_money(standard, field="低保标准")
    monthly_spending = to_money(essential_spending, field="必需支出") / months
    remaining = max(income.net_monthly - monthly_spending, Decimal(0))
    per_capita = round_money(remaining / income.members)
    met = per_capita < limit
    reason = Reason(
        "expenditure_exceeds_capacity" if met else "expenditure_within_capacity",
        f"家庭必需支出月均 {format_yuan(monthly_spending)}，扣除后家庭月人均收入 {format_yuan(per_capita)}，"
        f"{_compare_word(per_capita, limit)}当地低保标准 {format_yuan(limit)}",
        met,
    )
    return EligibilityResult(Programme.TEMPORARY_EXPENDITURE, met, (reason,))


def assess_single_person_dibao(person: Person, *, household_near_poor: EligibilityResult) -> EligibilityResult:
    """单人保: a severely disabled or seriously ill member of a 低保边缘 household (DOMAIN.md)."""
    if household_near_poor.programme is not Programme.NEAR_POOR:
        raise PolicyError("wrong_programme", "单人保需要先按低保边缘家庭评估")
    severe = person.disability is not None and person.disability.severe
    household = Reason(
        "household_near_poor" if household_near_poor.eligible else "household_not_near_poor",
        "家庭属于低保边缘家庭" if household_near_poor.eligible else "家庭不属于低保边缘家庭",
        household_near_poor.eligible,
    )
    if severe and person.disability is not None:
        member = Reason(
            "severely_disabled",
            f"本人为重度残疾人（{person.disability.kind}残疾{person.disability.grade}级）",
            True,
        )
    elif person.seriously_ill:
        member = Reason("seriously_ill", "本人为重病患者", True)
    else:
        member = Reason("not_severe", "本人不是重度残疾人或重病患者", False)
    reasons = (household, member)
    return EligibilityResult(Programme.DIBAO, all(r.met for r in reasons), reasons)
