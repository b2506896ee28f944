"""公示异议 as a person registers it: during a case's publicity, on its case page (a visit to the window,
a call, a letter). The registration starts the ``publicity-objection`` process, whose job records the
objection against the open publicity; when the publicity ends, the objection sends the case back to a
new home visit and decision (``publicity.close``)."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jiuzhu.policy import CST
from jiuzhu.tasklist import access, audit
from jiuzhu.tasklist.caserecord import case_location
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.guards import Forbidden, current_principal, require_csrf
from jiuzhu.tasklist.roles import Principal
from schemas.enums import CaseStatus
from schemas.tables import Case, PublicityNotice, PublicityRow

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
PROCESS_ID = "publicity-objection"
CHANNELS = ("来访", "来电", "来信", "12349热线")
MAX_CONTENT = 2000


def open_publicity(db: Engine, case_id: int, today: date) -> PublicityNotice | None:
    """The publicity of this case that is up today (the case still 公示中), or None."""
    with Session(db) as session:
        case = session.get(Case, case_id)
        if case is None or case.status is not CaseStatus.IN_PUBLICITY:
            return None
        notice_ids = session.exec(select(PublicityRow.notice_id).where(PublicityRow.case_id == case_id)).all()
        notices = session.exec(
            select(PublicityNotice)
            .where(col(PublicityNotice.id).in_(notice_ids))
            .where(PublicityNotice.period_start <= today, PublicityNotice.period_end >= today)
            .order_by(col(PublicityNotice.id).desc())
        ).all()
        return notices[0] if notices else None


@router.post("/cases/{case_id}/objections", dependencies=[Depends(require_csrf)])
async def register_objection(request: Request, case_id: int, principal: PrincipalDep) -> Response:
    form = await request.form()
    channel = str(form.get("channel") or "")
    content = str(form.get("content") or "").strip()
    # The engine's REST API may be served by this very process: never call it on the event loop.
    return await run_in_threadpool(_register, request, case_id, principal, channel, content)


def _register(request: Request, case_id: int, principal: Principal, channel: str, content: str) -> Response:
    tasklist = tasklist_of(request)
    location = case_location(tasklist.db, case_id)
    if location is None or not access.can_view_case(principal, *location):
        raise Forbidden(404, "案件不存在，或不在您的办理范围内")
    if channel not in CHANNELS or not content or len(content) > MAX_CONTENT:
        return RedirectResponse(f"/cases/{case_id}?objection=invalid#publicity", status_code=303)
    now = tasklist.now()
    notice = open_publicity(tasklist.db, case_id, now.astimezone(CST).date())
    if notice is None or notice.id is None:
        return RedirectResponse(f"/cases/{case_id}?objection=closed#publicity", status_code=303)
    # The same objection sent twice (a double click, a reload) is one objection: the job dedupes by id.
    digest = hashlib.sha256(f"{notice.id}|{channel}|{content}".encode()).hexdigest()[:24]
    message_id = f"tasklist-{case_id}-{digest}"
    objection = {"messageId": message_id, "channel": channel, "content": content, "receivedAt": now.isoformat()}
    # The township (and village) place the instance in the person's scope: the engine checks them.
    township_id, village_id = location
    variables = {"caseId": case_id, "publicityId": notice.id, "objection": objection, "townshipId": township_id}
    if village_id is not None:
        variables["villageId"] = village_id
    created = tasklist.client.create_process_instance(PROCESS_ID, variables)
    audit.record(
        tasklist.db,
        principal,
        "objection.registered",
        case_id=case_id,
        process_instance_key=created.get("processInstanceKey"),
        at=now,
        details={"publicityId": notice.id, "channel": channel, "messageId": message_id},
    )
    return RedirectResponse(f"/cases/{case_id}?objection=registered#publicity", status_code=303)
