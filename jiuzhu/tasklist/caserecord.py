"""Reading the case record (schemas/tables) for the task list's internal screens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from jiuzhu.policy.masking import mask_id_number, mask_name, mask_phone
from jiuzhu.tasklist.roles import ROLE_OF_GROUP, Principal
from schemas.enums import StaffRole
from schemas.tables import AuditEntry, Case, Household, Member, Staff, Township, Village, WrittenNotice


def village_tree(session: Session, root_id: int) -> frozenset[int]:
    """A village and everything below it (natural villages, groups)."""
    found = {root_id}
    frontier = [root_id]
    while frontier:
        children = session.exec(select(Village.id).where(col(Village.parent_id).in_(frontier))).all()
        frontier = [c for c in children if c is not None and c not in found]
        found.update(frontier)
    return frozenset(found)


def principal_for(db: Engine, login: str) -> Principal | None:
    with Session(db) as session:
        staff = session.exec(select(Staff).where(Staff.login == login, col(Staff.active).is_(True))).first()
        if staff is None or staff.id is None:
            return None
        township = session.get(Township, staff.township_id) if staff.township_id else None
        villages: frozenset[int] = frozenset()
        if staff.role is StaffRole.VILLAGE_ASSISTANT and staff.village_id:
            villages = village_tree(session, staff.village_id)
        return Principal(
            staff_id=staff.id,
            login=login,
            name=staff.name,
            role=staff.role,
            township_id=staff.township_id,
            township_code=township.code if township else None,
            township_name=township.name if township else None,
            village_id=staff.village_id,
            village_ids=villages,
        )


def village_label(session: Session, village_id: int) -> str:
    village = session.get(Village, village_id)
    if village is None:
        return ""
    parent = session.get(Village, village.parent_id) if village.parent_id else None
    return f"{parent.name}{village.name}" if parent else village.name


def villages_for(db: Engine, principal: Principal) -> list[tuple[int, str]]:
    """Villages a principal may file an application for: their township's, or an assistant's own."""
    with Session(db) as session:
        query = select(Village).order_by(col(Village.id))
        if principal.township_id is not None:
            query = query.where(Village.township_id == principal.township_id)
        rows = [v for v in session.exec(query).all() if v.id is not None]
        if principal.role is StaffRole.VILLAGE_ASSISTANT and principal.village_ids:
            rows = [v for v in rows if v.id in principal.village_ids]
        return [(v.id, village_label(session, v.id)) for v in rows if v.id is not None]


@dataclass
class CaseSummary:
    case_id: int
    case_number: str
    case_type: str
    status: str
    applicant: str
    village: str
    township_id: int
    village_id: int

    def for_list_of(self, principal: Principal) -> CaseSummary:
        """The county reads every township's lists: there the household's name is masked (张*明);
        the township's own staff, who work the case, see it whole."""
        if not principal.county_wide or not self.applicant:
            return self
        return replace(self, applicant=mask_name(self.applicant))


def summaries_by_id(db: Engine, case_ids: Iterable[int]) -> dict[int, CaseSummary]:
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    with Session(db) as session:
        rows = session.exec(select(Case).where(col(Case.id).in_(ids))).all()
        return {c.id: _summary(session, c) for c in rows if c.id is not None}


def case_id_of(variables: dict[str, Any]) -> int | None:
    """The case a task belongs to, from its process's ``caseId`` (every call activity maps it in)."""
    value = variables.get("caseId")
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def summaries_by_instance(db: Engine, instance_keys: Iterable[int]) -> dict[int, CaseSummary]:
    keys = list(set(instance_keys))
    if not keys:
        return {}
    with Session(db) as session:
        rows = session.exec(select(Case).where(col(Case.process_instance_key).in_(keys))).all()
        return {c.process_instance_key: _summary(session, c) for c in rows if c.process_instance_key is not None}


def _summary(session: Session, case: Case) -> CaseSummary:
    applicant = session.get(Member, case.applicant_id)
    household = session.get(Household, case.household_id)
    village_id = household.village_id if household else 0
    return CaseSummary(
        case_id=case.id or 0,
        case_number=case.case_number,
        case_type=case.type.value,
        status=case.status.value,
        applicant=applicant.name if applicant else "",
        village=village_label(session, village_id) if village_id else "",
        township_id=case.township_id,
        village_id=village_id,
    )


def recent_cases(db: Engine, principal: Principal, limit: int = 100) -> list[CaseSummary]:
    with Session(db) as session:
        query = select(Case).order_by(col(Case.accepted_at).desc()).limit(limit * 3)
        if not principal.county_wide:
            query = query.where(Case.township_id == principal.township_id)
        summaries = [_summary(session, c) for c in session.exec(query).all()]
    if principal.role is StaffRole.VILLAGE_ASSISTANT and principal.village_ids:
        summaries = [s for s in summaries if s.village_id in principal.village_ids]
    return summaries[:limit]


@dataclass
class MemberView:
    name: str
    id_number: str  # masked: internal screens show first and last character only
    relationship: str
    disability: str
    seriously_ill: bool
    work_capacity: str
    phone: str


@dataclass
class CaseView:
    case: Case
    summary: CaseSummary
    township: str
    address: str
    area: str
    members: list[MemberView] = field(default_factory=list)
    notices: list[WrittenNotice] = field(default_factory=list)
    timeline: list[AuditEntry] = field(default_factory=list)
    staff_names: dict[int, str] = field(default_factory=dict)


def case_view(db: Engine, case_id: int) -> CaseView | None:
    with Session(db) as session:
        case = session.get(Case, case_id)
        if case is None:
            return None
        household = session.get(Household, case.household_id)
        township = session.get(Township, case.township_id)
        members = session.exec(
            select(Member).where(Member.household_id == case.household_id).order_by(col(Member.id))
        ).all()
        notices = session.exec(
            select(WrittenNotice).where(WrittenNotice.case_id == case_id).order_by(col(WrittenNotice.issued_at))
        ).all()
        conditions: list[Any] = [AuditEntry.case_id == case_id]
        if case.process_instance_key is not None:
            conditions.append(AuditEntry.process_instance_key == case.process_instance_key)
        timeline = session.exec(select(AuditEntry).where(or_(*conditions)).order_by(col(AuditEntry.at))).all()
        staff_ids = [i for i in (case.accepted_by_id, case.proxy_assistant_id) if i]
        staff_names = {s.id: s.name for s in session.exec(select(Staff).where(col(Staff.id).in_(staff_ids))).all()}
        return CaseView(
            case=case,
            summary=_summary(session, case),
            township=township.name if township else "",
            address=household.address if household else "",
            area=household.area.label if household else "",
            members=[_member(m) for m in members],
            notices=list(notices),
            timeline=list(timeline),
            staff_names={k: v for k, v in staff_names.items() if k is not None},
        )


def _member(member: Member) -> MemberView:
    disability = ""
    if member.disability_kind is not None:
        disability = f"{member.disability_kind.value}{member.disability_grade}级"
    return MemberView(
        name=member.name,
        id_number=mask_id_number(member.id_number),
        relationship=member.relationship.value,
        disability=disability,
        seriously_ill=member.seriously_ill,
        work_capacity=member.work_capacity.value,
        phone=mask_phone(member.phone) if member.phone else "",
    )


def notice(db: Engine, case_id: int, notice_id: int) -> WrittenNotice | None:
    with Session(db) as session:
        found = session.get(WrittenNotice, notice_id)
        return found if found is not None and found.case_id == case_id else None


def case_location(db: Engine, case_id: int) -> tuple[int, int] | None:
    """(township id, household village id) of a case, for access checks."""
    with Session(db) as session:
        case = session.get(Case, case_id)
        if case is None:
            return None
        household = session.get(Household, case.household_id)
        return case.township_id, household.village_id if household else 0


@dataclass(frozen=True)
class StaffChoice:
    staff_id: int
    login: str
    name: str
    role: str


def township_staff(db: Engine, township_id: int | None, groups: Iterable[str] = ()) -> list[StaffChoice]:
    """Active staff of a township a task may be reassigned to: those of the task's candidate groups
    (all of the township's staff when the task names none)."""
    if township_id is None:
        return []
    roles = {ROLE_OF_GROUP[g] for g in groups if g in ROLE_OF_GROUP}
    with Session(db) as session:
        rows = session.exec(
            select(Staff).where(Staff.township_id == township_id, col(Staff.active).is_(True)).order_by(col(Staff.id))
        ).all()
        return [
            StaffChoice(s.id, s.login, s.name, s.role.value)
            for s in rows
            if s.id is not None and s.login and (not roles or s.role in roles)
        ]
