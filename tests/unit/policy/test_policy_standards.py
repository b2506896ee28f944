"""County figures as dated data (issue 18): each figure has its document and effective date, and
every rule asks for the version in force on the date it already has."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.policy import dibao_amount, get_profile
from jiuzhu.policy.categories import MemberCategory
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.selfcare import SelfCareLevel
from jiuzhu.policy.standards import (
    Area,
    benefits_on,
    parse_standards,
    shipped_standards,
    spot_check_on,
    standard_on,
    temporary_on,
)

pytestmark = pytest.mark.unit


def _benefits(effective: str, floor: str, *, placeholder: bool = True) -> dict[str, Any]:
    return {
        "effective_from": effective,
        "document": f"测试文件 {effective}",
        "placeholder": placeholder,
        "addon_rates": {"elderly": "0.20", "severely_disabled": "0.30"},
        "addons_cumulative": False,
        "elderly_age": 60,
        "minor_age": 18,
        "floor_rate": floor,
        "care_rates": {"able": "0.10", "partly_lost": "0.30", "fully_lost": "0.60"},
        "tekun_min_ratio": "1.3",
    }


def _county(**override: Any) -> dict[str, Any]:
    """A made-up county with a new standard from 2027-01-01 (test figures, not real ones)."""
    county: dict[str, Any] = {
        "standards": [
            {
                "region": "测试县",
                "area": "rural",
                "effective_from": "2027-01-01",
                "dibao": "800",
                "tekun_basic": "1040",
                "document": "测试县民〔2026〕1号",
            },
            {
                "region": "测试县",
                "area": "rural",
                "effective_from": "2023-01-01",
                "dibao": "755",
                "tekun_basic": "982",
                "document": "测试县民〔2022〕9号",
            },
            {
                "region": "测试县",
                "area": "urban",
                "effective_from": "2023-01-01",
                "dibao": "780",
                "tekun_basic": "1295",
                "document": "测试县民〔2022〕9号",
            },
        ],
        "benefits": [_benefits("2023-01-01", "0.10"), _benefits("2027-01-01", "0.15", placeholder=False)],
        "temporary": [
            {
                "effective_from": "2023-01-01",
                "document": "测试县民〔2022〕9号",
                "township_limit_multiple": "4",
                "emergency_small_amount": "2000",
                "expenditure_reference_months": 12,
            },
            {
                "effective_from": "2027-01-01",
                "document": "测试县民〔2026〕1号",
                "township_limit_multiple": "6",
                "emergency_small_amount": "3000",
                "expenditure_reference_months": 6,
            },
        ],
        "spot_check": [
            {
                "effective_from": "2023-01-01",
                "document": "测试县民〔2022〕9号",
                "default_rate": "0.10",
                "tekun_national_rate": "0.30",
            },
            {
                "effective_from": "2027-01-01",
                "document": "测试县民〔2026〕1号",
                "default_rate": "0.20",
                "tekun_national_rate": "0.30",
            },
        ],
    }
    county.update(override)
    return county


def _parse(**override: Any):  # type: ignore[no-untyped-def]
    return parse_standards(json.dumps({"profiles": {"test": _county(**override)}}, ensure_ascii=False))["test"]


FIGURES = _parse()


@pytest.mark.parametrize(
    ("on", "rural", "urban", "document", "floor", "limit", "small", "months", "rate"),
    [
        (date(2023, 1, 1), "755", "780", "测试县民〔2022〕9号", "0.10", "4", "2000", 12, "0.10"),
        (date(2026, 12, 1), "755", "780", "测试县民〔2022〕9号", "0.10", "4", "2000", 12, "0.10"),
        (date(2026, 12, 31), "755", "780", "测试县民〔2022〕9号", "0.10", "4", "2000", 12, "0.10"),
        (date(2027, 1, 1), "800", "780", "测试县民〔2026〕1号", "0.15", "6", "3000", 6, "0.20"),
        (date(2027, 1, 5), "800", "780", "测试县民〔2026〕1号", "0.15", "6", "3000", 6, "0.20"),
        (date(2031, 6, 30), "800", "780", "测试县民〔2026〕1号", "0.15", "6", "3000", 6, "0.20"),
    ],
)
def test_figures_across_an_effective_date(
    on: date, rural: str, urban: str, document: str, floor: str, limit: str, small: str, months: int, rate: str
) -> None:
    standard = standard_on(FIGURES, Area.RURAL, on)
    assert standard.dibao == Decimal(rural)
    assert standard.source == document
    # the urban standard had no new version: the 2023 one stays in force
    assert standard_on(FIGURES, "urban", on).dibao == Decimal(urban)
    assert benefits_on(FIGURES, on).floor_rate == Decimal(floor)
    temporary = temporary_on(FIGURES, on)
    assert (temporary.township_limit_multiple, temporary.emergency_small_amount) == (Decimal(limit), Decimal(small))
    assert temporary.expenditure_reference_months == months
    assert spot_check_on(FIGURES, on).default_rate == Decimal(rate)


@pytest.mark.parametrize(
    ("decided_on", "monthly"),
    [(date(2026, 12, 31), Decimal("755.00")), (date(2027, 1, 1), Decimal("800.00"))],
)
def test_a_decision_uses_the_amount_in_force_on_its_date(decided_on: date, monthly: Decimal) -> None:
    """A household with no income: the whole standard, from the figure in force that day."""
    standard = standard_on(FIGURES, Area.RURAL, decided_on).dibao
    amount = dibao_amount(standard, Decimal(0), 1, rules=benefits_on(FIGURES, decided_on))
    assert amount.monthly == monthly


@pytest.mark.parametrize("lookup", [benefits_on, temporary_on, spot_check_on])
def test_before_the_first_version_is_a_chinese_error(lookup) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PolicyError) as caught:
        lookup(FIGURES, date(2022, 12, 31))
    assert caught.value.code == "no_standard"
    assert "2022-12-31" in caught.value.message
    assert "最早一版自 2023-01-01 起生效" in caught.value.message


def test_profile_error_names_the_profile_and_the_area() -> None:
    with pytest.raises(PolicyError) as caught:
        get_profile("county").standard_for(Area.RURAL, date(2022, 12, 31))
    assert caught.value.code == "no_standard"
    assert "县级社会救助" in caught.value.message
    assert "农村低保标准" in caught.value.message


def test_shipped_file_keeps_todays_figures_with_their_sources() -> None:
    shipped = shipped_standards()
    assert set(shipped) == {"county", "national"}
    county = shipped["county"]
    rural = standard_on(county, Area.RURAL, date(2026, 12, 1))
    assert (rural.dibao, rural.tekun_basic, rural.effective_from) == (Decimal("755"), Decimal("982"), date(2023, 1, 1))
    assert "广德" in rural.source
    rules = benefits_on(county, date(2026, 12, 1))
    assert rules.floor_rate == Decimal("0.10")
    assert rules.care_rates[SelfCareLevel.FULLY_LOST] == Decimal("0.60")
    assert rules.addon_rates[MemberCategory.SEVERELY_DISABLED] == Decimal("0.30")
    assert temporary_on(county, date(2026, 12, 1)).township_limit_multiple == Decimal("4")
    assert temporary_on(shipped["national"], date(2026, 12, 1)).township_limit_multiple == Decimal("10")
    assert spot_check_on(county, date(2026, 12, 1)).default_rate == Decimal("0.10")


def test_shipped_placeholders_are_marked() -> None:
    """Figures DOMAIN.md does not give (floor, care rates, spot-check rate, 支出型 window) say so."""
    for figures in shipped_standards().values():
        for version in (*figures.benefits, *figures.temporary, *figures.spot_check):
            assert version.provenance is not None
            assert version.provenance.placeholder
            assert version.provenance.document


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ({"standards": []}, "“standards”的版本列表"),
        ({"benefits": [_benefits("2023-13-01", "0.10")]}, "不是 YYYY-MM-DD 日期"),
        ({"benefits": [_benefits("2023-01-01", "十分之一")]}, "不是数字"),
        ({"benefits": [_benefits("2023-01-01", "-0.1")]}, "须为非负数"),
        ({"benefits": [{**_benefits("2023-01-01", "0.1"), "care_rates": {"asleep": "0.1"}}]}, "“asleep”不认识"),
        (
            {
                "spot_check": [
                    {
                        "effective_from": "2023-01-01",
                        "document": "x",
                        "default_rate": "1.5",
                        "tekun_national_rate": "0.3",
                    }
                ]
            },
            "抽查比例须在 0 到 1 之间",
        ),
        (
            {
                "temporary": [
                    {
                        "effective_from": "2023-01-01",
                        "document": "x",
                        "township_limit_multiple": 4.5,
                        "emergency_small_amount": "2000",
                        "expenditure_reference_months": 12,
                    }
                ]
            },
            "数字字符串",
        ),
    ],
)
def test_bad_data_is_a_chinese_error(override: dict[str, Any], fragment: str) -> None:
    with pytest.raises(PolicyError) as caught:
        _parse(**override)
    assert caught.value.code == "bad_standards"
    assert fragment in caught.value.message


def test_two_versions_on_the_same_day_are_refused() -> None:
    rows = _county()["standards"]
    twice = [*rows, {**rows[0], "dibao": "810"}]
    with pytest.raises(PolicyError) as caught:
        _parse(standards=twice)
    assert "同在 2027-01-01 生效" in caught.value.message


def test_not_json_is_a_chinese_error() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_standards("{")
    assert caught.value.code == "bad_standards"
    assert "不是有效的 JSON" in caught.value.message
