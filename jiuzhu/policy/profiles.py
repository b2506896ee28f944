"""Policy profiles: the county reform rules and the national rules, as data.

DOMAIN.md: "where the county rule and the national rule differ, the system carries both as
policy profiles (data, not code) and the county profile is the default."

* ``county`` — seed-speech.txt (2021 county 放管服 reform): economic check first, no review-stage
  publicity, no democratic evaluation, township approval, 10 working days, emergency relief in 24 h,
  result published in the applicant's natural village, staffing 3–5 (≥3 below 50,000 people, one
  more per further 20,000).
* ``national`` — 最低生活保障审核确认办法 / 特困人员认定办法 (MCA 2021) and the 临时救助 opinion (2018):
  first-review publicity 7 days, democratic evaluation only on objection, county decision in 10
  working days, whole process ≤30 working days.

The county's money figures (standards, add-ons, floor, care rates, 临时救助 limits, spot-check
rates) are dated versions in ``data/standards.json``, each with the document that set it and its
effective date; ``placeholder`` marks example values the county must replace before production.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import TypeVar

from jiuzhu.policy.categories import DisabilityKind
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.standards import (
    Area,
    BenefitRules,
    CountyStandards,
    SpotCheckRules,
    StandardSet,
    TemporaryAssistanceRules,
    benefits_on,
    shipped_standards,
    spot_check_on,
    standard_on,
    temporary_on,
)

_T = TypeVar("_T")

__all__ = [  # the rule types live in standards.py; callers import them from here too
    "Area",
    "BenefitRules",
    "SpotCheckRules",
    "StandardSet",
    "TemporaryAssistanceRules",
]


class DemocraticEvaluation(enum.StrEnum):
    NEVER = "never"  # county reform: dropped
    ON_OBJECTION = "on_objection"  # national Art. 19: only when someone objects to the publicity


@dataclass(frozen=True)
class SlaRules:
    decision_working_days: int  # acceptance → decision (county: 10)
    decision_warn_at_working_day: int  # raise a warning from this elapsed working day (8)
    emergency_hours: int  # 急难型: relief first within this many hours (24)
    rejection_notice_working_days: int  # written notice after a rejection (Art. 21: 3)
    investigation_start_working_days: int  # Art. 15: 3
    data_check_start_working_days: int  # Art. 17: 3
    emergency_paperwork_working_days: int  # paperwork after paying first (邹平 example: 5)
    whole_process_working_days: int | None = None  # national: ≤30 (≤20 delegated, ≤45 special)
    tekun_township_opinion_working_days: int | None = None  # national 特困: 15


@dataclass(frozen=True)
class PublicityRules:
    review_stage_publicity_days: int | None  # national first-review: 7; county: dropped (None)
    result_publicity_days: int  # calendar days
    result_publicity_place: str
    tekun_publicity_days: int | None = None  # national 特困: 7


@dataclass(frozen=True)
class ProcedureFlags:
    economic_check_first: bool
    review_stage_publicity: bool
    democratic_evaluation: DemocraticEvaluation
    approval_level: str  # "township" | "county"


@dataclass(frozen=True)
class StaffingRule:
    minimum: int = 3
    base_population: int = 50_000
    step_population: int = 20_000
    staff_per_step: int = 1
    typical_range: tuple[int, int] = (3, 5)


@dataclass(frozen=True)
class IncomeRules:
    near_poor_multiple: Decimal  # 低保边缘: income < multiple × standard
    # Basic pension (城乡居民基础养老金) not counted during the 14th Five-Year Plan (2021–2025).
    basic_pension_excluded_from: date | None
    basic_pension_excluded_until: date | None
    rigid_spending_deductible: bool = True


@dataclass(frozen=True)
class TekunRules:
    """特困人员认定办法 (MCA 2021) Art. 6: no capacity to work."""

    elderly_age: int = 60
    minor_age: int = 16
    incapacity_disability_grades: Mapping[DisabilityKind, frozenset[int]] = field(
        default_factory=lambda: MappingProxyType(
            {
                DisabilityKind.INTELLECTUAL: frozenset({1, 2, 3}),
                DisabilityKind.MENTAL: frozenset({1, 2, 3}),
                DisabilityKind.PHYSICAL: frozenset({1, 2}),
                DisabilityKind.VISUAL: frozenset({1}),
            }
        )
    )


@dataclass(frozen=True)
class PolicyProfile:
    name: str
    title: str
    flags: ProcedureFlags
    sla: SlaRules
    publicity: PublicityRules
    staffing: StaffingRule
    income: IncomeRules
    tekun: TekunRules
    figures: CountyStandards  # dated versions from data/standards.json

    @property
    def standards(self) -> tuple[StandardSet, ...]:
        return self.figures.standards

    def standard_for(self, area: Area | str, on: date) -> StandardSet:
        """The 低保/特困 standard in force on ``on`` (the latest set with ``effective_from <= on``)."""
        return _named(self, lambda: standard_on(self.figures, area, on))

    def benefits_on(self, on: date) -> BenefitRules:
        """Add-ons, floor and care rates in force on ``on``."""
        return _named(self, lambda: benefits_on(self.figures, on))

    def temporary_on(self, on: date) -> TemporaryAssistanceRules:
        """临时救助 township limit, small-amount ceiling and 支出型 window in force on ``on``."""
        return _named(self, lambda: temporary_on(self.figures, on))

    def spot_check_on(self, on: date) -> SpotCheckRules:
        """Spot-check sampling rates in force on ``on``."""
        return _named(self, lambda: spot_check_on(self.figures, on))


def _named(profile: PolicyProfile, lookup: Callable[[], _T]) -> _T:
    """Run a dated lookup; a date before the first version names the profile in the message."""
    try:
        return lookup()
    except PolicyError as error:
        raise PolicyError(error.code, f"政策配置“{profile.title}”中{error.message}") from None


_FIGURES = shipped_standards()

_INCOME = IncomeRules(
    near_poor_multiple=Decimal("1.5"),
    basic_pension_excluded_from=date(2021, 1, 1),
    basic_pension_excluded_until=date(2025, 12, 31),
)

COUNTY = PolicyProfile(
    name="county",
    title="县级社会救助“放管服”改革配置",
    flags=ProcedureFlags(
        economic_check_first=True,
        review_stage_publicity=False,
        democratic_evaluation=DemocraticEvaluation.NEVER,
        approval_level="township",
    ),
    sla=SlaRules(
        decision_working_days=10,
        decision_warn_at_working_day=8,
        emergency_hours=24,
        rejection_notice_working_days=3,
        investigation_start_working_days=3,
        data_check_start_working_days=3,
        emergency_paperwork_working_days=5,
    ),
    publicity=PublicityRules(
        review_stage_publicity_days=None,
        # The speech names the place (自然村) but no period; 7 days mirrors the national rule.
        result_publicity_days=7,
        result_publicity_place="申请人所在自然村",
    ),
    staffing=StaffingRule(),
    income=_INCOME,
    tekun=TekunRules(),
    figures=_FIGURES["county"],
)

NATIONAL = PolicyProfile(
    name="national",
    title="国家规定（审核确认办法）配置",
    flags=ProcedureFlags(
        economic_check_first=False,
        review_stage_publicity=True,
        democratic_evaluation=DemocraticEvaluation.ON_OBJECTION,
        approval_level="county",
    ),
    sla=SlaRules(
        decision_working_days=10,
        decision_warn_at_working_day=8,
        emergency_hours=24,
        rejection_notice_working_days=3,
        investigation_start_working_days=3,
        data_check_start_working_days=3,
        emergency_paperwork_working_days=5,
        whole_process_working_days=30,
        tekun_township_opinion_working_days=15,
    ),
    publicity=PublicityRules(
        review_stage_publicity_days=7,
        result_publicity_days=7,
        result_publicity_place="申请人所在村（社区）",
        tekun_publicity_days=7,
    ),
    staffing=StaffingRule(),
    income=_INCOME,
    tekun=TekunRules(),
    figures=_FIGURES["national"],
)

DEFAULT_PROFILE = COUNTY.name

_REGISTRY: Mapping[str, PolicyProfile] = MappingProxyType({COUNTY.name: COUNTY, NATIONAL.name: NATIONAL})


def available_profiles() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def get_profile(name: str | None = None) -> PolicyProfile:
    """The profile called ``name`` (``county`` when ``None``)."""
    key = DEFAULT_PROFILE if name is None else name
    try:
        return _REGISTRY[key]
    except KeyError:
        known = "、".join(_REGISTRY)
        raise PolicyError("unknown_profile", f"未知的政策配置：{key!r}（可用：{known}）") from None
