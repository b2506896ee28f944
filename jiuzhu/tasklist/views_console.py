"""运维控制台: the county system administrator's view of the engine (what Camunda Operate shows),
read and changed only through /v2: the process instances with filters, one instance's path (its
element history) and variables, its incidents, and the repairs — retry (retries up, then resolve)
and moving the token to another step (e.g. back to 分管领导审批). Every repair is shown on a
confirmation page that says what it will do, and written to the audit log once done."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from jiuzhu.tasklist import audit
from jiuzhu.tasklist.client import ApiError, V2Client
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.guards import Forbidden, current_principal, require_csrf
from jiuzhu.tasklist.roles import Principal
from jiuzhu.tasklist.views_stuck import ERROR_TYPES, _element_names
from schemas.enums import StaffRole

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
PAGE = 20
STATES = {"ACTIVE": "运行中", "COMPLETED": "已完成", "TERMINATED": "已终止"}
TYPES = {
    "PROCESS": "流程",
    "START_EVENT": "开始事件",
    "END_EVENT": "结束事件",
    "USER_TASK": "人工任务",
    "SERVICE_TASK": "系统任务",
    "SEND_TASK": "发送任务",
    "BUSINESS_RULE_TASK": "规则任务",
    "SCRIPT_TASK": "脚本任务",
    "EXCLUSIVE_GATEWAY": "排他网关",
    "PARALLEL_GATEWAY": "并行网关",
    "INCLUSIVE_GATEWAY": "包容网关",
    "EVENT_BASED_GATEWAY": "事件网关",
    "INTERMEDIATE_CATCH_EVENT": "中间捕获事件",
    "INTERMEDIATE_THROW_EVENT": "中间抛出事件",
    "BOUNDARY_EVENT": "边界事件",
    "SUB_PROCESS": "子流程",
    "CALL_ACTIVITY": "调用活动",
    "MULTI_INSTANCE_BODY": "多实例",
}


def _admin(principal: Principal) -> None:
    if principal.role is not StaffRole.SYSTEM_ADMIN:
        raise Forbidden(404, "页面不存在，或不在您的办理范围内")


def _instance_filter(params: dict[str, str]) -> dict[str, Any]:
    f: dict[str, Any] = {}
    if params.get("process"):
        f["processDefinitionId"] = params["process"]
    if params.get("state") in STATES:
        f["state"] = params["state"]
    if params.get("incident") == "1":
        f["hasIncident"] = True
    if params.get("case", "").strip():
        text = params["case"].strip()
        value = int(text) if text.isdigit() else text
        f["variables"] = [{"name": "caseId", "value": json.dumps(value, ensure_ascii=False)}]
    started: dict[str, str] = {}
    if params.get("from"):
        started["$gte"] = f"{params['from']}T00:00:00+08:00"
    if params.get("to"):
        started["$lte"] = f"{params['to']}T23:59:59+08:00"
    if started:
        f["startDate"] = started
    return f


def _names(client: V2Client, definition_key: str) -> dict[str, str]:
    try:
        return _element_names(client.get_process_definition_xml(definition_key))
    except ApiError:
        return {}


def _user_tasks(client: V2Client, definition_key: str) -> list[tuple[str, str]]:
    """The process's user tasks (id, name), as the model lists them: where a token may be moved back to."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(client.get_process_definition_xml(definition_key))
    except (ApiError, ElementTree.ParseError):
        return []
    return [
        (e.get("id", ""), e.get("name") or e.get("id", "") or "")
        for e in root.iter()
        if e.tag.endswith("}userTask") and e.get("id")
    ]


@router.get("/console")
def console_instances(request: Request, principal: PrincipalDep) -> Response:
    _admin(principal)
    tasklist = tasklist_of(request)
    params = dict(request.query_params)
    page = max(int(params["page"]) if params.get("page", "").isdigit() else 1, 1)
    body = {
        "filter": _instance_filter(params),
        "sort": [{"field": "startDate", "order": "DESC"}],
        "page": {"from": (page - 1) * PAGE, "limit": PAGE},
    }
    error = None
    try:
        result = tasklist.client.search_process_instances(body)
    except ApiError as err:
        result, error = {"items": [], "page": {"totalItems": 0}}, f"查询失败：{err.detail}"
    total = int(result["page"]["totalItems"])
    processes = sorted(
        {i["processDefinitionId"] for i in result["items"]} | ({params["process"]} if params.get("process") else set())
    )
    return tasklist.render(
        request,
        "console.html",
        principal,
        instances=result["items"],
        total=total,
        page=page,
        pages=max((total + PAGE - 1) // PAGE, 1),
        params=params,
        processes=processes,
        states=STATES,
        error=error,
    )


def _instance_context(client: V2Client, key: int) -> dict[str, Any]:
    instance = client.get_process_instance(key)
    names = _names(client, instance["processDefinitionKey"])
    history = client.search_element_instances(key)
    for item in history:
        item["label"] = names.get(item["elementId"]) or item.get("elementName") or item["elementId"]
        item["typeLabel"] = TYPES.get(item["type"], item["type"])
    incidents = client.search_incidents({"processInstanceKey": str(key)})
    for incident in incidents:
        incident["label"] = names.get(incident["elementId"]) or incident["elementId"]
        incident["kind"] = ERROR_TYPES.get(str(incident.get("errorType")), "系统错误")
    variables = sorted(client.process_variables(key), key=lambda v: v["name"]) if instance["state"] == "ACTIVE" else []
    active = [h for h in history if h["state"] == "ACTIVE" and h["type"] != "PROCESS"]
    return {
        "instance": instance,
        "history": history,
        "incidents": incidents,
        "variables": variables,
        "active": active,
        "targets": _user_tasks(client, instance["processDefinitionKey"]),
        "states": STATES,
    }


@router.get("/console/instances/{key}")
def console_instance(request: Request, key: int, principal: PrincipalDep) -> Response:
    _admin(principal)
    tasklist = tasklist_of(request)
    try:
        context = _instance_context(tasklist.client, key)
    except ApiError as err:
        if err.status == 404:
            raise Forbidden(404, "没有这个流程实例") from err
        raise
    return tasklist.render(
        request, "console_instance.html", principal, done=request.query_params.get("done"), **context
    )


def _describe(action: str, context: dict[str, Any], incident: str, source: str, target: str) -> str:
    names = {h["elementId"]: h["label"] for h in context["history"]}
    targets = dict(context["targets"])
    if action == "retry":
        found = [i for i in context["incidents"] if i["incidentKey"] == incident]
        if not found:
            raise Forbidden(404, "这个故障已不存在（可能已处理）")
        return f"将环节「{found[0]['label']}」的系统任务重试次数设为 1 并解决故障：系统会再执行一次该环节。"
    if action == "move":
        if source not in {h["elementId"] for h in context["active"]} or target not in targets:
            raise Forbidden(404, "无法移动：所选环节不在运行中，或目标不是人工任务")
        return (
            f"终止正在进行的环节「{names.get(source, source)}」（其故障一并清除），"
            f"把流程移回人工任务「{targets[target]}」，由办理人重新办理后继续。"
        )
    raise Forbidden(404, "未知的操作")


@router.get("/console/instances/{key}/confirm")
def console_confirm(
    request: Request,
    key: int,
    principal: PrincipalDep,
    action: str,
    incident: str = "",
    source: str = "",
    target: str = "",
) -> Response:
    _admin(principal)
    tasklist = tasklist_of(request)
    context = _instance_context(tasklist.client, key)
    what = _describe(action, context, incident, source, target)
    return tasklist.render(
        request,
        "console_confirm.html",
        principal,
        instance=context["instance"],
        action=action,
        what=what,
        incident=incident,
        source=source,
        target=target,
    )


@router.post("/console/instances/{key}/do", dependencies=[Depends(require_csrf)])
def console_do(
    request: Request,
    key: int,
    principal: PrincipalDep,
    action: Annotated[str, Form()],
    incident: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
) -> Response:
    _admin(principal)
    tasklist = tasklist_of(request)
    client = tasklist.client
    context = _instance_context(client, key)
    what = _describe(action, context, incident, source, target)
    details: dict[str, Any] = {"what": what}
    case_id = next((json.loads(v["value"]) for v in context["variables"] if v["name"] == "caseId"), None)
    try:
        if action == "retry":
            [found] = [i for i in context["incidents"] if i["incidentKey"] == incident]
            if found.get("jobKey"):
                client.update_job_retries(found["jobKey"], 1)
            client.resolve_incident(incident)
            details.update(incidentKey=incident, jobKey=found.get("jobKey"), elementId=found["elementId"])
            element = found["elementId"]
        else:
            client.move_token(key, source, target, {})
            details.update(source=source, target=target)
            element = target
    except ApiError as err:
        return tasklist.render(
            request,
            "console_confirm.html",
            principal,
            status_code=409,
            instance=context["instance"],
            action=action,
            what=what,
            incident=incident,
            source=source,
            target=target,
            error=f"操作未完成：{err.detail}",
        )
    audit.record(
        tasklist.db,
        principal,
        f"console.{action}",
        case_id=case_id if isinstance(case_id, int) else None,
        process_instance_key=key,
        element_id=element,
        details=details,
        at=tasklist.now(),
    )
    return RedirectResponse(f"/console/instances/{key}?done={quote(action)}", status_code=303)
