"""Eligibility and its reasons, DOMAIN.md "Amounts", "特困", "临时救助"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.policy.categories import Disability, DisabilityKind, Person
from jiuzhu.policy.eligibility import (
    EmergencyCause,
    Programme,
    assess_dibao,
    assess_emergency,
    assess_expenditure,
    assess_near_poor,
    assess_single_person_dibao,
    assess_tekun,
    incapacity_reason,
)
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.income import IncomeAssessment, IncomeItem, assess_income
from jiuzhu.policy.profiles import get_profile

pytestmark = pytest.mark.unit

PROFILE = get_profile("county")
ON = date(2026, 11, 27)
STANDARD = Decimal("780")


def household(total: str, members: int = 1) -> IncomeAssessment:
    return assess_income(members, [IncomeItem.of("wages", total)], on=ON, rules=PROFILE.income)


@pytest.mark.parametrize(
    ("total", "members", "property_ok", "eligible", "message"),
    [
        ("900", 3, True, True, "核对显示家庭月人均收入 ¥300，低于当地低保标准 ¥780"),
        ("779.99", 1, True, True, "核对显示家庭月人均收入 ¥779.99，低于当地低保标准 ¥780"),
        ("780", 1, True, False, "核对显示家庭月人均收入 ¥780，等于当地低保标准 ¥780"),
        ("780.01", 1, True, False, "核对显示家庭月人均收入 ¥780.01，高于当地低保标准 ¥780"),
        ("2700", 3, True, False, "核对显示家庭月人均收入 ¥900，高于当地低保标准 ¥780"),
        ("0", 2, True, True, "核对显示家庭月人均收入 ¥0，低于当地低保标准 ¥780"),
        ("900", 3, False, False, "核对显示家庭财产状况超出当地规定"),
        # per capita 2339.99 / 3 = 779.996… rounds to 780.00: not below the standard.
        ("2339.99", 3, True, False, "等于当地低保标准 ¥780"),
        ("2339.97", 3, True, True, "¥779.99，低于当地低保标准"),
    ],
)
def test_dibao(total: str, members: int, property_ok: bool, eligible: bool, message: str) -> None:
    result = assess_dibao(household(total, members), STANDARD, property_within_limits=property_ok)
    assert result.programme is Programme.DIBAO
    assert result.eligible is eligible
    assert any(message in reason.message for reason in result.reasons)
    if not eligible:
        assert message in result.summary
        assert result.failed


def test_dibao_rejection_quotes_exactly_the_notice_sentence() -> None:
    result = assess_dibao(household("2700", 3), 780, property_within_limits=True)
    assert [reason.message for reason in result.failed] == ["核对显示家庭月人均收入 ¥900，高于当地低保标准 ¥780"]
    assert result.failed[0].code == "income_not_below"


@pytest.mark.parametrize(
    ("per_capita", "property_ok", "eligible", "code"),
    [
        ("779.99", True, False, "income_below_dibao"),  # that is 低保, not 边缘
        ("780", True, True, None),
        ("1000", True, True, None),
        ("1169.99", True, True, None),
        ("1170", True, False, "edge_not_below"),  # 1.5 × 780 = 1170
        ("1500", True, False, "edge_not_below"),
        ("900", False, False, "property_over_limits"),
    ],
)
def test_near_poor(per_capita: str, property_ok: bool, eligible: bool, code: str | None) -> None:
    result = assess_near_poor(household(per_capita), STANDARD, property_within_limits=property_ok, rules=PROFILE.income)
    assert result.programme is Programme.NEAR_POOR
    assert result.eligible is eligible
    assert [r.code for r in result.failed] == ([] if code is None else [code])


def test_near_poor_message_names_the_edge() -> None:
    result = assess_near_poor(household("1200"), STANDARD, property_within_limits=True, rules=PROFILE.income)
    assert "核对显示家庭月人均收入 ¥1,200，高于低保边缘标准（低保标准的1.5倍） ¥1,170" in result.summary


PHYS1 = Disability(DisabilityKind.PHYSICAL, 1)


@pytest.mark.parametrize(
    ("person", "met", "code"),
    [
        (Person(date(1966, 11, 27)), True, "no_work_capacity_age"),  # 60 today
        (Person(date(1966, 11, 28)), False, "has_work_capacity"),  # 59
        (Person(date(2010, 11, 28)), True, "no_work_capacity_minor"),  # 15
        (Person(date(2010, 11, 27)), False, "has_work_capacity"),  # 16 today
        (
            Person(date(1980, 1, 1), Disability(DisabilityKind.INTELLECTUAL, 3)),
            True,
            "no_work_capacity_disability",
        ),
        (Person(date(1980, 1, 1), Disability(DisabilityKind.MENTAL, 2)), True, "no_work_capacity_disability"),
        (
            Person(date(1980, 1, 1), Disability(DisabilityKind.PHYSICAL, 2)),
            True,
            "no_work_capacity_disability",
        ),
        (Person(date(1980, 1, 1), Disability(DisabilityKind.PHYSICAL, 3)), False, "has_work_capacity"),
        (Person(date(1980, 1, 1), Disability(DisabilityKind.VISUAL, 1)), True, "no_work_capacity_disability"),
        (Person(date(1980, 1, 1), Disability(DisabilityKind.VISUAL, 2)), False, "has_work_capacity"),
        (Person(date(1980, 1, 1), Disability(DisabilityKind.HEARING, 1)), False, "has_work_capacity"),
    ],
)
def test_incapacity(person: Person, met: bool, code: str) -> None:
    reason = incapacity_reason(person, ON, PROFILE.tekun)
    assert reason.met is met
    assert reason.code == code


def test_incapacity_rejects_birth_after_assessment() -> None:
    with pytest.raises(PolicyError) as caught:
        incapacity_reason(Person(date(2027, 1, 1)), ON, PROFILE.tekun)
    assert caught.value.code == "birth_future"


@pytest.mark.parametrize(
    ("person", "income", "property_ok", "supporter_able", "eligible", "failed"),
    [
        (Person(date(1950, 5, 1)), "300", True, False, True, []),
        (Person(date(1950, 5, 1)), "780", True, False, False, ["income_not_below"]),
        (Person(date(1950, 5, 1)), "300", False, False, False, ["property_over_limits"]),
        (Person(date(1950, 5, 1)), "300", True, True, False, ["has_able_supporter"]),
        (Person(date(1980, 5, 1)), "300", True, False, False, ["has_work_capacity"]),
        (Person(date(1980, 5, 1), PHYS1), "0", True, False, True, []),
        (
            Person(date(1980, 5, 1)),
            "900",
            False,
            True,
            False,
            ["has_work_capacity", "income_not_below", "property_over_limits", "has_able_supporter"],
        ),
    ],
)
def test_tekun(
    person: Person, income: str, property_ok: bool, supporter_able: bool, eligible: bool, failed: list[str]
) -> None:
    result = assess_tekun(
        person,
        household(income),
        STANDARD,
        on=ON,
        property_within_limits=property_ok,
        legal_supporter_able=supporter_able,
        rules=PROFILE.tekun,
    )
    assert result.programme is Programme.TEKUN
    assert result.eligible is eligible
    assert [r.code for r in result.failed] == failed
    assert len(result.reasons) == 4


@pytest.mark.parametrize(
    ("cause", "difficulty", "eligible", "fragment"),
    [
        (EmergencyCause.FIRE, True, True, "因火灾导致基本生活暂时出现严重困难"),
        ("意外事故", True, True, "因意外事故"),
        (EmergencyCause.SERIOUS_ILLNESS, False, False, "基本生活未出现严重困难"),
    ],
)
def test_emergency(cause: str, difficulty: bool, eligible: bool, fragment: str) -> None:
    result = assess_emergency(cause, basic_living_in_severe_difficulty=difficulty)
    assert result.programme is Programme.TEMPORARY_EMERGENCY
    assert result.eligible is eligible
    assert fragment in result.summary


def test_emergency_unknown_cause() -> None:
    with pytest.raises(PolicyError) as caught:
        assess_emergency("lottery", basic_living_in_severe_difficulty=True)
    assert caught.value.code == "unknown_cause"


@pytest.mark.parametrize(
    ("total", "members", "spending", "months", "eligible", "fragment"),
    [
        # ¥3,000 income, ¥24,000 medical bills over 12 months → ¥1,000/month left, ¥333.33 each.
        (
            "3000",
            3,
            "24000",
            12,
            True,
            "家庭必需支出月均 ¥2,000，扣除后家庭月人均收入 ¥333.33，低于当地低保标准 ¥780",
        ),
        ("3000", 3, "0", 12, False, "¥1,000，高于当地低保标准"),
        ("3000", 3, "7920", 12, False, "¥780，等于当地低保标准"),  # (3000 − 660) / 3 = 780
        ("3000", 3, "7920.12", 12, False, "¥780，等于"),  # 779.9966… rounds to 780
        ("3000", 3, "7920.24", 12, True, "¥779.99，低于"),
        ("1000", 1, "50000", 12, True, "¥0，低于"),  # spending beyond income never goes negative
    ],
)
def test_expenditure(total: str, members: int, spending: str, months: int, eligible: bool, fragment: str) -> None:
    result = assess_expenditure(household(total, members), spending, months=months, standard=STANDARD)
    assert result.programme is Programme.TEMPORARY_EXPENDITURE
    assert result.eligible is eligible
    assert fragment in result.summary


@pytest.mark.parametrize("months", [0, -1, True])
def test_expenditure_months(months: int) -> None:
    with pytest.raises(PolicyError):
        assess_expenditure(household("100"), "100", months=months, standard=STANDARD)


@pytest.mark.parametrize(
    ("person", "near_poor_income", "eligible", "failed"),
    [
        (Person(date(1980, 1, 1), Disability(DisabilityKind.PHYSICAL, 1)), "1000", True, []),
        (Person(date(1980, 1, 1), seriously_ill=True), "1000", True, []),
        (Person(date(1980, 1, 1), Disability(DisabilityKind.PHYSICAL, 3)), "1000", False, ["not_severe"]),
        (Person(date(1980, 1, 1), seriously_ill=True), "2000", False, ["household_not_near_poor"]),
    ],
)
def test_single_person_dibao(person: Person, near_poor_income: str, eligible: bool, failed: list[str]) -> None:
    near_poor = assess_near_poor(
        household(near_poor_income), STANDARD, property_within_limits=True, rules=PROFILE.income
    )
    result = assess_single_person_dibao(person, household_near_poor=near_poor)
    assert result.eligible is eligible
    assert [r.code for r in result.failed] == failed


def test_single_person_needs_a_near_poor_assessment() -> None:
    dibao = assess_dibao(household("100"), STANDARD, property_within_limits=True)
    with pytest.raises(PolicyError):
        assess_single_person_dibao(Person(date(1980, 1, 1), seriously_ill=True), household_near_poor=dibao)


def test_standard_must_be_money() -> None:
    with pytest.raises(PolicyError) as caught:
        assess_dibao(household("100"), "abc", property_within_limits=True)
    assert caught.value.code == "not_a_number"
