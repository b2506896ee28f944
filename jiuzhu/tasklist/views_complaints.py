"""投诉举报: complaints taken by the 12349 hotline, at the window (来访) or by letter (来信), each with the
statutory time limit (``jiuzhu.policy.complaints``) and an answer recorded against it.

The township answers the complaints addressed to it; the county sees and registers for every
township. Unanswered complaints past their last day are on the supervisor's desk (``overdue``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jiuzhu.policy import CST
from jiuzhu.policy.complaints import CHANNELS, MAX_CONTENT, check_intake, complaint_deadline, is_overdue
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.masking import mask_phone
from jiuzhu.tasklist import audit
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.guards import Forbidden, current_principal, require_csrf
from jiuzhu.tasklist.roles import Principal
from schemas.enums import StaffRole
from schemas.tables import Case, Complaint, ComplaintStatus, Township

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
HANDLERS = (StaffRole.CASEWORKER, StaffRole.LEADER, StaffRole.COUNTY_SUPERVISOR)
LIMIT = 200


@dataclass(frozen=True)
class ComplaintRow:
    complaint: Complaint
    township: str
    case_number: str | None
    phone: str  # masked
    overdue: bool


def _allowed(principal: Principal) -> None:
    if principal.role not in HANDLERS:
        raise Forbidden(404, "页面不存在，或不在您的办理范围内")


def _rows(session: Session, complaints: list[Complaint], now: datetime) -> list[ComplaintRow]:
    names = {t.id: t.name for t in session.exec(select(Township))}
    numbers = {
        c.id: c.case_number
        for c in session.exec(select(Case).where(col(Case.id).in_([x.case_id for x in complaints if x.case_id])))
    }
    rows = []
    for c in complaints:
        try:
            phone = mask_phone(c.phone) if c.phone else ""
        except PolicyError:
            phone = ""
        answered = c.status is ComplaintStatus.ANSWERED
        rows.append(
            ComplaintRow(
                c, names.get(c.township_id, ""), numbers.get(c.case_id), phone, is_overdue(c.due_on, answered, now)
            )
        )
    return rows


def complaints_of(db: Engine, principal: Principal, now: datetime, *, only_overdue: bool = False) -> list[ComplaintRow]:
    """The complaints a person may see (their township's; the county's: all), open ones first."""
    with Session(db) as session:
        query = select(Complaint)
        if not principal.county_wide:
            query = query.where(Complaint.township_id == principal.township_id)
        if only_overdue:
            today = now.astimezone(CST).date()
            query = query.where(Complaint.status == ComplaintStatus.OPEN, col(Complaint.due_on) < today)
        complaints = list(
            session.exec(query.order_by(col(Complaint.status), col(Complaint.due_on), col(Complaint.id)).limit(LIMIT))
        )
        return _rows(session, complaints, now)


def overdue_complaints(db: Engine, principal: Principal, now: datetime) -> list[ComplaintRow]:
    return complaints_of(db, principal, now, only_overdue=True)


def _page(request: Request, principal: Principal, *, status: int = 200, **extra: Any) -> Response:
    tasklist = tasklist_of(request)
    with Session(tasklist.db) as session:
        townships = list(session.exec(select(Township).order_by(col(Township.id))))
    if not principal.county_wide:
        townships = [t for t in townships if t.id == principal.township_id]
    return tasklist.render(
        request,
        "complaints.html",
        principal,
        status_code=status,
        rows=complaints_of(tasklist.db, principal, tasklist.now()),
        townships=townships,
        channels=CHANNELS,
        max_content=MAX_CONTENT,
        values=extra.pop("values", {}),
        **extra,
    )


@router.get("/supervision/complaints")
def complaints_page(request: Request, principal: PrincipalDep, done: str | None = None) -> Response:
    _allowed(principal)
    notice = {"registered": "投诉已登记，已计算答复期限。", "answered": "答复已保存。"}.get(done or "")
    return _page(request, principal, notice=notice)


@router.post("/supervision/complaints", dependencies=[Depends(require_csrf)])
async def register_complaint(request: Request, principal: PrincipalDep) -> Response:
    _allowed(principal)
    tasklist = tasklist_of(request)
    form = await request.form()
    keys = ("townshipId", "channel", "complainant", "phone", "caseNumber", "content")
    values = {k: str(form.get(k) or "").strip() for k in keys}
    errors = check_intake(values["channel"], values["complainant"], values["content"])
    if len(values["complainant"]) > 50 or len(values["phone"]) > 30:
        errors.append("投诉人姓名不超过50字，联系电话不超过30位")
    township_id = int(values["townshipId"]) if values["townshipId"].isdigit() else principal.township_id
    if not principal.county_wide and township_id != principal.township_id:
        township_id = None  # a township registers only what it must answer itself
    case_id: int | None = None
    with Session(tasklist.db) as session:
        township = session.get(Township, township_id) if township_id is not None else None
        if township is None:
            errors.append("请选择负责答复的乡镇")
        if values["caseNumber"]:
            case = session.exec(select(Case).where(Case.case_number == values["caseNumber"])).first()
            if case is None or (township is not None and case.township_id != township.id):
                errors.append(f"案件编号 {values['caseNumber']} 不是该乡镇的案件")
            else:
                case_id = case.id
    if errors or township is None or township.id is None:
        return _page(request, principal, errors=errors, values=values, status=422)
    now = tasklist.now()
    deadline = complaint_deadline(now)
    with Session(tasklist.db) as session, session.begin():
        complaint = Complaint(
            township_id=township.id,
            case_id=case_id,
            channel=values["channel"],
            complainant=values["complainant"],
            phone=values["phone"] or None,
            content=values["content"],
            received_at=now,
            due_on=deadline.due_on,
            status=ComplaintStatus.OPEN,
            registered_by=principal.login,
        )
        session.add(complaint)
        session.flush()
        complaint_id = complaint.id
    audit.record(
        tasklist.db,
        principal,
        "complaint.registered",
        case_id=case_id,
        at=now,
        details={"complaintId": complaint_id, "channel": values["channel"], "dueOn": deadline.due_on.isoformat()},
    )
    return RedirectResponse("/supervision/complaints?done=registered", status_code=303)


@router.post("/supervision/complaints/{complaint_id}/answer", dependencies=[Depends(require_csrf)])
async def answer_complaint(request: Request, complaint_id: int, principal: PrincipalDep) -> Response:
    _allowed(principal)
    tasklist = tasklist_of(request)
    form = await request.form()
    answer = str(form.get("answer") or "").strip()
    now = tasklist.now()
    with Session(tasklist.db) as session, session.begin():
        complaint = session.get(Complaint, complaint_id)
        if complaint is None or (not principal.county_wide and complaint.township_id != principal.township_id):
            raise Forbidden(404, "投诉不存在，或不在您的办理范围内")
        if complaint.status is ComplaintStatus.ANSWERED:
            return RedirectResponse("/supervision/complaints?done=answered", status_code=303)  # answered already
        if not answer or len(answer) > MAX_CONTENT:
            errors = [f"请填写答复意见（不超过{MAX_CONTENT}字）"]
            session.rollback()
            return _page(request, principal, errors=errors, status=422)
        complaint.status = ComplaintStatus.ANSWERED
        complaint.answer = answer
        complaint.answered_at = now
        complaint.answered_by = principal.login
        session.add(complaint)
        case_id, late = complaint.case_id, is_overdue(complaint.due_on, False, now)
    audit.record(
        tasklist.db, principal, "complaint.answered", case_id=case_id, at=now,
        details={"complaintId": complaint_id, "late": late},
    )  # fmt: skip
    return RedirectResponse("/supervision/complaints?done=answered", status_code=303)
