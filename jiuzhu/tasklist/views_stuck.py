"""卡住的案件: cases whose process stopped on an incident (a job that ran out of retries after a
technical failure — the check platform down, the database unreachable). Read through the task
list's engine client (``/v2/incidents/search``); the township sees its own, the county all."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Annotated, Any
from xml.etree import ElementTree

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from jiuzhu.tasklist.caserecord import CaseSummary, case_id_of, summaries_by_id
from jiuzhu.tasklist.client import ApiError, V2Client
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.guards import Forbidden, current_principal
from jiuzhu.tasklist.roles import Principal
from schemas.enums import StaffRole

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
WATCHERS = (StaffRole.CASEWORKER, StaffRole.LEADER, StaffRole.COUNTY_SUPERVISOR)
ERROR_TYPES = {
    "JOB_NO_RETRIES": "系统处理多次失败",
    "IO_MAPPING_ERROR": "流程变量映射出错",
    "EXTRACT_VALUE_ERROR": "流程取值出错",
    "CONDITION_ERROR": "流程条件出错",
    "UNHANDLED_ERROR_EVENT": "未处理的业务错误",
}


@dataclass
class StuckCase:
    case: CaseSummary | None
    step: str
    kind: str
    message: str
    since: str | None


@functools.lru_cache(maxsize=64)
def _element_names(xml: str) -> dict[str, str]:
    root = ElementTree.fromstring(xml)
    return {e.get("id", ""): e.get("name", "") for e in root.iter() if e.get("id") and e.get("name")}


def _step_name(client: V2Client, incident: dict[str, Any]) -> str:
    element = str(incident.get("elementId") or "")
    try:
        xml = client.get_process_definition_xml(incident["processDefinitionKey"])
    except (ApiError, KeyError):
        return "（环节未知）"
    return _element_names(xml).get(element) or "（未命名环节）"


def _for_people(message: str) -> str:
    """The worker's message without the exception's class name (``PlatformError: …``)."""
    return re.sub(r"^[A-Za-z_.]+(Error|Exception): ", "", message)


def stuck_cases(client: V2Client, db: Any, principal: Principal) -> list[StuckCase]:
    incidents = client.search_incidents({})
    case_ids: dict[str, int | None] = {}
    for incident in incidents:
        key = str(incident["processInstanceKey"])
        if key not in case_ids:
            try:
                case_ids[key] = case_id_of({"caseId": client.process_variable(key, "caseId")})
            except ApiError:
                case_ids[key] = None
    summaries = summaries_by_id(db, [c for c in case_ids.values() if c is not None])
    found = []
    for incident in incidents:
        case_id = case_ids.get(str(incident["processInstanceKey"]))
        summary = summaries.get(case_id) if case_id is not None else None
        if not principal.county_wide and (summary is None or summary.township_id != principal.township_id):
            continue  # a township sees its own cases; an incident without a case is the county's
        found.append(
            StuckCase(
                case=summary,
                step=_step_name(client, incident),
                kind=ERROR_TYPES.get(str(incident.get("errorType")), "系统错误"),
                message=_for_people(str(incident.get("errorMessage") or "")),
                since=incident.get("creationTime"),
            )
        )
    return found


@router.get("/stuck")
def stuck_page(request: Request, principal: PrincipalDep) -> Response:
    if principal.role not in WATCHERS:
        raise Forbidden(404, "页面不存在，或不在您的办理范围内")
    tasklist = tasklist_of(request)
    return tasklist.render(request, "stuck.html", principal, stuck=stuck_cases(tasklist.client, tasklist.db, principal))
