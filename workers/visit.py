"""visit.schedule and visit.record — 入户调查 within 3 working days, two visitors, signed record."""

from datetime import datetime, time

from pyzeebe import ZeebeTaskRouter
from sqlmodel import col, select

from jiuzhu.policy import CST
from jiuzhu.policy.calendar import end_of_day
from schemas.contracts.errors import VISIT_RECORD_INVALID
from schemas.contracts.jobs.visit import RecordVisitInput, RecordVisitOutput, ScheduleVisitInput, ScheduleVisitOutput
from schemas.enums import CaseStatus, SignatoryRole, StaffRole
from schemas.tables import HomeVisit, Member, Staff, VisitSignature
from workers.records import case_profile, load_case, set_status
from workers.runtime import FUTURE_TOLERANCE, CaseRecordError, JobContext, Thrown, job_type

router = ZeebeTaskRouter()

COUNTY_GROUP = "county-supervisor"
TOWNSHIP_GROUP = "township-caseworker"


def _schedule_output(visit: HomeVisit) -> ScheduleVisitOutput:
    assert visit.id is not None
    return ScheduleVisitOutput(
        visit_id=visit.id,
        scheduled_at=visit.scheduled_at,
        visit_due_at=visit.due_at,
        county_led=visit.county_led,
        candidate_groups=[COUNTY_GROUP if visit.county_led else TOWNSHIP_GROUP],
    )


@job_type(router, "visit.schedule")
def schedule(ctx: JobContext, data: ScheduleVisitInput) -> ScheduleVisitOutput:
    case = load_case(ctx, data.case_id)
    visits = ctx.session.exec(select(HomeVisit).where(HomeVisit.case_id == case.id).order_by(col(HomeVisit.id))).all()
    pending = [v for v in visits if v.visited_at is None]
    if pending:  # one open visit per case: scheduling again returns it
        return _schedule_output(pending[-1])
    calendar = ctx.services.calendar
    limit = case_profile(case).sla.investigation_start_working_days
    # The first visit counts from acceptance (Art. 15); a re-investigation from now.
    start = ctx.now if visits else data.accepted_at
    due = calendar.add_working_days(start, limit).value
    planned = calendar.next_working_day(ctx.now).value
    county_led = data.registered_separately or case.registered_separately
    visit = HomeVisit(
        case_id=data.case_id,
        scheduled_at=datetime.combine(min(planned, due), time(9), tzinfo=CST),
        due_at=end_of_day(due),
        county_led=county_led,
    )
    ctx.session.add(visit)
    ctx.session.flush()
    if case.status is not CaseStatus.APPROVED:  # a re-check visit in dynamic management keeps 已批准
        set_status(ctx, case, CaseStatus.VISITING)
    ctx.note(visitId=visit.id, countyLed=county_led, reinvestigation=bool(visits))
    return _schedule_output(visit)


def _invalid_visitors(ctx: JobContext, ids: list[int], township_id: int, county_led: bool) -> str | None:
    for staff_id in ids:
        staff = ctx.session.get(Staff, staff_id)
        if staff is None or not staff.active:
            return f"调查人员 {staff_id} 不是在职工作人员"
        if county_led and staff.role is not StaffRole.COUNTY_SUPERVISOR:
            return f"单独登记备案的案件须由县级入户调查，{staff.name}不是县民政局工作人员"
        if not county_led and staff.role is not StaffRole.COUNTY_SUPERVISOR and staff.township_id != township_id:
            return f"{staff.name}不属本乡镇工作人员"
    return None


@job_type(router, "visit.record")
def record(ctx: JobContext, data: RecordVisitInput) -> RecordVisitOutput | Thrown:
    case = load_case(ctx, data.case_id)
    visit = ctx.session.get(HomeVisit, data.visit_id)
    if visit is None or visit.case_id != case.id:
        raise CaseRecordError(f"入户调查 {data.visit_id} 不属于案件 {data.case_id}")
    if visit.visited_at is not None:  # already recorded: the record stands
        return RecordVisitOutput(visit_id=data.visit_id, visit_passed=bool(visit.passed), visited_at=visit.visited_at)
    ctx.note(visitorIds=data.visitor_ids)
    if data.visited_at > ctx.now + FUTURE_TOLERANCE:
        return Thrown(VISIT_RECORD_INVALID.code, "调查时间不能晚于当前时间")
    problem = _invalid_visitors(ctx, data.visitor_ids, case.township_id, visit.county_led)
    if problem:
        return Thrown(VISIT_RECORD_INVALID.code, problem)
    household_members = {m.id for m in ctx.session.exec(select(Member).where(Member.household_id == case.household_id))}
    for signature in data.signatures:
        if signature.member_id is not None and signature.member_id not in household_members:
            return Thrown(VISIT_RECORD_INVALID.code, f"签字的家庭成员 {signature.member_id} 不是本户成员")
    visit.visited_at = data.visited_at
    visit.lead_visitor_id, visit.second_visitor_id = data.visitor_ids[0], data.visitor_ids[1]
    visit.findings, visit.passed = data.findings, data.passed
    ctx.session.add(visit)
    for signature in data.signatures:
        ctx.session.add(
            VisitSignature(
                visit_id=data.visit_id,
                role=signature.role,
                name=signature.name,
                staff_id=signature.staff_id if signature.role is SignatoryRole.VISITOR else None,
                member_id=signature.member_id,
                signed_at=data.visited_at,
            )
        )
    if case.status is not CaseStatus.APPROVED:  # a re-check visit in dynamic management keeps 已批准
        set_status(ctx, case, CaseStatus.AWAITING_APPROVAL)
    ctx.note(passed=data.passed)
    return RecordVisitOutput(visit_id=data.visit_id, visit_passed=data.passed, visited_at=data.visited_at)
