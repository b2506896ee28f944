"""Inbox, task page, claim/unclaim, form completion, and the task's process diagram."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from jiuzhu.tasklist import access, audit, formcheck, formcontext, formrules, inbox, names
from jiuzhu.tasklist.caserecord import (
    CaseSummary,
    case_id_of,
    summaries_by_id,
    summaries_by_instance,
    township_staff,
)
from jiuzhu.tasklist.client import ApiError, V2Client
from jiuzhu.tasklist.context import Tasklist, tasklist_of
from jiuzhu.tasklist.guards import Forbidden, current_principal, require_csrf
from jiuzhu.tasklist.roles import Principal

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
NOT_FOUND = "任务不存在，或不在您的办理范围内"


def _visible_task(tasklist: Tasklist, principal: Principal, key: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The task and its variables, or 404 — also when it exists but lies outside the principal's scope."""
    try:
        task = tasklist.client.get_user_task(key)
        variables = tasklist.client.user_task_variables(key) if task.get("state") == "CREATED" else {}
    except ApiError as err:
        if err.status in (400, 404):
            raise Forbidden(404, NOT_FOUND) from err
        raise
    if task.get("state") != "CREATED" or not access.can_view_task(principal, task, variables):
        raise Forbidden(404, NOT_FOUND)
    return task, variables


def _audit(
    tasklist: Tasklist,
    principal: Principal,
    action: str,
    task: dict[str, Any],
    variables: dict[str, Any],
    details: dict[str, Any] | None = None,
) -> None:
    audit.record(
        tasklist.db,
        principal,
        action,
        case_id=variables.get("caseId"),
        process_instance_key=task.get("processInstanceKey"),
        element_id=task.get("elementId"),
        details={"userTaskKey": str(task.get("userTaskKey")), "taskName": task.get("name"), **(details or {})},
        at=tasklist.now(),  # the engine's clock, as the workers' entries beside it on the case file
    )


def _cases_of(db: Any, client: V2Client, tasks: list[dict[str, Any]]) -> dict[str, CaseSummary]:
    """Each task's case: by its process instance when that is the case's own; a called process
    (home visit, notice, publicity) by the ``caseId`` its call activity mapped in."""
    by_instance = summaries_by_instance(db, [int(t["processInstanceKey"]) for t in tasks])
    found: dict[str, CaseSummary] = {}
    wanted: dict[str, int] = {}
    for task in tasks:
        key = str(task["userTaskKey"])
        summary = by_instance.get(int(task["processInstanceKey"]))
        if summary is not None:
            found[key] = summary
            continue
        try:
            case_id = case_id_of(client.user_task_variables(key)) if task.get("state") == "CREATED" else None
        except ApiError:
            case_id = None
        if case_id is not None:
            wanted[key] = case_id
    by_id = summaries_by_id(db, wanted.values())
    found.update({key: by_id[case_id] for key, case_id in wanted.items() if case_id in by_id})
    return found


@router.get("/")
def inbox_page(
    request: Request,
    principal: PrincipalDep,
    view: str = "mine",
    task_type: Annotated[str | None, Query(alias="type", max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    tasklist = tasklist_of(request)
    everything = view == "all" and access.supervises(principal)
    chosen = inbox.InboxFilter.of(view, task_type)
    found = inbox.fetch_page(
        tasklist.client,
        principal,
        tasklist.now(),
        tasklist.settings.near_due_hours,
        number=page,
        size=tasklist.settings.inbox_page_size,
        everything=everything,
        chosen=chosen,
    )
    items = found.items
    cases = _cases_of(tasklist.db, tasklist.client, [i.task for i in items])
    for item in items:
        summary = cases.get(item.key)
        item.case = summary.for_list_of(principal) if summary else None
    people = names.staff_names(tasklist.db, [i.task.get("assignee") for i in items])
    return tasklist.render(
        request,
        "inbox.html",
        principal,
        items=items,
        inbox=found,
        view="all" if everything else chosen.view,
        views=inbox.VIEWS,
        task_type=chosen.task_name or "",
        task_types=inbox.task_types(tasklist.client, principal, everything),
        people=people,
        names=names,
    )


@router.get("/tasks/{key}")
def task_page(request: Request, key: int, principal: PrincipalDep) -> Response:
    tasklist = tasklist_of(request)
    task, variables = _visible_task(tasklist, principal, key)
    form = tasklist.client.get_user_task_form(key)
    case_id = case_id_of(variables)
    case = summaries_by_instance(tasklist.db, [int(task["processInstanceKey"])]).get(int(task["processInstanceKey"]))
    if case is None and case_id is not None:
        case = summaries_by_id(tasklist.db, [case_id]).get(case_id)
    can_reassign = access.can_reassign(principal, task, variables)
    return tasklist.render(
        request,
        "task.html",
        principal,
        task=task,
        form=form,
        form_data=formcontext.form_data(form["schema"], variables, principal, tasklist.db) if form else {},
        case=case,
        rejection=_rejection_of(variables),
        people=names.staff_names(tasklist.db, [task.get("assignee")]),
        names=names,
        can_claim=access.can_claim(principal, task, variables),
        can_complete=access.can_complete(principal, task, variables),
        can_unclaim=task.get("assignee") == principal.login,
        can_reassign=can_reassign,
        staff=township_staff(tasklist.db, principal.township_id, task.get("candidateGroups") or [])
        if can_reassign
        else [],
    )


def _rejection_of(variables: dict[str, Any]) -> dict[str, Any] | None:
    """``taskRejection`` as a worker left it when it sent the task back: the reason to show."""
    found = variables.get("taskRejection")
    if isinstance(found, dict) and found.get("reason"):
        return found
    return None


@router.post("/tasks/{key}/reassign", dependencies=[Depends(require_csrf)])
async def reassign(request: Request, key: int, principal: PrincipalDep) -> Response:
    raw = await request.form()
    chosen = str(raw.get("staff_id") or "")
    from fastapi.concurrency import run_in_threadpool

    return await run_in_threadpool(_reassign, request, key, principal, chosen)


def _reassign(request: Request, key: int, principal: Principal, chosen: str) -> Response:
    tasklist = tasklist_of(request)
    task, variables = _visible_task(tasklist, principal, key)
    if not access.can_reassign(principal, task, variables):
        raise Forbidden(403, "只有本乡镇分管领导可以改派任务")
    choices = {
        str(s.staff_id): s
        for s in township_staff(tasklist.db, principal.township_id, task.get("candidateGroups") or [])
    }
    target = choices.get(chosen)
    if target is None:
        raise Forbidden(409, "请选择本乡镇可办理该任务的工作人员")
    previous = task.get("assignee")
    tasklist.client.assign_user_task(key, target.login, allow_override=True)
    _audit(
        tasklist,
        principal,
        "usertask.reassigned",
        task,
        variables,
        {"assignee": target.login, "assigneeName": target.name, "previousAssignee": previous},
    )
    return RedirectResponse(f"/tasks/{key}?reassigned=1", status_code=303)


@router.post("/tasks/{key}/claim", dependencies=[Depends(require_csrf)])
def claim(request: Request, key: int, principal: PrincipalDep) -> Response:
    tasklist = tasklist_of(request)
    task, variables = _visible_task(tasklist, principal, key)
    if not access.can_claim(principal, task, variables):
        raise Forbidden(409, "该任务已被认领，或您不是其候选办理人")
    try:
        tasklist.client.assign_user_task(key, principal.login, allow_override=False)
    except ApiError as err:
        if err.status == 409:
            raise Forbidden(409, "该任务刚被他人认领") from err
        raise
    _audit(tasklist, principal, "usertask.assigned", task, variables, {"assignee": principal.login})
    return RedirectResponse(f"/tasks/{key}", status_code=303)


@router.post("/tasks/{key}/unclaim", dependencies=[Depends(require_csrf)])
def unclaim(request: Request, key: int, principal: PrincipalDep) -> Response:
    tasklist = tasklist_of(request)
    task, variables = _visible_task(tasklist, principal, key)
    if task.get("assignee") != principal.login:
        raise Forbidden(409, "只能退回自己认领的任务")
    tasklist.client.unassign_user_task(key)
    _audit(tasklist, principal, "usertask.unassigned", task, variables, {"previousAssignee": principal.login})
    return RedirectResponse("/", status_code=303)


@router.post("/tasks/{key}/complete", dependencies=[Depends(require_csrf)])
async def complete(request: Request, key: int, principal: PrincipalDep) -> Response:
    body: dict[str, Any] = {}
    if "json" in request.headers.get("content-type", ""):
        try:
            parsed = await request.json()
        except ValueError:
            return JSONResponse({"message": "请求格式不正确"}, status_code=400)
        body = parsed if isinstance(parsed, dict) else {}
    submitted = body.get("variables") or {}
    if not isinstance(submitted, dict):
        return JSONResponse({"message": "请求格式不正确"}, status_code=400)
    from fastapi.concurrency import run_in_threadpool

    return await run_in_threadpool(_complete, request, key, principal, submitted)


def _complete(request: Request, key: int, principal: Principal, submitted: dict[str, Any]) -> Response:
    tasklist = tasklist_of(request)
    task, variables = _visible_task(tasklist, principal, key)
    if not access.can_complete(principal, task, variables):
        return JSONResponse({"message": "请先认领该任务再提交"}, status_code=409)
    form = tasklist.client.get_user_task_form(key)
    completion: dict[str, Any] = {}
    if form is not None:
        shown = formcontext.form_data(form["schema"], variables, principal, tasklist.db)
        completion, errors = formcheck.check(form["schema"], submitted, shown)
        errors = errors or formrules.check(form["schema"], completion, tasklist.now())
        if errors:
            return JSONResponse({"message": "表单有误，请更正后再提交", "errors": errors}, status_code=422)
    tasklist.client.complete_user_task(key, completion)
    _audit(tasklist, principal, "usertask.completed", task, variables, {"variables": sorted(completion)})
    if "json" in request.headers.get("content-type", ""):
        return JSONResponse({"redirect": "/?done=" + str(key)})
    return RedirectResponse("/?done=" + str(key), status_code=303)


@router.get("/tasks/{key}/diagram")
def task_diagram(request: Request, key: int, principal: PrincipalDep) -> Response:
    tasklist = tasklist_of(request)
    task, _ = _visible_task(tasklist, principal, key)
    xml = tasklist.client.get_process_definition_xml(task["processDefinitionKey"])
    return Response(xml, media_type="text/xml", headers={"Cache-Control": "private, max-age=300"})
