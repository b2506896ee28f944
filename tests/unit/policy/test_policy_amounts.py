"""Benefit amounts, DOMAIN.md "Amounts", "特困", "临时救助"."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.policy.amounts import (
    ApprovalLevel,
    categories_of,
    dibao_amount,
    route_temporary_assistance,
    single_person_dibao_amount,
    tekun_amount,
)
from jiuzhu.policy.categories import Disability, DisabilityKind, MemberCategory, Person
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.money import YUAN, format_yuan
from jiuzhu.policy.profiles import get_profile
from jiuzhu.policy.selfcare import SelfCareLevel

pytestmark = pytest.mark.unit

RULES = get_profile("county").benefits_on(date(2026, 12, 1))
D = Decimal
E, M, S, ILL = (
    MemberCategory.ELDERLY,
    MemberCategory.MINOR,
    MemberCategory.SEVERELY_DISABLED,
    MemberCategory.SERIOUSLY_ILL,
)


@pytest.mark.parametrize(
    ("standard", "per_capita", "members", "categories", "expected", "floor_applied"),
    [
        # DOMAIN.md: standard ¥780, 3 members, ¥900/month → (780 − 300) × 3 = ¥1,440.
        ("780", "300", 3, [], "1440.00", False),
        ("780", "0", 1, [], "780.00", False),
        ("780", "0", 5, [], "3900.00", False),
        ("755", "400.50", 2, [], "709.00", False),
        # Add-ons: +20% elderly / minor, +30% severely disabled / seriously ill, highest per member.
        ("780", "300", 3, [[E]], "1596.00", False),  # + 156
        ("780", "300", 3, [[S]], "1674.00", False),  # + 234
        ("780", "300", 3, [[E, S]], "1674.00", False),  # not cumulative: the highest only
        ("780", "300", 3, [[E], [M], [ILL]], "1986.00", False),  # + 156 + 156 + 234
        ("780", "300", 3, [[], [], []], "1440.00", False),
        # Floor: 10% of the standard per member (¥78 each) when the gap is tiny.
        ("780", "779.99", 1, [], "78.00", True),
        ("780", "779.99", 4, [], "312.00", True),
        ("780", "702", 1, [], "78.00", False),  # exactly the floor: no top-up needed
        ("780", "702.01", 1, [], "78.00", True),
        ("780", "779.99", 1, [[E]], "156.01", False),  # add-on lifts it above the floor
        ("725", "0.005", 1, [], "725.00", False),  # rounding half up to the fen
    ],
)
def test_dibao_amount(
    standard: str,
    per_capita: str,
    members: int,
    categories: list[list[MemberCategory]],
    expected: str,
    floor_applied: bool,
) -> None:
    result = dibao_amount(standard, per_capita, members, rules=RULES, member_categories=categories)
    assert result.monthly == D(expected)
    assert result.floor_applied is floor_applied
    assert result.monthly == D(expected).quantize(D("0.01"))


def test_domain_example_explanation() -> None:
    result = dibao_amount("780", "300", 3, rules=RULES)
    assert format_yuan(result.monthly) == "¥1,440"
    assert result.explanation == "差额（¥780−¥300）×3人 ¥1,440，合计每月 ¥1,440"


def test_cumulative_addons_when_configured() -> None:
    cumulative = dataclasses.replace(RULES, addons_cumulative=True)
    result = dibao_amount("780", "300", 3, rules=cumulative, member_categories=[[E, S]])
    assert result.monthly == D("1830.00")  # 1440 + 156 + 234


def test_yuan_rounding_when_configured() -> None:
    whole = dataclasses.replace(RULES, amount_quantum=YUAN)
    assert dibao_amount("780", "333.33", 3, rules=whole).monthly == D("1340")  # 1340.01 → 1340
    assert dibao_amount("780", "333.17", 3, rules=whole).monthly == D("1340")  # 1340.49 → 1340
    assert dibao_amount("780", "333.16", 3, rules=whole).monthly == D("1341")  # 1340.52 → 1341


@pytest.mark.parametrize(
    ("per_capita", "members", "categories", "code"),
    [
        ("780", 3, [], "not_eligible"),  # equal to the standard: no 低保
        ("900", 3, [], "not_eligible"),
        ("300", 0, [], "members"),
        ("300", 1, [[E], [M]], "members"),  # more add-on members than members
        ("-1", 1, [], "negative_amount"),
    ],
)
def test_dibao_amount_errors(per_capita: str, members: int, categories: list[list[MemberCategory]], code: str) -> None:
    with pytest.raises(PolicyError) as caught:
        dibao_amount("780", per_capita, members, rules=RULES, member_categories=categories)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (Person(date(1966, 11, 27)), {E}),
        (Person(date(1966, 11, 28)), set()),
        (Person(date(2008, 11, 28)), {M}),  # 17
        (Person(date(2008, 11, 27)), set()),  # 18 today
        (Person(date(1950, 1, 1), Disability(DisabilityKind.PHYSICAL, 2), seriously_ill=True), {E, S, ILL}),
        (Person(date(1990, 1, 1), Disability(DisabilityKind.PHYSICAL, 3)), set()),  # grade 3: not severe
    ],
)
def test_categories_of(person: Person, expected: set[MemberCategory]) -> None:
    assert categories_of(person, date(2026, 11, 27), RULES) == frozenset(expected)


def test_disability_grade_is_checked() -> None:
    with pytest.raises(PolicyError) as caught:
        Disability(DisabilityKind.PHYSICAL, 5)
    assert caught.value.code == "disability_grade"


@pytest.mark.parametrize(
    ("own_income", "categories", "expected"),
    [
        ("0", [S], "1014.00"),  # 780 + 30%
        ("100", [ILL], "914.00"),
        ("0", [], "780.00"),
    ],
)
def test_single_person_dibao_amount(own_income: str, categories: list[MemberCategory], expected: str) -> None:
    assert single_person_dibao_amount("780", own_income, categories, rules=RULES).monthly == D(expected)


@pytest.mark.parametrize(
    ("basic", "level", "expected", "care"),
    [
        ("1295", SelfCareLevel.ABLE, "1424.50", "129.50"),
        ("1295", SelfCareLevel.PARTLY_LOST, "1683.50", "388.50"),
        ("1295", SelfCareLevel.FULLY_LOST, "2072.00", "777.00"),
        ("1450", SelfCareLevel.FULLY_LOST, "2320.00", "870.00"),
        ("982", SelfCareLevel.PARTLY_LOST, "1276.60", "294.60"),
    ],
)
def test_tekun_amount(basic: str, level: SelfCareLevel, expected: str, care: str) -> None:
    result = tekun_amount(basic, level, rules=RULES)
    assert result.monthly == D(expected)
    assert [line.amount for line in result.lines] == [D(basic).quantize(D("0.01")), D(care)]


TEMP = get_profile("county").temporary_on(date(2026, 12, 1))


@pytest.mark.parametrize(
    ("amount", "standard", "emergency", "level", "limit", "pay_first"),
    [
        ("3120", "780", False, ApprovalLevel.TOWNSHIP, "3120.00", "0"),  # exactly 4 × 780
        ("3120.01", "780", False, ApprovalLevel.COUNTY_CASE_BY_CASE, "3120.00", "0"),
        ("500", "780", True, ApprovalLevel.TOWNSHIP, "3120.00", "500"),
        ("2000", "780", True, ApprovalLevel.TOWNSHIP, "3120.00", "2000"),
        ("2500", "780", True, ApprovalLevel.TOWNSHIP, "3120.00", "2000"),  # pay ¥2,000 first, rest after
        ("10000", "755", True, ApprovalLevel.COUNTY_CASE_BY_CASE, "3020.00", "2000"),
    ],
)
def test_route_temporary_assistance(
    amount: str, standard: str, emergency: bool, level: ApprovalLevel, limit: str, pay_first: str
) -> None:
    route = route_temporary_assistance(amount, standard, emergency=emergency, rules=TEMP)
    assert route.level is level
    assert route.township_limit == D(limit)
    assert route.pay_first_amount == D(pay_first)


def test_route_reason_texts() -> None:
    route = route_temporary_assistance("10000", "780", emergency=True, rules=TEMP)
    assert route.reason == ("救助金额 ¥10,000 超过乡镇审批限额 ¥3,120，报县级一事一议；先行救助 ¥2,000，事后补充说明")


def test_national_profile_township_limit_is_ten_times() -> None:
    rules = get_profile("national").temporary_on(date(2026, 12, 1))
    route = route_temporary_assistance("7250", "725", emergency=False, rules=rules)
    assert route.level is ApprovalLevel.TOWNSHIP
    assert route.township_limit == D("7250.00")


@pytest.mark.parametrize(("amount", "code"), [("0", "zero_amount"), ("-5", "negative_amount")])
def test_route_errors(amount: str, code: str) -> None:
    with pytest.raises(PolicyError) as caught:
        route_temporary_assistance(amount, "780", emergency=False, rules=TEMP)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("value", "text"),
    [("1440", "¥1,440"), ("300.5", "¥300.50"), ("0", "¥0"), ("1234567.891", "¥1,234,567.89"), ("-3", "-¥3")],
)
def test_format_yuan(value: str, text: str) -> None:
    assert format_yuan(D(value)) == text
