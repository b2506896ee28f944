"""Pure domain rules of jiuzhu (DOMAIN.md): no I/O, no engine imports, no clock.

Time is always passed in; money is ``Decimal`` with explicit ROUND_HALF_UP rounding. Submodules:
ids, income, eligibility, amounts, selfcare, calendar, deadlines, masking, profiles, staffing.
"""

from jiuzhu.policy.amounts import (
    ApprovalLevel,
    BenefitAmount,
    categories_of,
    dibao_amount,
    route_temporary_assistance,
    single_person_dibao_amount,
    tekun_amount,
)
from jiuzhu.policy.calendar import (
    CST,
    CalendarResult,
    DayInfo,
    WorkingCalendar,
    YearData,
    add_calendar_days,
    add_hours,
    first_day_of_next_month,
    publicity_period,
)
from jiuzhu.policy.categories import Disability, DisabilityKind, MemberCategory, Person
from jiuzhu.policy.deadlines import (
    SlaState,
    SlaStatus,
    decision_due,
    decision_sla,
    emergency_relief_due,
    payment_start,
    rejection_notice_due,
)
from jiuzhu.policy.eligibility import (
    EligibilityResult,
    EmergencyCause,
    Programme,
    Reason,
    assess_dibao,
    assess_emergency,
    assess_expenditure,
    assess_near_poor,
    assess_single_person_dibao,
    assess_tekun,
)
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.ids import IdNumberError, ResidentId, Sex, check_id_number, parse_id_number
from jiuzhu.policy.income import (
    IncomeAssessment,
    IncomeItem,
    IncomeKind,
    RigidSpending,
    SpendingKind,
    assess_income,
)
from jiuzhu.policy.masking import (
    PublicityRow,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    publishable_record,
)
from jiuzhu.policy.profiles import DEFAULT_PROFILE, Area, PolicyProfile, available_profiles, get_profile
from jiuzhu.policy.selfcare import Activity, SelfCareLevel, assess_self_care
from jiuzhu.policy.staffing import assess_staffing, required_staff

__all__ = [
    "CST",
    "DEFAULT_PROFILE",
    "Activity",
    "ApprovalLevel",
    "Area",
    "BenefitAmount",
    "CalendarResult",
    "DayInfo",
    "Disability",
    "DisabilityKind",
    "EligibilityResult",
    "EmergencyCause",
    "IdNumberError",
    "IncomeAssessment",
    "IncomeItem",
    "IncomeKind",
    "MemberCategory",
    "Person",
    "PolicyError",
    "PolicyProfile",
    "Programme",
    "PublicityRow",
    "Reason",
    "ResidentId",
    "RigidSpending",
    "SelfCareLevel",
    "Sex",
    "SlaState",
    "SlaStatus",
    "SpendingKind",
    "WorkingCalendar",
    "YearData",
    "add_calendar_days",
    "add_hours",
    "assess_dibao",
    "assess_emergency",
    "assess_expenditure",
    "assess_income",
    "assess_near_poor",
    "assess_self_care",
    "assess_single_person_dibao",
    "assess_staffing",
    "assess_tekun",
    "available_profiles",
    "categories_of",
    "check_id_number",
    "decision_due",
    "decision_sla",
    "dibao_amount",
    "emergency_relief_due",
    "first_day_of_next_month",
    "get_profile",
    "mask_address",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "parse_id_number",
    "payment_start",
    "publicity_period",
    "publishable_record",
    "rejection_notice_due",
    "required_staff",
    "route_temporary_assistance",
    "single_person_dibao_amount",
    "tekun_amount",
]
