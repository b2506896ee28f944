"""Finding cases: by case number, name, ID number (exact), village, scheme, status, overdue — paged.

Searches run in SQL over the case, its applicant and household, within what the person may see
(the county; one township; an assistant's villages). An ID-number search is exact and leaves an
audit entry: it reveals who has applied, so it is looked at afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, or_
from sqlmodel import Session, col, select

from jiuzhu.tasklist.caserecord import CaseSummary, village_label, village_tree
from jiuzhu.tasklist.roles import Principal
from schemas.enums import CaseStatus, Programme, StaffRole
from schemas.tables import Case, Household, Member

PAGE_SIZE = 50
# Not decided yet: these can run past their deadline.
UNDECIDED = (CaseStatus.ACCEPTED, CaseStatus.CHECKING, CaseStatus.VISITING, CaseStatus.AWAITING_APPROVAL)
CASE_NUMBER_LIKE = re.compile(r"^[0-9][0-9-]*$")


@dataclass
class CaseQuery:
    text: str = ""  # case number (or its start) or a name (or part of one)
    id_number: str = ""  # exact, any member of the household
    village_id: int | None = None
    scheme: Programme | None = None
    status: CaseStatus | None = None
    overdue: bool = False
    page: int = 1

    @property
    def any(self) -> bool:
        return bool(self.text or self.id_number or self.village_id or self.scheme or self.status or self.overdue)


@dataclass
class CasePage:
    rows: list[CaseSummary] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def parse_query(params: dict[str, str]) -> CaseQuery:
    def enum_of(kind: Any, value: str | None) -> Any:
        return next((item for item in kind if item.value == value), None)

    village = params.get("village", "")
    page = params.get("page", "1")
    return CaseQuery(
        text=params.get("q", "").strip()[:50],
        id_number=params.get("id_number", "").strip().upper()[:18],
        village_id=int(village) if village.isdigit() else None,
        scheme=enum_of(Programme, params.get("scheme")),
        status=enum_of(CaseStatus, params.get("status")),
        overdue=params.get("overdue") == "on",
        page=max(1, int(page)) if page.isdigit() else 1,
    )


def search_cases(db: Engine, principal: Principal, query: CaseQuery, now: datetime, size: int = PAGE_SIZE) -> CasePage:
    with Session(db) as session:
        conditions: list[Any] = []
        if not principal.county_wide:
            conditions.append(Case.township_id == principal.township_id)
        if principal.role is StaffRole.VILLAGE_ASSISTANT and principal.village_ids:
            conditions.append(col(Household.village_id).in_(principal.village_ids))
        if query.text:
            if CASE_NUMBER_LIKE.match(query.text):
                conditions.append(col(Case.case_number).startswith(query.text))
            else:
                conditions.append(col(Member.name).contains(query.text))
        if query.id_number:
            households = select(Member.household_id).where(Member.id_number == query.id_number)
            conditions.append(col(Case.household_id).in_(households))
        if query.village_id is not None:
            conditions.append(col(Household.village_id).in_(village_tree(session, query.village_id)))
        if query.scheme is not None:
            conditions.append(Case.type == query.scheme)
        if query.status is not None:
            conditions.append(Case.status == query.status)
        if query.overdue:
            late = or_(
                and_(col(Case.breach_at).is_not(None), col(Case.breach_at) < now),
                and_(col(Case.relief_due_at).is_not(None), col(Case.relief_due_at) < now),
            )
            conditions.append(and_(col(Case.status).in_(UNDECIDED), late))
        base = (
            select(Case, Member.name, Household.village_id)
            .join(Member, col(Member.id) == col(Case.applicant_id))
            .join(Household, col(Household.id) == col(Case.household_id))
            .where(*conditions)
        )
        total = session.exec(select(func.count()).select_from(base.subquery())).one()
        pages = max(1, -(-total // size))
        page = min(query.page, pages)
        found = session.exec(
            base.order_by(col(Case.accepted_at).desc(), col(Case.id).desc()).offset((page - 1) * size).limit(size)
        ).all()
        labels: dict[int, str] = {}
        rows = []
        for case, applicant, village_id in found:
            if village_id not in labels:
                labels[village_id] = village_label(session, village_id)
            rows.append(
                CaseSummary(
                    case_id=case.id or 0,
                    case_number=case.case_number,
                    case_type=case.type.value,
                    status=case.status.value,
                    applicant=applicant,
                    village=labels[village_id],
                    township_id=case.township_id,
                    village_id=village_id,
                )
            )
        return CasePage(rows=rows, total=total, page=page, pages=pages)


def audit_details(query: CaseQuery, total: int) -> dict[str, Any]:
    """What an ID-number search leaves in the (internal) audit log: whose number, and how much it found."""
    return {"idNumber": query.id_number, "found": total}
