"""The /v2 routes: user tasks (search, get, assign, unassign, complete, form, variables),
process instances (create, get), process definition XML, and (read-only) incident and variable
searches."""

from __future__ import annotations

import copy
import functools
import hmac
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Security
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.responses import JSONResponse, Response
from fastapi.security import OAuth2

from jiuzhu.engine.errors import EngineError
from jiuzhu.engine.records import UserTask, UserTaskState
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.variables import INT64_MAX
from jiuzhu.engine_rest import acting, filters
from jiuzhu.engine_rest.forms import FormRepository, form_id_of
from jiuzhu.engine_rest.incidents import build_incident_router
from jiuzhu.engine_rest.operate import build_operate_router
from jiuzhu.engine_rest.problems import ApiProblem, from_engine_error, not_found
from jiuzhu.engine_rest.route import ProblemRoute
from jiuzhu.engine_rest.shapes import (
    AssignmentRequest,
    CompletionRequest,
    CreateProcessInstance,
    UserTaskFilter,
    UserTaskSearch,
    VariableSearch,
)
from jiuzhu.engine_rest.tasks import TENANT, TaskReader, iso_ms

TASK_SORT_FIELDS = {"creationDate", "completionDate", "dueDate", "followUpDate", "priority", "name"}
TASK_KINDS: dict[str, filters.Kind] = {
    "creationDate": "date",
    "completionDate": "date",
    "dueDate": "date",
    "followUpDate": "date",
    "priority": "int",
    "name": "str",
    "userTaskKey": "key",
}
API_SCOPES = {"admin": "everything", "tasklist": "user tasks, process instances, definitions"}
VARIABLE_SORT_FIELDS = {"name", "value", "variableKey", "scopeKey", "processInstanceKey", "tenantId"}

# keys beyond int64 are refused as INVALID_ARGUMENT (400), not looked up
TaskKey = Annotated[int, PathParam(ge=0, le=INT64_MAX, description="a Zeebe key")]
InstanceKey = Annotated[int, PathParam(ge=0, le=INT64_MAX)]
DefinitionKey = Annotated[int, PathParam(ge=0, le=INT64_MAX)]
OptionalSearch = Annotated[UserTaskSearch | None, Body()]
OptionalCompletion = Annotated[CompletionRequest | None, Body()]
OptionalVariableSearch = Annotated[VariableSearch | None, Body()]
Truncate = Annotated[bool, Query(alias="truncateValues")]


@functools.lru_cache(maxsize=4096)
def _instant_text(value: str | None) -> datetime | None:
    """A due or follow-up date as the BPMN set it; unparseable text counts as missing."""
    if not value:
        return None
    try:
        return filters.parse_instant(value)
    except ApiProblem:
        return None


def _instant_ms(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


def _record_sort_value(task: UserTask, field: str) -> Any:
    if field == "userTaskKey":
        return task.key
    if field == "creationDate":
        return _instant_ms(task.created_ms)
    if field == "completionDate":
        return _instant_ms(task.completed_ms)
    if field == "dueDate":
        return _instant_text(task.due_date)
    if field == "followUpDate":
        return _instant_text(task.follow_up_date)
    if field == "priority":
        return task.priority
    if field == "name":
        return task.element_name or task.element_id
    raise filters.bad_request(f"cannot sort by '{field}'")


def _check_field(prop: Any, read: Callable[[UserTask], Any], kind: filters.Kind, task: UserTask) -> bool:
    return filters.matches(prop, read(task), kind)


def _is_open_only(state: Any) -> bool:
    return state == UserTaskState.CREATED or state == {"$eq": UserTaskState.CREATED}


def _matches_variables(wanted: list[Any], variables: Mapping[str, Any]) -> bool:
    for item in wanted:
        if item.name not in variables:
            return False
        text = json.dumps(variables[item.name], ensure_ascii=False, default=str)
        if not filters.matches(item.value, text):
            return False
    return True


def build_v2_router(
    engine: Engine,
    forms: FormRepository | None = None,
    forms_dir: Path | None = None,
    api_token: str | None = None,
    oauth_token_url: str | None = None,
) -> APIRouter:
    """The user-task subset of Camunda 8.8's REST API v2 over ``engine``.

    ``api_token``: when set, every request must carry ``Authorization: Bearer <token>``
    (the embedded engine's stand-in for Camunda's OAuth-protected API).
    ``oauth_token_url``: declares OAuth 2.0 client credentials in the OpenAPI document; the check
    itself is the engine's guard in front of /v2 (``jiuzhu.engine.auth.http_guard``).
    """
    repository = forms or FormRepository(forms_dir)
    reader = TaskReader(engine)

    def authorise(authorization: str | None = Header(default=None)) -> None:
        if api_token is None:
            return
        expected = f"Bearer {api_token}"
        if authorization is None or not hmac.compare_digest(authorization.encode(), expected.encode()):
            raise ApiProblem(401, "UNAUTHORIZED", "The request lacks valid authentication credentials")

    dependencies = [Depends(authorise)]
    if oauth_token_url:
        flows = OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl=oauth_token_url, scopes=API_SCOPES))
        dependencies.append(Security(OAuth2(flows=flows, auto_error=False)))
    router = APIRouter(prefix="/v2", route_class=ProblemRoute, dependencies=dependencies, tags=["v2"])

    def _task(key: int, request: Request | None = None) -> UserTask:
        """The task, or NOT_FOUND — also when it is outside the requesting person's scope."""
        task = reader.get(key)
        staff = acting.person_of(request) if request is not None else None
        if task is None or (staff is not None and not acting.can_view(staff, task, reader.task_variables(task))):
            raise not_found(f"User Task with key '{key}' not found")
        return task

    def _refuse_unless(allowed: bool, key: int, what: str) -> None:
        if not allowed:
            raise ApiProblem(
                403,
                "FORBIDDEN",
                f"Command '{what}' rejected: user task '{key}' is not the signed-in person's to {what.lower()}",
            )

    def _command(name: str, call: Any) -> Any:
        try:
            return call()
        except EngineError as err:
            raise from_engine_error(err, name) from err

    def _record_checks(f: UserTaskFilter) -> list[Callable[[UserTask], bool]]:
        """The filter as checks on engine records, cheapest and most selective first; unset ones are left out."""
        fields: list[tuple[Any, Callable[[UserTask], Any], filters.Kind]] = [
            (f.user_task_key, lambda t: t.key, "key"),
            (f.process_instance_key, lambda t: t.instance_key, "key"),
            (f.element_instance_key, lambda t: t.element_instance_key, "key"),
            (f.assignee, lambda t: t.assignee, "str"),
            (f.candidate_user, lambda t: list(t.candidate_users), "str"),
            (f.candidate_group, lambda t: list(t.candidate_groups), "str"),
            (f.state, lambda t: t.state, "str"),
            (f.process_definition_key, lambda t: t.definition_key, "key"),
            (f.process_definition_id, lambda t: t.bpmn_process_id, "str"),
            (f.element_id, lambda t: t.element_id, "str"),
            (f.name, lambda t: t.element_name or t.element_id, "str"),
            (f.priority, lambda t: t.priority, "int"),
            (f.due_date, lambda t: _instant_text(t.due_date), "date"),
            (f.follow_up_date, lambda t: _instant_text(t.follow_up_date), "date"),
            (f.creation_date, lambda t: _instant_ms(t.created_ms), "date"),
            (f.completion_date, lambda t: _instant_ms(t.completed_ms), "date"),
            (f.tenant_id, lambda t: TENANT, "str"),
        ]
        checks: list[Callable[[UserTask], bool]] = [
            functools.partial(_check_field, prop, read, kind) for prop, read, kind in fields if prop is not None
        ]
        if f.process_instance_variables:
            wanted = f.process_instance_variables
            checks.append(lambda t: _matches_variables(wanted, reader.roots.get(t.instance_key)))
        if f.local_variables:
            local = f.local_variables
            checks.append(lambda t: _matches_variables(local, reader.task_variables(t)))
        return checks

    def _search(query: UserTaskSearch, staff: acting.Staff | None) -> dict[str, Any]:
        spec = filters.SortSpec.build(query.sort, TASK_SORT_FIELDS, "userTaskKey")
        checks = _record_checks(query.filter)
        if staff is not None:
            # Last, as the dearest check: the person's township and role, on the instance's variables.
            checks.append(lambda t: acting.can_view(staff, t, reader.roots.get(t.instance_key)))

        def sort_values(task: UserTask) -> list[Any]:
            return [_record_sort_value(task, name) for name, _ in spec.fields]

        with engine.lock:
            # Open tasks are the engine's live records: filter and sort them in place, copy only the page.
            rows = [t for t in engine.user_tasks.values() if all(check(t) for check in checks)]
            if not _is_open_only(query.filter.state):
                closed = engine.store.load(UserTask, reader.table.c.state != UserTaskState.CREATED)
                rows += [t for t in closed if all(check(t) for check in checks)]
            page = filters.paginate(rows, sort_values, spec, query.page, TASK_KINDS, render=copy.copy)
        page.items = [reader.render(task) for task in page.items]
        return page.as_json()

    @router.post("/user-tasks/search")
    async def search_user_tasks(request: Request, query: OptionalSearch = None) -> JSONResponse:
        staff = acting.person_of(request)
        return JSONResponse(await run_in_threadpool(_search, query or UserTaskSearch(), staff))

    @router.get("/user-tasks/{key}")
    def get_user_task(request: Request, key: TaskKey) -> JSONResponse:
        return JSONResponse(reader.render(_task(key, request)))

    @router.post("/user-tasks/{key}/assignment", status_code=204)
    def assign_user_task(request: Request, body: AssignmentRequest, key: TaskKey) -> Response:
        staff = acting.person_of(request)
        if staff is not None:
            task = _task(key, request)
            _refuse_unless(acting.can_assign(staff, task, reader.task_variables(task), body.assignee), key, "ASSIGN")

        def assign() -> None:
            with engine.lock:
                task = engine.user_task(key)
                if body.allow_override is False and task.assignee and task.assignee != body.assignee:
                    raise ApiProblem(
                        409,
                        "INVALID_STATE",
                        f"Command 'ASSIGN' rejected with code 'INVALID_STATE': Expected to assign user task with "
                        f"key '{key}', but it is already assigned to '{task.assignee}'",
                    )
                engine.assign_user_task(key, body.assignee)

        _command("ASSIGN", assign)
        return Response(status_code=204)

    @router.delete("/user-tasks/{key}/assignee", status_code=204)
    def unassign_user_task(request: Request, key: TaskKey) -> Response:
        staff = acting.person_of(request)
        if staff is not None:
            task = _task(key, request)
            _refuse_unless(acting.can_assign(staff, task, reader.task_variables(task), None), key, "ASSIGN")
        _command("ASSIGN", lambda: engine.assign_user_task(key, None))
        return Response(status_code=204)

    @router.post("/user-tasks/{key}/completion", status_code=204)
    def complete_user_task(
        request: Request,
        key: TaskKey,
        body: OptionalCompletion = None,
    ) -> Response:
        staff = acting.person_of(request)
        if staff is not None:
            task = _task(key, request)
            _refuse_unless(acting.can_complete(staff, task, reader.task_variables(task)), key, "COMPLETE")
        variables = (body.variables if body else None) or {}
        _command("COMPLETE", lambda: engine.complete_user_task(key, variables))
        return Response(status_code=204)

    @router.get("/user-tasks/{key}/form")
    def get_user_task_form(request: Request, key: TaskKey) -> Response:
        task = _task(key, request)
        form_id = form_id_of(task.form_key)
        if form_id is None:
            return Response(status_code=204)
        document = repository.find(form_id)
        if document is None:
            raise not_found(f"Form with id '{form_id}' (user task '{key}') not found")
        return JSONResponse(
            {
                "formKey": str(document.key),
                "formId": document.form_id,
                "bpmnId": document.form_id,
                "schema": document.schema,
                "version": document.version,
                "tenantId": TENANT,
            }
        )

    @router.post("/user-tasks/{key}/variables/search")
    def search_user_task_variables(
        request: Request,
        key: TaskKey,
        body: OptionalVariableSearch = None,
        truncate: Truncate = True,
    ) -> JSONResponse:
        query = body or VariableSearch()
        task = _task(key, request)
        variables = reader.task_variables(task)
        staff = acting.person_of(request)
        if staff is not None:
            variables = acting.masked(staff, variables)
        rows = [
            reader.render_variable(task, name, value, truncate)
            for name, value in variables.items()
            if filters.matches(query.filter.name, name)
        ]
        spec = filters.SortSpec.build(query.sort, VARIABLE_SORT_FIELDS, "name")
        page = filters.paginate(rows, lambda r: [r.get(name) for name, _ in spec.fields], spec, query.page, {})
        return JSONResponse(page.as_json())

    # ------------------------------------------------------------------ process instances & definitions

    @router.post("/process-instances")
    def create_process_instance(request: Request, body: CreateProcessInstance) -> JSONResponse:
        if not body.process_definition_id and not body.process_definition_key:
            raise ApiProblem(400, "INVALID_ARGUMENT", "Expected processDefinitionId or processDefinitionKey")
        staff = acting.person_of(request)
        if staff is not None and not acting.in_scope(staff, body.variables or {}):
            raise ApiProblem(403, "FORBIDDEN", "A person may start processes of their own township only")
        instance = _command(
            "CREATE",
            lambda: engine.create_instance(
                body.process_definition_id or "",
                body.variables or {},
                version=body.process_definition_version,
                definition_key=body.process_definition_key or 0,
                keep_result=body.await_completion,
            ),
        )
        variables: dict[str, Any] = {}
        if body.await_completion:
            timeout_s = (body.request_timeout or 10_000) / 1000
            result = engine.await_result(instance.key, timeout_s)
            if result is None:
                raise ApiProblem(504, "DEADLINE_EXCEEDED", "The process instance did not complete in time")
            variables = result
        return JSONResponse(
            {
                "processDefinitionId": instance.bpmn_process_id,
                "processDefinitionKey": str(instance.definition_key),
                "processDefinitionVersion": instance.version,
                "processInstanceKey": str(instance.key),
                "tenantId": TENANT,
                "variables": variables,
                "tags": [],
                "businessId": None,  # required by Camunda's clients (the SDK refuses a result without it)
            }
        )

    @router.get("/process-instances/{key}")
    def get_process_instance(request: Request, key: InstanceKey) -> JSONResponse:
        instance = reader.instance(key)
        staff = acting.person_of(request)
        # A running instance is judged on its variables; an ended one has none left, and its answer
        # (keys, state, dates) carries no personal data.
        hidden = (
            staff is not None
            and instance is not None
            and key in engine.instances
            and not acting.in_scope(staff, reader.instance_variables(key))
        )
        if instance is None or hidden:
            raise not_found(f"Process Instance with key '{key}' not found")
        has_incident = any(i.instance_key == instance.key for i in list(engine.incidents.values()))
        return JSONResponse(
            {
                "processInstanceKey": str(instance.key),
                "processDefinitionId": instance.bpmn_process_id,
                "processDefinitionName": reader.process_name(instance.definition_key),
                "processDefinitionVersion": instance.version,
                "processDefinitionKey": str(instance.definition_key),
                "state": instance.state,
                "startDate": iso_ms(instance.created_ms),
                "endDate": iso_ms(instance.ended_ms),
                "hasIncident": has_incident,
                "tenantId": TENANT,
            }
        )

    @router.get("/process-definitions/{key}/xml")
    def get_process_definition_xml(key: DefinitionKey) -> Response:
        deployed = engine.definitions.get(key)
        if deployed is None:
            raise not_found(f"Process Definition with key '{key}' not found")
        return Response(deployed.definition.resource, media_type="text/xml")

    router.include_router(build_incident_router(engine))
    router.include_router(build_operate_router(engine))
    return router
