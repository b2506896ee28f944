"""Reading and updating the case record from handlers (one session, the handler's transaction)."""

import calendar
from datetime import date

from sqlmodel import Session, col, select

from jiuzhu.policy import Disability, DisabilityKind, Person, PolicyProfile, get_profile, issuers, parse_id_number
from schemas.enums import CaseStatus, StaffRole
from schemas.tables import Case, Household, Member, Staff, Township, Village
from workers.runtime import CaseRecordError, JobContext

CLOSED_STATUSES = frozenset(
    {CaseStatus.REJECTED, CaseStatus.WITHDRAWN, CaseStatus.TERMINATED, CaseStatus.CLOSED, CaseStatus.CANCELLED}
)


def load_case(ctx: JobContext, case_id: int) -> Case:
    case = ctx.session.get(Case, case_id)
    if case is None:
        raise CaseRecordError(f"案件 {case_id} 不在案件记录中")
    ctx.case_id, ctx.case_number = case_id, case.case_number
    return case


def case_profile(case: Case) -> PolicyProfile:
    return get_profile(case.path.value)


def set_status(ctx: JobContext, case: Case, status: CaseStatus) -> None:
    if case.status is not status:
        # A job that moves the case twice keeps where it started from in its audit row.
        ctx.note(statusFrom=ctx.details.get("statusFrom", case.status.value), statusTo=status.value)
        case.status = status
        ctx.session.add(case)


def township_of(session: Session, township_id: int) -> Township:
    township = session.get(Township, township_id)
    if township is None:
        raise CaseRecordError(f"乡镇 {township_id} 不在案件记录中")
    return township


def household_of(session: Session, case: Case) -> Household:
    household = session.get(Household, case.household_id)
    if household is None:
        raise CaseRecordError(f"案件 {case.id} 的家庭 {case.household_id} 不在案件记录中")
    return household


def members_of(session: Session, household_id: int) -> list[Member]:
    return list(session.exec(select(Member).where(Member.household_id == household_id).order_by(col(Member.id))))


def applicant_of(session: Session, case: Case) -> Member:
    member = session.get(Member, case.applicant_id)
    if member is None:
        raise CaseRecordError(f"案件 {case.id} 的申请人 {case.applicant_id} 不在案件记录中")
    return member


def village_label(session: Session, village_id: int) -> str:
    """Natural village or group with its parent: 东亭村三组 (no house number)."""
    village = session.get(Village, village_id)
    if village is None:
        raise CaseRecordError(f"村（组） {village_id} 不在案件记录中")
    parent = session.get(Village, village.parent_id) if village.parent_id else None
    return f"{parent.name}{village.name}" if parent else village.name


def staff_member(session: Session, staff_id: int) -> Staff | None:
    staff = session.get(Staff, staff_id)
    return staff if staff is not None and staff.active else None


def staff_logins(session: Session, roles: tuple[StaffRole, ...], township_id: int | None) -> list[str]:
    query = select(Staff).where(col(Staff.role).in_(roles), col(Staff.active).is_(True)).order_by(col(Staff.id))
    found = []
    for staff in session.exec(query):
        in_scope = staff.role is StaffRole.COUNTY_SUPERVISOR or staff.township_id == township_id
        if in_scope and staff.login:
            found.append(staff.login)
    return found


def issuing_body(township: Township) -> str:
    return issuers.issuing_body(township.name)


def person_of(
    id_number: str, *, disability_kind: DisabilityKind | None, disability_grade: int | None, ill: bool, on: date
) -> Person:
    born = parse_id_number(id_number, today=on).birth_date
    disability = None
    if disability_kind is not None and disability_grade is not None:
        disability = Disability(DisabilityKind(disability_kind), disability_grade)
    return Person(born, disability, ill)


def month_after(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
