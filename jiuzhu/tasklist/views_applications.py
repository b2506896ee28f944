"""Starting an application: at the township window (一窗受理) or by a village assistant on a
household's behalf (帮办代办).

The scheme picks the process (``jiuzhu.policy.intake`` routes). Submission is post/redirect/get
with an idempotency key; the receipt page shows what the process made of it (case number,
or the open case that made it a duplicate). A draft survives an expired session.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from jiuzhu.policy import Programme, get_profile
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.intake import process_for
from jiuzhu.tasklist import audit, intake_form, submissions
from jiuzhu.tasklist.caserecord import villages_for
from jiuzhu.tasklist.client import ApiError
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.guards import Forbidden, SignInRequired, current_principal, require_csrf
from jiuzhu.tasklist.roles import Principal
from schemas.enums import Area, Channel, DisabilityKind, EmergencyCause, Relationship, StaffRole, WorkCapacity
from schemas.tables import Staff, Township

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
CHANNEL_OF = {"window": Channel.ONE_WINDOW, "proxy": Channel.PROXY}
ALLOWED_ROLES = {
    Channel.ONE_WINDOW: {StaffRole.CASEWORKER, StaffRole.LEADER},
    Channel.PROXY: {StaffRole.VILLAGE_ASSISTANT},
}


def _channel(principal: Principal, name: str) -> Channel:
    channel = CHANNEL_OF.get(name)
    if channel is None or principal.role not in ALLOWED_ROLES[channel]:
        raise Forbidden(403, "您的角色不能以这种方式受理申请")
    return channel


def _page(
    request: Request,
    principal: Principal,
    channel: Channel,
    form: intake_form.IntakeForm,
    *,
    status: int = 200,
    notice: str | None = None,
) -> Response:
    tasklist = tasklist_of(request)
    values = form.values
    if not valid_key(values.get("submission")):
        values["submission"] = submissions.new_key()
    today = tasklist.now().date()
    shown = intake_form.pointers(values, today) if any(values.get(k) for k in ("m0_name", "m0_id_number")) else []
    if shown:  # the guidance on this page is the guidance for these facts
        values["guided"] = intake_form.facts_digest(values)
    return tasklist.render(
        request,
        "application.html",
        principal,
        status_code=status,
        channel=channel,
        channel_name="proxy" if channel is Channel.PROXY else "window",
        programmes=list(Programme),
        emergency_hours=get_profile().sla.emergency_hours,
        areas=list(Area),
        causes=list(EmergencyCause),
        relationships=[r for r in Relationship if r is not Relationship.SELF],
        disability_kinds=list(DisabilityKind),
        work_capacities=list(WorkCapacity),
        villages=villages_for(tasklist.db, principal),
        form=form,
        rows=intake_form.rows_of(values),
        pointers=shown,
        notice=notice,
    )


def valid_key(key: str | None) -> bool:
    return submissions.valid_key(key)


@router.get("/applications/new")
def new_application(request: Request, principal: PrincipalDep, channel: str = "window", draft: str = "") -> Response:
    chosen = _channel(principal, channel)
    kept = submissions.take_draft(draft) if draft else None
    if kept is not None:
        notice = "登录已过期，已恢复您此前填写的申请内容，请核对后提交。"
        return _page(request, principal, chosen, intake_form.IntakeForm(kept), notice=notice)
    return _page(request, principal, chosen, intake_form.IntakeForm())


@router.post("/applications")
async def submit_application(request: Request) -> Response:
    raw = await request.form()
    values = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        principal = current_principal(request)
    except SignInRequired:
        # The session expired while the form was being filled in: keep it, send the person to sign in.
        token = submissions.keep_draft(values)
        channel = "proxy" if values.get("channel") == "proxy" else "window"
        back = quote(f"/applications/new?channel={channel}&draft={token}", safe="")
        return RedirectResponse(f"/signin?next={back}", status_code=303)
    channel = _channel(principal, values.get("channel", ""))
    try:
        await require_csrf(request)
    except Forbidden:
        form = intake_form.IntakeForm(values, errors={"": "页面已过期，内容已保留，请核对后再次提交"})
        return _page(request, principal, channel, form, status=403)
    action = values.pop("action", "submit")
    if action == "add_member":
        return _page(request, principal, channel, intake_form.IntakeForm(intake_form.add_row(values)))
    if action.startswith("remove_member_"):
        index = int(action.removeprefix("remove_member_")) if action[14:].isdigit() else -1
        return _page(request, principal, channel, intake_form.IntakeForm(intake_form.remove_row(values, index)))
    if action == "guide":
        return _page(request, principal, channel, intake_form.IntakeForm(values))
    return await run_in_threadpool(_submit, request, principal, channel, values)


def _submit(request: Request, principal: Principal, channel: Channel, values: dict[str, str]) -> Response:
    tasklist = tasklist_of(request)
    key = values.get("submission", "")
    if not valid_key(key):
        form = intake_form.IntakeForm(values, errors={"": "表单缺少提交编号，请重新打开受理页面"})
        return _page(request, principal, channel, form, status=422)
    villages = dict(villages_for(tasklist.db, principal))
    now = tasklist.now()
    checked = intake_form.validate(values, villages, now.date())
    if checked.errors:
        return _page(request, principal, channel, intake_form.IntakeForm(values, errors=checked.errors), status=422)
    assert checked.programme is not None
    if checked.household and values.get("guided") != intake_form.facts_digest(values):
        pointers = intake_form.pointers(values, now.date())
        if pointers:  # 一窗受理: the window sees where the facts point before the case is opened
            notice = "请先核对上方一窗受理指引，确认救助类别无误后再次点击“受理并启动流程”。"
            return _page(request, principal, channel, intake_form.IntakeForm(values), notice=notice)
    variables = checked.variables
    variables.update(
        {
            "channel": channel.value,
            "proxyAssistantId": principal.staff_id if channel is Channel.PROXY else None,
            "acceptedById": principal.staff_id if channel is Channel.ONE_WINDOW else None,
            "townshipId": principal.township_id,
            "townshipCode": principal.township_code,
            "receivedAt": now.isoformat(),
            "startedBy": principal.login,
        }
    )
    try:
        process_id = tasklist.settings.process_overrides.get(checked.programme.value) or process_for(checked.programme)
    except PolicyError as err:
        form = intake_form.IntakeForm(values, errors={"": err.message})
        return _page(request, principal, channel, form, status=422)
    with submissions.once(key):
        if submissions.started_entry(tasklist.db, key) is None:
            try:
                created = tasklist.client.create_process_instance(process_id, variables)
            except ApiError as err:
                form = intake_form.IntakeForm(values, errors={"": f"流程无法启动（{err.title}）：{err.detail}"})
                return _page(request, principal, channel, form, status=502 if err.status >= 500 else 422)
            audit.record(
                tasklist.db,
                principal,
                submissions.STARTED,
                process_instance_key=created.get("processInstanceKey"),
                at=now,
                details={
                    "submission": key,
                    "channel": channel.value,
                    "caseType": variables["caseType"],
                    "processDefinitionId": process_id,
                    "townshipId": principal.township_id,
                    "applicant": variables["members"][0]["name"],
                    "memberCount": len(variables["members"]),
                    "receivedAt": variables["receivedAt"],
                },
            )
    return RedirectResponse(f"/applications/submitted/{key}", status_code=303)


def _visible(principal: Principal, details: dict[str, Any], actor: str) -> bool:
    if actor == principal.login or principal.county_wide:
        return True
    return principal.role is not StaffRole.VILLAGE_ASSISTANT and details.get("townshipId") == principal.township_id


@router.get("/applications/submitted/{key}")
def submitted(request: Request, key: str, principal: PrincipalDep) -> Response:
    tasklist = tasklist_of(request)
    entry = submissions.started_entry(tasklist.db, key) if valid_key(key) else None
    if entry is None or not _visible(principal, entry.details, entry.actor) or entry.process_instance_key is None:
        raise Forbidden(404, "没有找到这次提交的申请")
    outcome = submissions.outcome_of(tasklist.db, entry.process_instance_key)
    profile = get_profile()
    with Session(tasklist.db) as session:
        staff = session.exec(select(Staff).where(Staff.login == entry.actor)).first()
        township = session.get(Township, entry.details.get("townshipId")) if entry.details.get("townshipId") else None
    return tasklist.render(
        request,
        "application_done.html",
        principal,
        entry=entry,
        details=entry.details,
        outcome=outcome,
        profile=profile,
        accepted_by=staff.name if staff else entry.actor,
        township=township.name if township else "",
        emergency=entry.details.get("caseType") == Programme.TEMPORARY_EMERGENCY.value,
    )
