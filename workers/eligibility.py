"""eligibility.assess and eligibility.assess-self-care — the jiuzhu.policy rules, recorded in the audit log."""

from decimal import Decimal

from pyzeebe import ZeebeTaskRouter
from sqlmodel import col, select

from jiuzhu.policy import (
    BenefitAmount,
    EligibilityResult,
    EmergencyCause,
    IncomeAssessment,
    IncomeItem,
    MemberCategory,
    PolicyProfile,
    RigidSpending,
    SelfCareLevel,
    assess_dibao,
    assess_emergency,
    assess_expenditure,
    assess_income,
    assess_near_poor,
    assess_self_care,
    assess_tekun,
    categories_of,
    dibao_amount,
    route_temporary_assistance,
    tekun_amount,
)
from jiuzhu.policy.money import round_money
from jiuzhu.policy.profiles import StandardSet
from schemas.contracts.jobs.eligibility import (
    AssessEligibilityInput,
    AssessEligibilityOutput,
    AssessSelfCareInput,
    AssessSelfCareOutput,
)
from schemas.contracts.parts import AddOn, ReasonOut
from schemas.enums import Programme, Relationship
from schemas.tables import Member
from workers.records import load_case, person_of
from workers.runtime import CaseRecordError, JobContext, job_type

router = ZeebeTaskRouter()


def _add_ons(
    data: AssessEligibilityInput, ids: dict[str, int], standard: Decimal, profile: PolicyProfile
) -> tuple[list[AddOn], list[frozenset[MemberCategory]]]:
    rules = profile.benefits_on(data.assessed_on)
    add_ons: list[AddOn] = []
    categories: list[frozenset[MemberCategory]] = []
    for member in data.members:
        person = person_of(
            member.id_number,
            disability_kind=member.disability_kind,
            disability_grade=member.disability_grade,
            ill=member.seriously_ill,
            on=data.assessed_on,
        )
        found = categories_of(person, data.assessed_on, rules)
        rated = sorted(
            (c for c in found if rules.addon_rates.get(c, Decimal(0)) > 0), key=lambda c: -rules.addon_rates[c]
        )
        if not rated:
            continue
        categories.append(found)
        for category in rated if rules.addons_cumulative else rated[:1]:
            amount = round_money(standard * rules.addon_rates[category], rules.amount_quantum)
            if member.id_number not in ids:
                raise CaseRecordError(f"成员 {member.name} 未在案件记录中登记，无法计算分类施保")
            add_ons.append(AddOn(member_id=ids[member.id_number], category=category, amount=amount))
    return add_ons, categories


def _dibao(
    data: AssessEligibilityInput,
    income: IncomeAssessment,
    standards: StandardSet,
    profile: PolicyProfile,
    ids: dict[str, int],
) -> tuple[EligibilityResult, BenefitAmount | None, list[AddOn]]:
    result = assess_dibao(income, standards.dibao, property_within_limits=data.property_within_limits)
    if not result.eligible:
        return result, None, []
    add_ons, categories = _add_ons(data, ids, standards.dibao, profile)
    amount = dibao_amount(
        standards.dibao,
        income.per_capita,
        len(data.members),
        rules=profile.benefits_on(data.assessed_on),
        member_categories=categories,
    )
    return result, amount, add_ons


def _tekun(
    data: AssessEligibilityInput, income: IncomeAssessment, standards: StandardSet, profile: PolicyProfile
) -> tuple[EligibilityResult, BenefitAmount | None]:
    applicant = next(m for m in data.members if m.relationship is Relationship.SELF)
    person = person_of(
        applicant.id_number,
        disability_kind=applicant.disability_kind,
        disability_grade=applicant.disability_grade,
        ill=applicant.seriously_ill,
        on=data.assessed_on,
    )
    result = assess_tekun(
        person,
        income,
        standards.dibao,
        on=data.assessed_on,
        property_within_limits=data.property_within_limits,
        legal_supporter_able=data.supporter_able,
        rules=profile.tekun,
    )
    if not result.eligible:
        return result, None
    level = data.self_care_level or SelfCareLevel.ABLE
    return result, tekun_amount(standards.tekun_basic, level, rules=profile.benefits_on(data.assessed_on))


def _expenditure_amount(income: IncomeAssessment, spending: Decimal, standard: Decimal, months: int) -> Decimal:
    """Placeholder local rule: the spending beyond what income above the 低保 line bears over the window."""
    bearable = max(income.net_monthly - standard * income.members, Decimal(0)) * months
    return round_money(max(spending - bearable, Decimal(0)))


@job_type(router, "eligibility.assess")
def assess(ctx: JobContext, data: AssessEligibilityInput) -> AssessEligibilityOutput:
    case = load_case(ctx, data.case_id)
    profile = ctx.profile(data.path.value)
    standards = profile.standard_for(data.area, data.assessed_on)
    items = [IncomeItem.of(i.kind, i.amount, i.period_months, i.note) for i in data.income_items]
    spending = [RigidSpending.of(s.kind, s.amount, s.period_months) for s in data.rigid_spending]
    if not profile.income.rigid_spending_deductible:
        spending = []
    income = assess_income(len(data.members), items, spending, on=data.assessed_on, rules=profile.income)
    numbers = [m.id_number for m in data.members]
    ids = {m.id_number: m.id for m in ctx.session.exec(select(Member).where(col(Member.id_number).in_(numbers)))}
    amount: BenefitAmount | None = None
    add_ons: list[AddOn] = []
    proposed: Decimal | None = None
    level = None
    temporary = profile.temporary_on(data.assessed_on)
    if data.case_type is Programme.DIBAO:
        result, amount, add_ons = _dibao(data, income, standards, profile, {k: v for k, v in ids.items() if v})
    elif data.case_type is Programme.TEKUN:
        result, amount = _tekun(data, income, standards, profile)
    elif data.case_type is Programme.NEAR_POOR:
        result = assess_near_poor(
            income, standards.dibao, property_within_limits=data.property_within_limits, rules=profile.income
        )
    elif data.case_type is Programme.TEMPORARY_EXPENDITURE:
        essential = data.essential_spending or Decimal(0)
        months = temporary.expenditure_reference_months
        result = assess_expenditure(income, essential, months=months, standard=standards.dibao)
        proposed = _expenditure_amount(income, essential, standards.dibao, months) if result.eligible else None
    else:
        cause = case.emergency_cause or EmergencyCause.OTHER
        result = assess_emergency(cause, basic_living_in_severe_difficulty=True)
        proposed = data.essential_spending if data.essential_spending else None
    if amount is not None:
        proposed = amount.monthly
        ctx.note(explanation=amount.explanation)
    if proposed is not None and proposed > 0 and data.case_type.value.endswith("临时救助"):
        route = route_temporary_assistance(
            proposed, standards.dibao, emergency=data.case_type is Programme.TEMPORARY_EMERGENCY, rules=temporary
        )
        level = route.level
        ctx.note(route=route.reason)
    eligible = result.eligible and (proposed is None or proposed > 0)
    ctx.note(eligible=eligible, summary=result.summary, standardSource=standards.source)
    return AssessEligibilityOutput(
        eligible=eligible,
        programme=data.case_type,
        per_capita_income=income.per_capita,
        standard=standards.dibao,
        reasons=[ReasonOut(code=r.code, message=r.message, met=r.met) for r in result.reasons],
        proposed_amount=proposed if eligible else None,
        add_ons=add_ons if eligible else [],
        approval_level=level if eligible else None,
    )


@job_type(router, "eligibility.assess-self-care")
def assess_selfcare(ctx: JobContext, data: AssessSelfCareInput) -> AssessSelfCareOutput:
    load_case(ctx, data.case_id)
    result = assess_self_care(data.abilities)
    ctx.note(memberId=data.member_id, level=result.level.value)
    return AssessSelfCareOutput(
        self_care_level=result.level, unable_activities=list(result.unable), self_care_reason=result.reason
    )
