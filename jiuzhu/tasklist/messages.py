"""消息: the in-app notifications of the signed-in person (the outbox's ``inapp`` rows), newest
first, with the unread count in the navigation; opening one marks it read and shows its case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import ColumnElement, Engine, and_, func
from sqlmodel import Session, col, select

from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.guards import Forbidden, current_principal
from jiuzhu.tasklist.roles import Principal
from schemas.tables import Notification

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
PAGE = 200
EVENT_LABELS = {
    "sla.warning": "时限预警",
    "sla.breach": "超期督办",
    "relief.unpaid": "急难未发放",
    "duplicate.recipient": "不重核查",
    "payment.failed": "发放失败",
    "incident": "系统故障",
}


def _mine(login: str) -> ColumnElement[bool]:
    return and_(col(Notification.channel) == "inapp", col(Notification.recipient_login) == login)


def unread_count(db: Engine, login: str | None) -> int:
    if not login:
        return 0
    with Session(db) as session:
        query = select(func.count()).select_from(Notification).where(_mine(login), col(Notification.read_at).is_(None))
        return int(session.exec(query).one())


@router.get("/messages")
def messages_page(request: Request, principal: PrincipalDep) -> Response:
    tasklist = tasklist_of(request)
    with Session(tasklist.db) as session:
        found = session.exec(
            select(Notification).where(_mine(principal.login)).order_by(col(Notification.id).desc()).limit(PAGE)
        ).all()
    return tasklist.render(request, "messages.html", principal, messages=found, labels=EVENT_LABELS)


@router.get("/messages/{message_id}")
def open_message(request: Request, message_id: int, principal: PrincipalDep) -> Response:
    """Read and go to the case (one's own messages only: anyone else's answers 404)."""
    tasklist = tasklist_of(request)
    with Session(tasklist.db) as session, session.begin():
        message = session.get(Notification, message_id)
        if message is None or message.channel != "inapp" or message.recipient_login != principal.login:
            raise Forbidden(404, "消息不存在")
        if message.read_at is None:
            message.read_at = tasklist.now()
            session.add(message)
        case_id = message.case_id
    return RedirectResponse(f"/cases/{case_id}" if case_id is not None else "/messages", status_code=303)
