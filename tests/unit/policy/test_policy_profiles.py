"""Policy profiles as data, DOMAIN.md "The county reform profile" and "National rules"."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.profiles import (
    DEFAULT_PROFILE,
    Area,
    DemocraticEvaluation,
    StaffingRule,
    available_profiles,
    get_profile,
)
from jiuzhu.policy.staffing import assess_staffing, required_staff

pytestmark = pytest.mark.unit

COUNTY = get_profile("county")
NATIONAL = get_profile("national")


def test_registry() -> None:
    assert DEFAULT_PROFILE == "county"
    assert get_profile() is COUNTY
    assert available_profiles() == ("county", "national")


def test_unknown_profile() -> None:
    with pytest.raises(PolicyError) as caught:
        get_profile("provincial")
    assert caught.value.code == "unknown_profile"
    assert "county、national" in caught.value.message


def test_profiles_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        COUNTY.sla.decision_working_days = 20  # type: ignore[misc]
    with pytest.raises(TypeError):
        rates = COUNTY.benefits_on(date(2026, 1, 1)).addon_rates
        rates[next(iter(rates))] = Decimal(1)  # type: ignore[index]


@pytest.mark.parametrize(
    ("profile", "check_first", "review_publicity", "evaluation", "approval", "review_days"),
    [
        (COUNTY, True, False, DemocraticEvaluation.NEVER, "township", None),
        (NATIONAL, False, True, DemocraticEvaluation.ON_OBJECTION, "county", 7),
    ],
)
def test_procedure_flags(
    profile, check_first: bool, review_publicity: bool, evaluation, approval: str, review_days
) -> None:
    assert profile.flags.economic_check_first is check_first
    assert profile.flags.review_stage_publicity is review_publicity
    assert profile.flags.democratic_evaluation is evaluation
    assert profile.flags.approval_level == approval
    assert profile.publicity.review_stage_publicity_days == review_days


@pytest.mark.parametrize("profile", [COUNTY, NATIONAL])
def test_shared_limits(profile) -> None:
    sla = profile.sla
    assert (sla.decision_working_days, sla.decision_warn_at_working_day) == (10, 8)
    assert sla.emergency_hours == 24
    assert sla.rejection_notice_working_days == 3
    assert sla.investigation_start_working_days == 3
    assert profile.income.near_poor_multiple == Decimal("1.5")


def test_national_only_limits() -> None:
    assert NATIONAL.sla.whole_process_working_days == 30
    assert NATIONAL.sla.tekun_township_opinion_working_days == 15
    assert COUNTY.sla.whole_process_working_days is None
    assert COUNTY.publicity.result_publicity_place == "申请人所在自然村"


@pytest.mark.parametrize(
    ("profile", "area", "on", "dibao", "tekun", "effective", "derived"),
    [
        (COUNTY, Area.URBAN, date(2023, 1, 1), "780", "1295", date(2023, 1, 1), False),
        (COUNTY, "rural", date(2026, 11, 27), "755", "982", date(2023, 1, 1), True),
        (NATIONAL, Area.URBAN, date(2025, 6, 1), "725", "1450", date(2025, 1, 1), False),
        (NATIONAL, Area.RURAL, date(2025, 6, 1), "655", "852", date(2025, 1, 1), True),
    ],
)
def test_standards(profile, area, on: date, dibao: str, tekun: str, effective: date, derived: bool) -> None:
    standard = profile.standard_for(area, on)
    assert standard.dibao == Decimal(dibao)
    assert standard.tekun_basic == Decimal(tekun)
    assert standard.effective_from == effective
    assert standard.tekun_basic_derived is derived


@pytest.mark.parametrize("profile", [COUNTY, NATIONAL])
def test_tekun_standard_is_at_least_the_minimum_ratio(profile) -> None:
    for standard in profile.standards:
        assert standard.tekun_basic >= standard.dibao * profile.benefits_on(standard.effective_from).tekun_min_ratio


@pytest.mark.parametrize(("profile", "on"), [(COUNTY, date(2022, 12, 31)), (NATIONAL, date(2024, 12, 31))])
def test_no_standard_before_the_first_set(profile, on: date) -> None:
    with pytest.raises(PolicyError) as caught:
        profile.standard_for(Area.URBAN, on)
    assert caught.value.code == "no_standard"


def test_unknown_area() -> None:
    with pytest.raises(ValueError):
        COUNTY.standard_for("suburban", date(2024, 1, 1))


RULE = StaffingRule()


@pytest.mark.parametrize(
    ("population", "required"),
    [
        (0, 3),
        (12_000, 3),
        (49_999, 3),
        (50_000, 3),
        (69_999, 3),
        (70_000, 4),
        (89_999, 4),
        (90_000, 5),
        (110_000, 6),
        (150_000, 8),
    ],
)
def test_required_staff(population: int, required: int) -> None:
    assert required_staff(population, RULE) == required


@pytest.mark.parametrize(
    ("population", "current", "shortfall", "above_range"),
    [
        (40_000, 2, 1, False),
        (40_000, 3, 0, False),
        (95_000, 3, 2, False),
        (110_000, 6, 0, True),
        (60_000, None, 0, False),
    ],
)
def test_assess_staffing(population: int, current: int | None, shortfall: int, above_range: bool) -> None:
    result = assess_staffing(population, RULE, current)
    assert result.shortfall == shortfall
    assert result.above_typical_range is above_range


def test_staffing_is_configurable() -> None:
    rule = StaffingRule(minimum=2, base_population=30_000, step_population=10_000)
    assert required_staff(29_999, rule) == 2
    assert required_staff(50_000, rule) == 4


@pytest.mark.parametrize("population", [-1, True, 1.5])
def test_bad_population(population: object) -> None:
    with pytest.raises(PolicyError):
        required_staff(population, RULE)  # type: ignore[arg-type]
