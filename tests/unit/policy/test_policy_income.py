"""Household income per capita, DOMAIN.md "Amounts"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.income import (
    IncomeItem,
    IncomeKind,
    RigidSpending,
    SpendingKind,
    assess_income,
    is_counted,
)
from jiuzhu.policy.profiles import get_profile

pytestmark = pytest.mark.unit

RULES = get_profile("county").income
ON = date(2026, 11, 27)
D = Decimal


def item(kind: IncomeKind, amount: str, months: int = 1) -> IncomeItem:
    return IncomeItem.of(kind, amount, months)


@pytest.mark.parametrize(
    ("members", "items", "spending", "counted", "excluded", "deductions", "net", "per_capita"),
    [
        # DOMAIN.md example: ¥900 a month for 3 people → ¥300 per person.
        (3, [item(IncomeKind.WAGES, "900")], [], "900.00", "0.00", "0.00", "900.00", "300.00"),
        (1, [], [], "0.00", "0.00", "0.00", "0.00", "0.00"),
        (3, [item(IncomeKind.WAGES, "1000")], [], "1000.00", "0.00", "0.00", "1000.00", "333.33"),
        (3, [item(IncomeKind.WAGES, "1001")], [], "1001.00", "0.00", "0.00", "1001.00", "333.67"),
        (2, [item(IncomeKind.WAGES, "0.01")], [], "0.01", "0.00", "0.00", "0.01", "0.01"),  # half up
        # A year's harvest spread over 12 months.
        (2, [item(IncomeKind.BUSINESS, "12000", 12)], [], "1000.00", "0.00", "0.00", "1000.00", "500.00"),
        (
            4,
            [
                item(IncomeKind.WAGES, "2000"),
                item(IncomeKind.PREFERENTIAL_TREATMENT, "600"),
                item(IncomeKind.SCHOLARSHIP, "3000", 10),
                item(IncomeKind.SOCIAL_ASSISTANCE, "500"),
            ],
            [],
            "2000.00",
            "1400.00",
            "0.00",
            "2000.00",
            "500.00",
        ),
        # Rigid medical and disability spending is deducted.
        (
            2,
            [item(IncomeKind.WAGES, "1500")],
            [RigidSpending.of(SpendingKind.MEDICAL, "2400", 12), RigidSpending.of("disability", "100")],
            "1500.00",
            "0.00",
            "300.00",
            "1200.00",
            "600.00",
        ),
        # Deductions larger than income floor the net at zero.
        (
            2,
            [item(IncomeKind.WAGES, "300")],
            [RigidSpending.of("medical", "800")],
            "300.00",
            "0.00",
            "800.00",
            "0.00",
            "0.00",
        ),
        (
            3,
            [item(IncomeKind.TRANSFER, "450.5"), item(IncomeKind.PROPERTY, "100.25")],
            [],
            "550.75",
            "0.00",
            "0.00",
            "550.75",
            "183.58",
        ),
    ],
)
def test_assess_income(
    members: int,
    items: list[IncomeItem],
    spending: list[RigidSpending],
    counted: str,
    excluded: str,
    deductions: str,
    net: str,
    per_capita: str,
) -> None:
    result = assess_income(members, items, spending, on=ON, rules=RULES)
    assert result.counted_monthly == D(counted)
    assert result.excluded_monthly == D(excluded)
    assert result.deductions_monthly == D(deductions)
    assert result.net_monthly == D(net)
    assert result.per_capita == D(per_capita)
    assert len(result.lines) == len(items)


@pytest.mark.parametrize(
    ("on", "counted"),
    [
        (date(2020, 12, 31), True),
        (date(2021, 1, 1), False),
        (date(2023, 6, 1), False),
        (date(2025, 12, 31), False),
        (date(2026, 1, 1), True),  # the 14th Five-Year Plan window has ended
    ],
)
def test_basic_pension_is_excluded_only_during_the_14th_five_year_plan(on: date, counted: bool) -> None:
    result = assess_income(1, [item(IncomeKind.BASIC_PENSION, "200")], on=on, rules=RULES)
    assert result.lines[0].counted is counted
    assert result.per_capita == (D("200.00") if counted else D("0.00"))


@pytest.mark.parametrize(
    ("kind", "counted", "fragment"),
    [
        (IncomeKind.WAGES, True, "工资性收入计入家庭收入"),
        (IncomeKind.PREFERENTIAL_TREATMENT, False, "优抚金不计入家庭收入"),
        (IncomeKind.SCHOLARSHIP, False, "奖学金、助学金不计入家庭收入"),
        (IncomeKind.SOCIAL_ASSISTANCE, False, "社会救助金不计入家庭收入"),
        (IncomeKind.BASIC_PENSION, False, "2021—2025年间不计入"),
    ],
)
def test_counted_reasons(kind: IncomeKind, counted: bool, fragment: str) -> None:
    is_in, reason = is_counted(kind, date(2024, 1, 1), RULES)
    assert is_in is counted
    assert fragment in reason


@pytest.mark.parametrize(
    ("members", "code"),
    [(0, "members"), (-1, "members"), (True, "members"), (2.0, "members")],
)
def test_bad_member_counts(members: object, code: str) -> None:
    with pytest.raises(PolicyError) as caught:
        assess_income(members, [], on=ON, rules=RULES)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_zero_members_message() -> None:
    with pytest.raises(PolicyError, match="家庭成员人数至少为1人，实际为 0"):
        assess_income(0, [item(IncomeKind.WAGES, "900")], on=ON, rules=RULES)


@pytest.mark.parametrize(
    ("kind", "amount", "months", "code"),
    [
        ("wages", "-1", 1, "negative_amount"),
        ("wages", -0.01, 1, "negative_amount"),
        ("wages", "abc", 1, "not_a_number"),
        ("wages", "NaN", 1, "not_a_number"),
        ("wages", "Infinity", 1, "not_a_number"),
        ("wages", True, 1, "not_a_number"),
        ("wages", "100", 0, "period_months"),
        ("wages", "100", -3, "period_months"),
        ("salary", "100", 1, "unknown_income_kind"),
    ],
)
def test_bad_income_items(kind: str, amount: object, months: int, code: str) -> None:
    with pytest.raises(PolicyError) as caught:
        IncomeItem.of(kind, amount, months)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_negative_item_built_directly_is_still_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        assess_income(1, [IncomeItem(IncomeKind.WAGES, D("-5"))], on=ON, rules=RULES)
    assert caught.value.code == "negative_amount"


def test_negative_income_message() -> None:
    with pytest.raises(PolicyError, match="工资性收入不能为负数，实际为 -1"):
        IncomeItem.of("wages", "-1")


def test_float_from_json_keeps_decimal_value() -> None:
    result = assess_income(1, [IncomeItem.of("wages", 0.1), IncomeItem.of("wages", 0.2)], on=ON, rules=RULES)
    assert result.per_capita == D("0.30")


def test_unknown_spending_kind() -> None:
    with pytest.raises(PolicyError) as caught:
        RigidSpending.of("education", "100")
    assert caught.value.code == "unknown_spending_kind"
