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

Figures marked "illustrative" in comments are placeholders for local values that DOMAIN.md does
not give; operators should replace them with their own before production.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from jiuzhu.policy.categories import DisabilityKind, MemberCategory
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.money import FEN
from jiuzhu.policy.selfcare import SelfCareLevel


class Area(enum.StrEnum):
    URBAN = "urban"
    RURAL = "rural"

    @property
    def label(self) -> str:
        return "城市" if self is Area.URBAN else "农村"


class DemocraticEvaluation(enum.StrEnum):
    NEVER = "never"  # county reform: dropped
    ON_OBJECTION = "on_objection"  # national Art. 19: only when someone objects to the publicity


@dataclass(frozen=True)
class StandardSet:
    """Monthly standards (¥ per person) for one region, area and period."""

    region: str
    area: Area
    effective_from: date
    dibao: Decimal  # 低保标准
    tekun_basic: Decimal  # 特困人员基本生活标准
    source: str
    tekun_basic_derived: bool = False  # True: not published, derived as tekun_min_ratio × dibao


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
class TemporaryAssistanceRules:
    township_limit_multiple: Decimal  # township approves up to this × monthly 低保 standard
    emergency_small_amount: Decimal  # 急难型 may be paid first up to this amount (小金额先行救助)
    expenditure_reference_months: int = 12  # spending window for 支出型


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
class BenefitRules:
    addon_rates: Mapping[MemberCategory, Decimal]  # share of the standard per member in a category
    addons_cumulative: bool  # False: a member gets only the highest add-on
    elderly_age: int  # add-on from this age
    minor_age: int  # add-on below this age
    floor_rate: Decimal  # minimum household amount per member, share of the standard
    amount_quantum: Decimal  # rounding of the monthly amount
    care_rates: Mapping[SelfCareLevel, Decimal]  # 特困 care component, share of the basic standard
    tekun_min_ratio: Decimal  # 特困 basic standard ≥ this × 低保 standard


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
    temporary: TemporaryAssistanceRules
    staffing: StaffingRule
    income: IncomeRules
    benefits: BenefitRules
    tekun: TekunRules
    standards: tuple[StandardSet, ...]

    def standard_for(self, area: Area | str, on: date) -> StandardSet:
        """The standard in force on ``on``: the latest set with ``effective_from <= on``.

        A standard stays in force until a newer one is entered, so a 2023 set answers for 2026
        if nothing newer exists; the returned ``effective_from`` shows which set was used.
        """
        wanted = Area(area)
        candidates = [s for s in self.standards if s.area is wanted and s.effective_from <= on]
        if not candidates:
            raise PolicyError("no_standard", f"政策配置“{self.title}”中没有 {on.isoformat()} 适用的{wanted.label}标准")
        return max(candidates, key=lambda s: s.effective_from)


def _rates(mapping: Mapping[MemberCategory, str]) -> Mapping[MemberCategory, Decimal]:
    return MappingProxyType({key: Decimal(value) for key, value in mapping.items()})


def _care(mapping: Mapping[SelfCareLevel, str]) -> Mapping[SelfCareLevel, Decimal]:
    return MappingProxyType({key: Decimal(value) for key, value in mapping.items()})


_BENEFITS = BenefitRules(
    # DOMAIN.md gives "+30% / +20% of the standard" as the example add-ons.
    addon_rates=_rates(
        {
            MemberCategory.SEVERELY_DISABLED: "0.30",
            MemberCategory.SERIOUSLY_ILL: "0.30",
            MemberCategory.ELDERLY: "0.20",
            MemberCategory.MINOR: "0.20",
        }
    ),
    addons_cumulative=False,
    elderly_age=60,
    minor_age=18,
    floor_rate=Decimal("0.10"),  # illustrative: DOMAIN.md says "usually a floor" without a figure
    amount_quantum=FEN,
    # Illustrative shares of the 特困 basic standard; DOMAIN.md gives no care figures.
    care_rates=_care(
        {
            SelfCareLevel.ABLE: "0.10",
            SelfCareLevel.PARTLY_LOST: "0.30",
            SelfCareLevel.FULLY_LOST: "0.60",
        }
    ),
    tekun_min_ratio=Decimal("1.3"),
)

_INCOME = IncomeRules(
    near_poor_multiple=Decimal("1.5"),
    basic_pension_excluded_from=date(2021, 1, 1),
    basic_pension_excluded_until=date(2025, 12, 31),
)

# 广德 2023 (DOMAIN.md "Realistic standards"); effective date assumed to be the year start.
# Rural 特困 is not given: derived as 1.3 × 755 = 981.5, rounded up to ¥982.
_GUANGDE_2023 = (
    StandardSet("广德市", Area.URBAN, date(2023, 1, 1), Decimal("780"), Decimal("1295"), "DOMAIN.md 广德 2023"),
    StandardSet("广德市", Area.RURAL, date(2023, 1, 1), Decimal("755"), Decimal("982"), "DOMAIN.md 广德 2023", True),
)

# 鄂州 2025 (DOMAIN.md). Rural 特困 derived as 1.3 × 655 = 851.5, rounded up to ¥852.
_EZHOU_2025 = (
    StandardSet("鄂州市", Area.URBAN, date(2025, 1, 1), Decimal("725"), Decimal("1450"), "DOMAIN.md 鄂州 2025"),
    StandardSet("鄂州市", Area.RURAL, date(2025, 1, 1), Decimal("655"), Decimal("852"), "DOMAIN.md 鄂州 2025", True),
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
    temporary=TemporaryAssistanceRules(
        township_limit_multiple=Decimal("4"),  # local example in DOMAIN.md (4× or 10×)
        emergency_small_amount=Decimal("2000"),  # 邹平 example in DOMAIN.md
    ),
    staffing=StaffingRule(),
    income=_INCOME,
    benefits=_BENEFITS,
    tekun=TekunRules(),
    standards=_GUANGDE_2023,
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
    temporary=TemporaryAssistanceRules(
        township_limit_multiple=Decimal("10"),
        emergency_small_amount=Decimal("2000"),
    ),
    staffing=StaffingRule(),
    income=_INCOME,
    benefits=_BENEFITS,
    tekun=TekunRules(),
    standards=_EZHOU_2025,
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
