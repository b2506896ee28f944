"""督办台: the county supervisor's desk — cases past their decision limit and those in the warning
days, 不重 flags, and each caseworker's load — with township names, from the case record (and the
open tasks from the engine's REST API). A township leader sees the same for their township."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from jiuzhu.tasklist.caserecord import CaseSummary, summaries_by_id
from jiuzhu.tasklist.client import ApiError
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.guards import Forbidden, current_principal
from jiuzhu.tasklist.roles import Principal
from jiuzhu.tasklist.views_complaints import overdue_complaints
from jiuzhu.tasklist.views_spotchecks import open_checks
from jiuzhu.tasklist.views_sweep import coverage
from schemas.enums import CaseStatus, StaffRole
from schemas.tables import AuditEntry, Case, Notification, Staff, Township

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
# Still waiting for the decision the 10 working days are about.
AWAITING_DECISION = (CaseStatus.ACCEPTED, CaseStatus.CHECKING, CaseStatus.VISITING, CaseStatus.AWAITING_APPROVAL)
OPEN = (*AWAITING_DECISION, CaseStatus.IN_PUBLICITY, CaseStatus.RELIEVED_FIRST)
DUPLICATE_FLAG = "flag.duplicate-recipient"  # workers.exclusion.FLAG_ACTION
LIMIT = 200


@dataclass(frozen=True)
class LateCase:
    case: CaseSummary
    township: str
    decision_due: Any
    breach_at: datetime | None


@dataclass(frozen=True)
class Workload:
    name: str
    township: str
    open_cases: int  # open cases they accepted
    claimed_tasks: int | None  # open tasks assigned to them (None: the engine did not answer)


def _late(db: Engine, session: Session, principal: Principal, now: datetime, overdue: bool) -> list[LateCase]:
    query = select(Case).where(col(Case.status).in_(AWAITING_DECISION))
    if overdue:
        query = query.where(col(Case.breach_at) <= now)
    else:
        query = query.where(col(Case.warn_at) <= now, col(Case.breach_at) > now)
    if not principal.county_wide:
        query = query.where(Case.township_id == principal.township_id)
    cases = session.exec(query.order_by(col(Case.breach_at)).limit(LIMIT)).all()
    names = {t.id: t.name for t in session.exec(select(Township))}
    summaries = summaries_by_id(db, [c.id for c in cases if c.id is not None])
    return [
        LateCase(summaries[c.id].for_list_of(principal), names.get(c.township_id, ""), c.decision_due, c.breach_at)
        for c in cases
        if c.id in summaries
    ]


def _duplicates(db: Engine, session: Session, principal: Principal) -> list[tuple[AuditEntry, CaseSummary | None]]:
    rows = session.exec(
        select(AuditEntry).where(AuditEntry.action == DUPLICATE_FLAG).order_by(col(AuditEntry.id).desc()).limit(LIMIT)
    ).all()
    summaries = summaries_by_id(db, [r.case_id for r in rows if r.case_id])
    found = []
    for row in rows:
        summary = summaries.get(row.case_id) if row.case_id else None
        if principal.county_wide or (summary is not None and summary.township_id == principal.township_id):
            found.append((row, summary.for_list_of(principal) if summary else None))
    return found


def _workload(session: Session, principal: Principal, claimed: Counter[str] | None) -> list[Workload]:
    query = select(Staff).where(Staff.role == StaffRole.CASEWORKER, col(Staff.active).is_(True))
    if not principal.county_wide:
        query = query.where(Staff.township_id == principal.township_id)
    names = {t.id: t.name for t in session.exec(select(Township))}
    open_by = Counter(
        session.exec(
            select(Case.accepted_by_id).where(col(Case.status).in_(OPEN), col(Case.accepted_by_id).is_not(None))
        )
    )
    return [
        Workload(
            s.name,
            names.get(s.township_id, ""),
            open_by.get(s.id, 0),
            claimed.get(s.login or "", 0) if claimed is not None else None,
        )
        for s in session.exec(query.order_by(col(Staff.township_id), col(Staff.id)))
    ]


def _undelivered(session: Session, principal: Principal) -> list[Notification]:
    """Messages that could not go out (no address, the mail server refusing): the county's to see."""
    if not principal.county_wide:
        return []
    return list(
        session.exec(
            select(Notification)
            .where(or_(col(Notification.status) == "failed", col(Notification.last_error).is_not(None)))
            .where(col(Notification.status) != "sent")
            .order_by(col(Notification.id).desc())
            .limit(50)
        )
    )


@router.get("/supervision/desk")
def desk_page(request: Request, principal: PrincipalDep) -> Response:
    if principal.role not in (StaffRole.COUNTY_SUPERVISOR, StaffRole.LEADER):
        raise Forbidden(404, "页面不存在，或不在您的办理范围内")
    tasklist = tasklist_of(request)
    now = tasklist.now()
    claimed: Counter[str] | None
    try:
        tasks = tasklist.client.search_all_user_tasks({"state": "CREATED"})
        claimed = Counter(str(t["assignee"]) for t in tasks if t.get("assignee"))
    except ApiError:
        claimed = None  # said on the page: the engine did not answer
    with Session(tasklist.db) as session:
        overdue, at_risk = (
            _late(tasklist.db, session, principal, now, True),
            _late(tasklist.db, session, principal, now, False),
        )
        duplicates, workload = _duplicates(tasklist.db, session, principal), _workload(session, principal, claimed)
        undelivered = _undelivered(session, principal)
    complaints = overdue_complaints(tasklist.db, principal, now)
    sweep = coverage(tasklist.db, principal)
    spot_checks = open_checks(tasklist.db, principal)
    return tasklist.render(
        request, "desk.html", principal, overdue=overdue, at_risk=at_risk, duplicates=duplicates, workload=workload,
        engine_answered=claimed is not None, undelivered=undelivered, complaints=complaints,
        sweep=sweep, spot_checks=spot_checks,
    )  # fmt: skip
