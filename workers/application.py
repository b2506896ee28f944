"""application.accept — register household, members and case (一窗受理 / 帮办代办), 不重."""

from datetime import datetime

from pyzeebe import ZeebeTaskRouter
from sqlmodel import col, func, select

from jiuzhu import metrics
from schemas.contracts.errors import APPLICATION_INCOMPLETE, DUPLICATE_APPLICATION
from schemas.contracts.jobs.application import AcceptApplicationInput, AcceptApplicationOutput
from schemas.contracts.parts import MemberIn
from schemas.enums import CaseStatus, Programme, Relationship, VillageKind
from schemas.tables import AuditEntry, Case, Household, Member, Township, Village
from workers.records import CLOSED_STATUSES, township_of
from workers.runtime import CaseRecordError, JobContext, Thrown, actor, job_type

router = ZeebeTaskRouter()

# Programmes one household may not hold twice at once (regular 保障 vs. each kind of 临时救助).
_GROUPS = (
    frozenset({Programme.DIBAO, Programme.TEKUN, Programme.NEAR_POOR}),
    frozenset({Programme.TEMPORARY_EMERGENCY}),
    frozenset({Programme.TEMPORARY_EXPENDITURE}),
)


def _group(programme: Programme) -> frozenset[Programme]:
    return next(group for group in _GROUPS if programme in group)


def _output(case: Case) -> AcceptApplicationOutput:
    assert case.id is not None
    return AcceptApplicationOutput(
        case_id=case.id,
        case_number=case.case_number,
        household_id=case.household_id,
        applicant_id=case.applicant_id,
        accepted_at=case.accepted_at,
        path=case.path,
        case_status=case.status,
        registered_separately=case.registered_separately,
    )


def _accepted_at(ctx: JobContext, received_at: datetime) -> datetime:
    """Accepted when received — unless the materials were incomplete, then when they were supplied."""
    refused_before = ctx.session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "application.accept",
            AuditEntry.actor == actor("application.accept"),
            AuditEntry.process_instance_key == ctx.job.process_instance_key,
        )
    ).first()
    return ctx.now if refused_before is not None or received_at > ctx.now else received_at


def _case_number(ctx: JobContext, township: Township, accepted_at: datetime) -> str:
    prefix = f"{township.code}-{accepted_at.year}-"
    count = ctx.session.exec(select(func.count()).select_from(Case).where(col(Case.case_number).startswith(prefix)))
    return f"{prefix}{count.one() + 1:04d}"


def _update_member(member: Member, given: MemberIn) -> None:
    member.name = given.name
    member.relationship = given.relationship
    member.disability_kind = given.disability_kind
    member.disability_grade = given.disability_grade
    member.seriously_ill = given.seriously_ill
    member.work_capacity = given.work_capacity


@job_type(router, "application.accept")
def accept(ctx: JobContext, data: AcceptApplicationInput) -> AcceptApplicationOutput | Thrown:
    existing = ctx.session.exec(select(Case).where(Case.process_instance_key == ctx.job.process_instance_key)).first()
    if existing is not None:  # this process already registered its case
        ctx.case_id = existing.id
        return _output(existing)
    if data.missing_materials:
        missing = "、".join(data.missing_materials)
        ctx.note(missingMaterials=data.missing_materials)
        return Thrown(APPLICATION_INCOMPLETE.code, f"申请材料不全，一次性告知：{missing}")
    township = township_of(ctx.session, data.township_id)
    village = ctx.session.get(Village, data.village_id)
    if village is None or village.township_id != data.township_id:
        raise CaseRecordError(f"村（组） {data.village_id} 不属于乡镇 {data.township_id}")
    numbers = [m.id_number for m in data.members]
    known = {m.id_number: m for m in ctx.session.exec(select(Member).where(col(Member.id_number).in_(numbers)))}
    households = {m.household_id for m in known.values()}
    if len(households) > 1:
        ctx.note(households=sorted(households))
        return Thrown(DUPLICATE_APPLICATION.code, "申请中的家庭成员已分属不同家庭户登记（一人一户，不重）")
    household = ctx.session.get(Household, households.pop()) if households else None
    if household is not None:
        group = _group(data.case_type)
        open_cases = ctx.session.exec(select(Case).where(Case.household_id == household.id)).all()
        clash = [c for c in open_cases if c.type in group and c.status not in CLOSED_STATUSES]
        if clash:
            ctx.note(openCase=clash[0].case_number)
            return Thrown(
                DUPLICATE_APPLICATION.code,
                f"该家庭已有同类在办或在保案件 {clash[0].case_number}（{clash[0].status.value}）",
            )
        household.village_id, household.township_id = data.village_id, data.township_id
        household.address, household.area = data.address, data.area
    else:
        household = Household(
            township_id=data.township_id, village_id=data.village_id, address=data.address, area=data.area
        )
    household.registered_poor = household.registered_poor or any(m.registered_poor for m in data.members)
    ctx.session.add(household)
    ctx.session.flush()
    assert household.id is not None
    applicant: Member | None = None
    for given in data.members:
        member = known.get(given.id_number) or Member(
            household_id=household.id,
            id_number=given.id_number,
            name=given.name,
            relationship=given.relationship,
            work_capacity=given.work_capacity,
        )
        _update_member(member, given)
        ctx.session.add(member)
        if given.relationship is Relationship.SELF:
            applicant = member
    ctx.session.flush()
    assert applicant is not None and applicant.id is not None  # the contract requires exactly one 本人
    accepted_at = _accepted_at(ctx, data.received_at)
    case = Case(
        case_number=_case_number(ctx, township, accepted_at),
        household_id=household.id,
        applicant_id=applicant.id,
        township_id=data.township_id,
        type=data.case_type,
        path=data.path,
        status=CaseStatus.ACCEPTED,
        process_instance_key=ctx.job.process_instance_key,
        channel=data.channel,
        proxy_assistant_id=data.proxy_assistant_id,
        accepted_by_id=data.accepted_by_id,
        accepted_at=accepted_at,
        check_authorised_at=ctx.now if data.check_authorised else None,
        emergency_cause=data.emergency_cause,
        incident_location=data.incident_location,
    )
    ctx.session.add(case)
    ctx.session.flush()
    ctx.case_id = case.id
    ctx.note(caseNumber=case.case_number, householdId=household.id, naturalVillage=village.kind is VillageKind.NATURAL)
    ctx.on_commit(lambda: metrics.cases.case_opened(data.case_type, data.path, township.code))
    return _output(case)
