"""Inbox, task page, claim/unclaim, form completion, and the task's process diagram."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from jiuzhu.tasklist import access, audit, formcheck, formcontext, formrules, inbox
from jiuzhu.tasklist.caserecord import summaries_by_instance
from jiuzhu.tasklist.client import ApiError
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
    )


@router.get("/")
def inbox_page(
    request: Request, principal: PrincipalDep, view: str = "mine", page: Annotated[int, Query(ge=1, le=10_000)] = 1
) -> Response:
    tasklist = tasklist_of(request)
    everything = view == "all" and principal.county_wide
    found = inbox.fetch_page(
        tasklist.client,
        principal,
        tasklist.now(),
        tasklist.settings.near_due_hours,
        number=page,
        size=tasklist.settings.inbox_page_size,
        everything=everything,
    )
    items = found.items
    cases = summaries_by_instance(tasklist.db, [int(i.task["processInstanceKey"]) for i in items])
    for item in items:
        item.case = cases.get(int(item.task["processInstanceKey"]))
    return tasklist.render(
        request, "inbox.html", principal, items=items, inbox=found, view="all" if everything else "mine"
    )


@router.get("/tasks/{key}")
def task_page(request: Request, key: int, principal: PrincipalDep) -> Response:
    tasklist = tasklist_of(request)
    task, variables = _visible_task(tasklist, principal, key)
    form = tasklist.client.get_user_task_form(key)
    cases = summaries_by_instance(tasklist.db, [int(task["processInstanceKey"])])
    return tasklist.render(
        request,
        "task.html",
        principal,
        task=task,
        form=form,
        form_data=formcontext.form_data(form["schema"], variables, principal, tasklist.db) if form else {},
        case=cases.get(int(task["processInstanceKey"])),
        can_claim=access.can_claim(principal, task, variables),
        can_complete=access.can_complete(principal, task, variables),
        can_unclaim=task.get("assignee") == principal.login,
    )


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
