"""Read-only incident and variable searches in Camunda 8.8's shape (``POST /v2/incidents/search``,
``POST /v2/variables/search``): enough for the task list's 卡住的案件 — which jobs ran out of
retries, in which process instance, and the ``caseId`` of that instance."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import Field

from jiuzhu.engine.records import Incident
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine_rest import acting, filters
from jiuzhu.engine_rest.route import ProblemRoute
from jiuzhu.engine_rest.shapes import FilterValue, PageRequest, SortField, Strict
from jiuzhu.engine_rest.tasks import TENANT, iso_ms

INCIDENT_KINDS: dict[str, filters.Kind] = {"creationTime": "date", "incidentKey": "key", "processInstanceKey": "key"}
INCIDENT_SORT_FIELDS = set(INCIDENT_KINDS) | {"elementId", "errorType"}


class IncidentFilter(Strict):
    incident_key: FilterValue = Field(default=None, alias="incidentKey")
    process_instance_key: FilterValue = Field(default=None, alias="processInstanceKey")
    process_definition_id: FilterValue = Field(default=None, alias="processDefinitionId")
    element_id: FilterValue = Field(default=None, alias="elementId")
    error_type: FilterValue = Field(default=None, alias="errorType")
    state: FilterValue = None
    job_key: FilterValue = Field(default=None, alias="jobKey")


class IncidentSearch(Strict):
    filter: IncidentFilter = Field(default_factory=IncidentFilter)
    sort: list[SortField] = Field(default_factory=list)
    page: PageRequest = Field(default_factory=PageRequest)


class ProcessVariableFilter(Strict):
    name: FilterValue = None
    process_instance_key: FilterValue = Field(default=None, alias="processInstanceKey")


class ProcessVariableSearch(Strict):
    filter: ProcessVariableFilter = Field(default_factory=ProcessVariableFilter)
    page: PageRequest = Field(default_factory=PageRequest)


OptionalIncidentSearch = Annotated[IncidentSearch | None, Body()]
OptionalVariableSearch = Annotated[ProcessVariableSearch | None, Body()]


def _error_type(incident: Incident) -> str:
    """The engine names incidents as Zeebe does (JOB_NO_RETRIES, IO_MAPPING_ERROR, ...)."""
    return str(incident.error_type) or "UNKNOWN"


def build_incident_router(engine: Engine) -> APIRouter:
    router = APIRouter(route_class=ProblemRoute)

    def render(incident: Incident, bpmn_process_id: str, definition_key: int) -> dict[str, Any]:
        return {
            "incidentKey": str(incident.key),
            "processDefinitionId": bpmn_process_id,
            "processDefinitionKey": str(definition_key),
            "processInstanceKey": str(incident.instance_key),
            "rootProcessInstanceKey": None,
            "errorType": _error_type(incident),
            "errorMessage": incident.message,
            "elementId": incident.element_id,
            "elementInstanceKey": str(incident.element_instance_key),
            "creationTime": iso_ms(incident.created_ms),
            "state": "ACTIVE",
            "jobKey": None if incident.job_key is None else str(incident.job_key),
            "tenantId": TENANT,
        }

    def _search(query: IncidentSearch, staff: acting.Staff | None) -> dict[str, Any]:
        f = query.filter
        spec = filters.SortSpec.build(query.sort, INCIDENT_SORT_FIELDS, "incidentKey")
        with engine.lock:
            rows = []
            for incident in list(engine.incidents.values()):
                instance = engine.instances.get(incident.instance_key)
                if staff is not None and not acting.in_scope(staff, engine.root_variables(incident.instance_key)):
                    continue
                process_id = instance.bpmn_process_id if instance is not None else ""
                definition_key = instance.definition_key if instance is not None else 0
                item = render(incident, process_id, definition_key)
                checks: list[tuple[Any, Any, filters.Kind]] = [
                    (f.incident_key, incident.key, "key"),
                    (f.process_instance_key, incident.instance_key, "key"),
                    (f.process_definition_id, process_id, "str"),
                    (f.element_id, incident.element_id, "str"),
                    (f.error_type, item["errorType"], "str"),
                    (f.state, "ACTIVE", "str"),
                    (f.job_key, incident.job_key, "key"),
                ]
                if all(filters.matches(prop, actual, kind) for prop, actual, kind in checks):
                    rows.append(item)

        def sort_values(item: dict[str, Any]) -> list[Any]:
            values = []
            for name, _ in spec.fields:
                raw = item.get(name)
                kind = INCIDENT_KINDS.get(name, "str")
                values.append(None if raw is None else filters._normalise(raw, kind))
            return values

        return filters.paginate(rows, sort_values, spec, query.page, INCIDENT_KINDS).as_json()

    @router.post("/incidents/search")
    async def search_incidents(request: Request, query: OptionalIncidentSearch = None) -> JSONResponse:
        staff = acting.person_of(request)
        return JSONResponse(await run_in_threadpool(_search, query or IncidentSearch(), staff))

    def _variables(query: ProcessVariableSearch, staff: acting.Staff | None) -> dict[str, Any]:
        f = query.filter
        with engine.lock:
            keys = [k for k in list(engine.instances) if filters.matches(f.process_instance_key, k, "key")]
            rows = []
            for key in keys:
                variables = engine.root_variables(key)
                if staff is not None:
                    if not acting.in_scope(staff, variables):
                        continue
                    variables = acting.masked(staff, dict(variables))
                for name, value in variables.items():
                    if not filters.matches(f.name, name):
                        continue
                    text = json.dumps(value, ensure_ascii=False, default=str)
                    digest = hashlib.sha256(f"{key}:{name}".encode()).digest()
                    rows.append(
                        {
                            "variableKey": str((3 << 51) + int.from_bytes(digest[:6], "big")),
                            "name": name,
                            "value": text,
                            "isTruncated": False,
                            "processInstanceKey": str(key),
                            "scopeKey": str(key),
                            "tenantId": TENANT,
                        }
                    )
        spec = filters.SortSpec.build([], {"name"}, "variableKey")
        return filters.paginate(
            rows, lambda r: [int(r["variableKey"])], spec, query.page, {"variableKey": "key"}
        ).as_json()

    @router.post("/variables/search")
    async def search_variables(request: Request, query: OptionalVariableSearch = None) -> JSONResponse:
        staff = acting.person_of(request)
        return JSONResponse(await run_in_threadpool(_variables, query or ProcessVariableSearch(), staff))

    return router
