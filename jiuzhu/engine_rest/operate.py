"""What Camunda Operate reads and does, in Camunda 8.8's /v2 shapes: process-instance search,
cancellation and modification; element-instance search and get (the engine's element history,
runtime/history.py); variables on an element instance; incident get and resolution; job updates
(retries, timeout).

A token acting for a person reads only instances of that person's township (county staff and
system administrators: the whole county); only a system administrator may change anything.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from jiuzhu.engine.errors import EngineError
from jiuzhu.engine.records import ElementInstance, ElementInstanceState, Instance, InstanceState
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.runtime.modification import Activation, Modification
from jiuzhu.engine.store.repository import TABLE_OF
from jiuzhu.engine.variables import INT64_MAX
from jiuzhu.engine_rest import acting, filters
from jiuzhu.engine_rest.problems import ApiProblem, from_engine_error, not_found
from jiuzhu.engine_rest.route import ProblemRoute
from jiuzhu.engine_rest.shapes import FilterValue, PageRequest, SortField, Strict, Variables
from jiuzhu.engine_rest.tasks import TENANT, iso_ms

Key = Annotated[int, PathParam(ge=0, le=INT64_MAX)]


def _key_text(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a key is a number")
    if isinstance(value, str):
        if not value.isdigit() or len(value) > 19:
            raise ValueError("a key is a numeric string within 64 bits")
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= INT64_MAX:
        raise ValueError("a key is a number within 64 bits")
    return value


LongKey = Annotated[str | int, Field()]


# ---------------------------------------------------------------------------------- request bodies


class VariableValue(Strict):
    name: str
    value: FilterValue = None


class ProcessInstanceFilter(Strict):
    process_instance_key: FilterValue = Field(default=None, alias="processInstanceKey")
    process_definition_id: FilterValue = Field(default=None, alias="processDefinitionId")
    process_definition_key: FilterValue = Field(default=None, alias="processDefinitionKey")
    process_definition_name: FilterValue = Field(default=None, alias="processDefinitionName")
    process_definition_version: FilterValue = Field(default=None, alias="processDefinitionVersion")
    parent_process_instance_key: FilterValue = Field(default=None, alias="parentProcessInstanceKey")
    state: FilterValue = None
    has_incident: bool | None = Field(default=None, alias="hasIncident")
    start_date: FilterValue = Field(default=None, alias="startDate")
    end_date: FilterValue = Field(default=None, alias="endDate")
    tenant_id: FilterValue = Field(default=None, alias="tenantId")
    variables: list[VariableValue] = Field(default_factory=list)


class ProcessInstanceSearch(Strict):
    filter: ProcessInstanceFilter = Field(default_factory=ProcessInstanceFilter)
    sort: list[SortField] = Field(default_factory=list)
    page: PageRequest = Field(default_factory=PageRequest)


class ElementInstanceFilter(Strict):
    element_instance_key: FilterValue = Field(default=None, alias="elementInstanceKey")
    process_instance_key: FilterValue = Field(default=None, alias="processInstanceKey")
    process_definition_id: FilterValue = Field(default=None, alias="processDefinitionId")
    process_definition_key: FilterValue = Field(default=None, alias="processDefinitionKey")
    element_id: FilterValue = Field(default=None, alias="elementId")
    element_name: FilterValue = Field(default=None, alias="elementName")
    type: FilterValue = None
    state: FilterValue = None
    has_incident: bool | None = Field(default=None, alias="hasIncident")
    incident_key: FilterValue = Field(default=None, alias="incidentKey")
    element_instance_scope_key: FilterValue = Field(default=None, alias="elementInstanceScopeKey")
    start_date: FilterValue = Field(default=None, alias="startDate")
    end_date: FilterValue = Field(default=None, alias="endDate")
    tenant_id: FilterValue = Field(default=None, alias="tenantId")


class ElementInstanceSearch(Strict):
    filter: ElementInstanceFilter = Field(default_factory=ElementInstanceFilter)
    sort: list[SortField] = Field(default_factory=list)
    page: PageRequest = Field(default_factory=PageRequest)


class Cancellation(Strict):
    operation_reference: int | None = Field(default=None, alias="operationReference")


class VariableInstruction(Strict):
    variables: Variables = None
    scope_id: str = Field(default="", alias="scopeId")


class ActivateInstruction(Strict):
    element_id: str = Field(alias="elementId", min_length=1)
    ancestor_element_instance_key: LongKey | None = Field(default=None, alias="ancestorElementInstanceKey")
    variable_instructions: list[VariableInstruction] = Field(default_factory=list, alias="variableInstructions")


class TerminateInstruction(Strict):
    element_instance_key: LongKey | None = Field(default=None, alias="elementInstanceKey")
    element_id: str | None = Field(default=None, alias="elementId")


class SourceElement(Strict):
    source_type: str = Field(alias="sourceType")
    source_element_id: str | None = Field(default=None, alias="sourceElementId")
    source_element_instance_key: LongKey | None = Field(default=None, alias="sourceElementInstanceKey")


class MoveInstruction(Strict):
    source_element_instruction: SourceElement = Field(alias="sourceElementInstruction")
    target_element_id: str = Field(alias="targetElementId", min_length=1)
    ancestor_scope_instruction: dict[str, Any] | None = Field(default=None, alias="ancestorScopeInstruction")
    variable_instructions: list[VariableInstruction] = Field(default_factory=list, alias="variableInstructions")


class ModificationRequest(Strict):
    activate_instructions: list[ActivateInstruction] = Field(default_factory=list, alias="activateInstructions")
    move_instructions: list[MoveInstruction] = Field(default_factory=list, alias="moveInstructions")
    terminate_instructions: list[TerminateInstruction] = Field(default_factory=list, alias="terminateInstructions")
    operation_reference: int | None = Field(default=None, alias="operationReference")


class SetVariables(Strict):
    variables: Variables
    local: bool = False
    operation_reference: int | None = Field(default=None, alias="operationReference")


class Resolution(Strict):
    operation_reference: int | None = Field(default=None, alias="operationReference")


class JobChangeset(Strict):
    retries: int | None = Field(default=None, ge=0, le=2**31 - 1)
    timeout: int | None = Field(default=None, ge=0, le=2**53)


class JobUpdate(Strict):
    changeset: JobChangeset
    operation_reference: int | None = Field(default=None, alias="operationReference")


OptionalInstanceSearch = Annotated[ProcessInstanceSearch | None, Body()]
OptionalElementSearch = Annotated[ElementInstanceSearch | None, Body()]
OptionalCancellation = Annotated[Cancellation | None, Body()]
OptionalResolution = Annotated[Resolution | None, Body()]

INSTANCE_KINDS: dict[str, filters.Kind] = {
    "processInstanceKey": "key",
    "processDefinitionKey": "key",
    "parentProcessInstanceKey": "key",
    "processDefinitionVersion": "int",
    "startDate": "date",
    "endDate": "date",
}
INSTANCE_SORT = set(INSTANCE_KINDS) | {"processDefinitionId", "processDefinitionName", "state", "hasIncident"}
ELEMENT_KINDS: dict[str, filters.Kind] = {
    "elementInstanceKey": "key",
    "processInstanceKey": "key",
    "processDefinitionKey": "key",
    "incidentKey": "key",
    "startDate": "date",
    "endDate": "date",
}
ELEMENT_SORT = set(ELEMENT_KINDS) | {"elementId", "elementName", "processDefinitionId", "state", "type"}


def _instant(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


def _sort_values(spec: filters.SortSpec, kinds: dict[str, filters.Kind]) -> Any:
    def values(item: dict[str, Any]) -> list[Any]:
        out = []
        for name, _ in spec.fields:
            raw = item.get(name)
            out.append(None if raw is None else filters._normalise(raw, kinds.get(name, "str")))
        return out

    return values


def _key_of(value: Any, what: str) -> int:
    try:
        return _key_text(value)
    except ValueError as err:
        raise ApiProblem(400, "INVALID_ARGUMENT", f"{what}: {err}") from err


def build_operate_router(engine: Engine) -> APIRouter:
    router = APIRouter(route_class=ProblemRoute)

    def _command(name: str, call: Any) -> Any:
        try:
            return call()
        except EngineError as err:
            raise from_engine_error(err, name) from err

    def _operator_only(request: Request, what: str) -> None:
        staff = acting.person_of(request)
        if staff is not None and not acting.may_operate(staff):
            raise ApiProblem(403, "FORBIDDEN", f"Command '{what}' rejected: only a system administrator may do it")

    def _visible(staff: acting.Staff | None, instance_key: int) -> bool:
        if staff is None or acting.county_wide(staff):
            return True
        if instance_key not in engine.instances:
            return False  # an ended instance has no variables left to judge it by
        return acting.in_scope(staff, engine.root_variables(instance_key))

    def _incident_of(element_key: int) -> int | None:
        for incident in list(engine.incidents.values()):
            if incident.element_instance_key == element_key:
                return incident.key
        return None

    # ------------------------------------------------------------------ process instances

    def render_instance(instance: Instance, with_incident: set[int]) -> dict[str, Any]:
        deployed = engine.definitions.get(instance.definition_key)
        return {
            "processInstanceKey": str(instance.key),
            "processDefinitionId": instance.bpmn_process_id,
            "processDefinitionName": (deployed.definition.name or None) if deployed else None,
            "processDefinitionVersion": instance.version,
            "processDefinitionVersionTag": None,
            "processDefinitionKey": str(instance.definition_key),
            "parentProcessInstanceKey": None if instance.parent_key is None else str(instance.parent_key),
            "parentElementInstanceKey": None,
            "startDate": iso_ms(instance.created_ms),
            "endDate": iso_ms(instance.ended_ms),
            "state": instance.state,
            "hasIncident": instance.key in with_incident,
            "tenantId": TENANT,
            "tags": [],
            "rootProcessInstanceKey": None,
            "suspendedDate": None,  # newer than 8.8; Camunda's current client requires them
            "businessId": None,
        }

    def _instances(query: ProcessInstanceSearch, staff: acting.Staff | None) -> dict[str, Any]:
        f = query.filter
        spec = filters.SortSpec.build(query.sort, INSTANCE_SORT, "processInstanceKey")
        table = TABLE_OF[Instance]
        only_active = f.state in (InstanceState.ACTIVE, {"$eq": InstanceState.ACTIVE})
        ended = [] if only_active else engine.store.load(Instance, table.c.state != InstanceState.ACTIVE)
        rows = []
        with engine.lock:
            with_incident = {i.instance_key for i in engine.incidents.values()}
            candidates = [*engine.instances.values(), *ended]
            for instance in candidates:
                if not _visible(staff, instance.key):
                    continue
                item = render_instance(instance, with_incident)
                checks: list[tuple[Any, Any, filters.Kind]] = [
                    (f.process_instance_key, instance.key, "key"),
                    (f.process_definition_id, instance.bpmn_process_id, "str"),
                    (f.process_definition_key, instance.definition_key, "key"),
                    (f.process_definition_name, item["processDefinitionName"], "str"),
                    (f.process_definition_version, instance.version, "int"),
                    (f.parent_process_instance_key, instance.parent_key, "key"),
                    (f.state, instance.state, "str"),
                    (f.start_date, _instant(instance.created_ms), "date"),
                    (f.end_date, _instant(instance.ended_ms), "date"),
                    (f.tenant_id, TENANT, "str"),
                ]
                if not all(filters.matches(p, actual, kind) for p, actual, kind in checks):
                    continue
                if f.has_incident is not None and item["hasIncident"] != f.has_incident:
                    continue
                if f.variables:
                    variables = engine.root_variables(instance.key)
                    if not all(
                        v.name in variables and filters.matches(v.value, _json(variables[v.name])) for v in f.variables
                    ):
                        continue
                rows.append(item)
        return filters.paginate(rows, _sort_values(spec, INSTANCE_KINDS), spec, query.page, INSTANCE_KINDS).as_json()

    @router.post("/process-instances/search")
    async def search_process_instances(request: Request, query: OptionalInstanceSearch = None) -> JSONResponse:
        staff = acting.person_of(request)
        return JSONResponse(await run_in_threadpool(_instances, query or ProcessInstanceSearch(), staff))

    @router.post("/process-instances/{key}/cancellation", status_code=204)
    def cancel_process_instance(request: Request, key: Key, body: OptionalCancellation = None) -> Response:
        _operator_only(request, "CANCEL")
        _command("CANCEL", lambda: engine.cancel_instance(key))
        return Response(status_code=204)

    def _variables(instructions: list[VariableInstruction]) -> list[tuple[str, dict[str, Any]]]:
        return [(v.scope_id, dict(v.variables or {})) for v in instructions]

    @router.post("/process-instances/{key}/modification", status_code=204)
    def modify_process_instance(request: Request, key: Key, body: ModificationRequest) -> Response:
        _operator_only(request, "MODIFY")
        modification = Modification(
            activate=[
                Activation(
                    a.element_id,
                    None
                    if a.ancestor_element_instance_key in (None, "", "-1", -1)
                    else _key_of(a.ancestor_element_instance_key, "ancestorElementInstanceKey"),
                    _variables(a.variable_instructions),
                )
                for a in body.activate_instructions
            ]
        )
        for t in body.terminate_instructions:
            if t.element_instance_key is not None:
                modification.terminate_keys.append(_key_of(t.element_instance_key, "elementInstanceKey"))
            elif t.element_id:
                modification.terminate_ids.append(t.element_id)
            else:
                raise ApiProblem(
                    400, "INVALID_ARGUMENT", "A terminate instruction needs elementInstanceKey or elementId"
                )
        for m in body.move_instructions:
            source = m.source_element_instruction
            source_key = (
                None
                if source.source_element_instance_key is None
                else _key_of(source.source_element_instance_key, "sourceElementInstanceKey")
            )
            if source_key is None and not source.source_element_id:
                raise ApiProblem(
                    400, "INVALID_ARGUMENT", "A move instruction needs sourceElementId or sourceElementInstanceKey"
                )
            target = Activation(m.target_element_id, None, _variables(m.variable_instructions))
            modification.moves.append((source.source_element_id, source_key, target))
        _command("MODIFY", lambda: engine.modify_instance(key, modification))
        return Response(status_code=204)

    # ------------------------------------------------------------------ element instances

    def render_element(row: ElementInstance, incidents: dict[int, int]) -> dict[str, Any]:
        incident = incidents.get(row.key) if row.state == ElementInstanceState.ACTIVE else None
        return {
            "elementInstanceKey": str(row.key),
            "processInstanceKey": str(row.instance_key),
            "rootProcessInstanceKey": None,
            "processDefinitionId": row.bpmn_process_id,
            "processDefinitionKey": str(row.definition_key),
            "elementId": row.element_id,
            "elementName": row.element_name or row.element_id,
            "type": row.element_type,
            "state": row.state,
            "startDate": iso_ms(row.start_ms),
            "endDate": iso_ms(row.end_ms),
            "hasIncident": incident is not None,
            "incidentKey": None if incident is None else str(incident),
            "tenantId": TENANT,
            "elementInstanceScopeKey": str(row.flow_scope_key),
        }

    def _element_rows(f: ElementInstanceFilter) -> list[ElementInstance]:
        table = engine.store.element_table()
        where = []
        if isinstance(f.process_instance_key, (int, str)) and not isinstance(f.process_instance_key, bool):
            where.append(table.c.instance_key == _key_of(f.process_instance_key, "processInstanceKey"))
        if isinstance(f.element_instance_key, (int, str)) and not isinstance(f.element_instance_key, bool):
            where.append(table.c.key == _key_of(f.element_instance_key, "elementInstanceKey"))
        # the open rows are the engine's (a command may have changed them since the last commit)
        with engine.lock:
            live = {r.key: ElementInstance(**r.__dict__) for r in engine.history.by_key.values()}
        merged = {r.key: r for r in engine.store.element_instances(*where)}
        merged.update({k: r for k, r in live.items() if k in merged or not where})
        return sorted(merged.values(), key=lambda r: r.position)

    def _elements(query: ElementInstanceSearch, staff: acting.Staff | None) -> dict[str, Any]:
        f = query.filter
        spec = filters.SortSpec.build(query.sort, ELEMENT_SORT, "elementInstanceKey")
        rows = _element_rows(f)
        with engine.lock:
            incidents = {i.element_instance_key: i.key for i in engine.incidents.values()}
        items = []
        order: dict[str, int] = {}
        for row in rows:
            if not _visible(staff, row.instance_key):
                continue
            item = render_element(row, incidents)
            checks: list[tuple[Any, Any, filters.Kind]] = [
                (f.element_instance_key, row.key, "key"),
                (f.process_instance_key, row.instance_key, "key"),
                (f.process_definition_id, row.bpmn_process_id, "str"),
                (f.process_definition_key, row.definition_key, "key"),
                (f.element_id, row.element_id, "str"),
                (f.element_name, item["elementName"], "str"),
                (f.type, row.element_type, "str"),
                (f.state, row.state, "str"),
                (f.incident_key, incidents.get(row.key), "key"),
                (f.element_instance_scope_key, row.flow_scope_key, "key"),
                (f.start_date, _instant(row.start_ms), "date"),
                (f.end_date, _instant(row.end_ms), "date"),
                (f.tenant_id, TENANT, "str"),
            ]
            if not all(filters.matches(p, actual, kind) for p, actual, kind in checks):
                continue
            if f.has_incident is not None and item["hasIncident"] != f.has_incident:
                continue
            order[item["elementInstanceKey"]] = row.position
            items.append(item)
        if not query.sort:  # by default the order they happened in
            spec = filters.SortSpec([("position", False), ("elementInstanceKey", False)])
            for item in items:
                item["position"] = order[item["elementInstanceKey"]]
            kinds = {**ELEMENT_KINDS, "position": "int"}
            page = filters.paginate(items, _sort_values(spec, kinds), spec, query.page, kinds)
            for item in page.items:
                item.pop("position", None)
            return page.as_json()
        return filters.paginate(items, _sort_values(spec, ELEMENT_KINDS), spec, query.page, ELEMENT_KINDS).as_json()

    @router.post("/element-instances/search")
    async def search_element_instances(request: Request, query: OptionalElementSearch = None) -> JSONResponse:
        staff = acting.person_of(request)
        return JSONResponse(await run_in_threadpool(_elements, query or ElementInstanceSearch(), staff))

    @router.get("/element-instances/{key}")
    def get_element_instance(request: Request, key: Key) -> JSONResponse:
        found = _elements(ElementInstanceSearch(filter=ElementInstanceFilter(elementInstanceKey=key)), None)["items"]
        staff = acting.person_of(request)
        if not found or not _visible(staff, int(found[0]["processInstanceKey"])):
            raise not_found(f"Element Instance with key '{key}' not found")
        return JSONResponse(found[0])

    @router.put("/element-instances/{key}/variables", status_code=204)
    def set_element_instance_variables(request: Request, key: Key, body: SetVariables) -> Response:
        _operator_only(request, "UPDATE")
        _command("UPDATE", lambda: engine.set_element_variables(key, dict(body.variables or {}), body.local))
        return Response(status_code=204)

    # ------------------------------------------------------------------ incidents and jobs

    @router.get("/incidents/{key}")
    def get_incident(request: Request, key: Key) -> JSONResponse:
        with engine.lock:
            incident = engine.incidents.get(key)
            instance = engine.instances.get(incident.instance_key) if incident is not None else None
        staff = acting.person_of(request)
        if incident is None or instance is None or not _visible(staff, instance.key):
            raise not_found(f"Incident with key '{key}' not found")
        return JSONResponse(
            {
                "incidentKey": str(incident.key),
                "processDefinitionId": instance.bpmn_process_id,
                "processDefinitionKey": str(instance.definition_key),
                "processInstanceKey": str(incident.instance_key),
                "rootProcessInstanceKey": None,
                "errorType": str(incident.error_type) or "UNKNOWN",
                "errorMessage": incident.message,
                "elementId": incident.element_id,
                "elementInstanceKey": str(incident.element_instance_key),
                "creationTime": iso_ms(incident.created_ms),
                "state": "ACTIVE",
                "jobKey": None if incident.job_key is None else str(incident.job_key),
                "tenantId": TENANT,
            }
        )

    @router.post("/incidents/{key}/resolution", status_code=204)
    def resolve_incident(request: Request, key: Key, body: OptionalResolution = None) -> Response:
        _operator_only(request, "RESOLVE")
        _command("RESOLVE", lambda: engine.resolve_incident(key))
        return Response(status_code=204)

    @router.patch("/jobs/{key}", status_code=204)
    def update_job(request: Request, key: Key, body: JobUpdate) -> Response:
        _operator_only(request, "UPDATE")
        change = body.changeset
        if change.retries is None and change.timeout is None:
            raise ApiProblem(400, "INVALID_ARGUMENT", "No update requested: the changeset is empty")
        if change.retries is not None:
            _command("UPDATE", lambda: engine.update_job_retries(key, change.retries or 0))
        if change.timeout is not None:
            _command("UPDATE", lambda: engine.update_job_timeout(key, change.timeout or 0))
        return Response(status_code=204)

    return router


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, default=str)
