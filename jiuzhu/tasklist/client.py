"""The task list's only way to the engine: Camunda 8.8 REST API v2, over httpx.

Works against the embedded engine (``build_v2_router``) and a Camunda 8.8 cluster alike. With
OAuth settings, a client-credentials token is fetched, cached until shortly before it expires and
sent as ``Authorization: Bearer``.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx

from jiuzhu.engine.auth.person import Person
from jiuzhu.oauth import OAuthCredentials, TokenProvider, TokenRefused, trust
from jiuzhu.tasklist.roles import Principal
from jiuzhu.tasklist.settings import TasklistSettings
from schemas.enums import StaffRole

__all__ = ["ApiError", "OAuthCredentials", "TokenProvider", "V2Client", "acting_for", "as_county_reader"]

# The signed-in person the current request works for: its calls carry a token naming them, so the
# engine applies their township and role too (``jiuzhu.engine_rest.acting``).
_ACTING_FOR: contextvars.ContextVar[str | None] = contextvars.ContextVar("jiuzhu_acting_for", default=None)


def person_claims(principal: Principal) -> str:
    return Person(
        principal.login, principal.role.value, principal.township_id, principal.township_code, principal.village_ids
    ).to_json()


@contextmanager
def acting_for(principal: Principal | None) -> Iterator[None]:
    """Calls made inside act for ``principal`` (None: for nobody, the task list's own token)."""
    reset = _ACTING_FOR.set(person_claims(principal) if principal is not None else None)
    try:
        yield
    finally:
        _ACTING_FOR.reset(reset)


def as_county_reader(login: str, name: str) -> Callable[[], AbstractContextManager[None]]:
    """For the task list's own background sweeps (new-task notices, case reconciling): their calls act
    for a county-wide reader named ``login``, whom the engine scopes and masks like any county supervisor."""
    reader = Principal(0, login, name, StaffRole.COUNTY_SUPERVISOR, None, None, None, None)
    return lambda: acting_for(reader)


class ApiError(Exception):
    """A problem+json answer (or a transport failure) from the REST API."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail


class V2Client:
    """The user-task subset of the Orchestration Cluster REST API."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenProvider | None = None,
        static_token: str | None = None,
        http: httpx.Client | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.static_token = static_token
        self.http = http or httpx.Client(timeout=timeout)

    @classmethod
    def from_settings(cls, settings: TasklistSettings, http: httpx.Client | None = None) -> V2Client:
        tokens = None
        if settings.oauth_url and settings.client_id and settings.client_secret:
            tokens = TokenProvider(
                OAuthCredentials(
                    settings.oauth_url,
                    settings.client_id,
                    settings.client_secret,
                    settings.token_audience,
                    settings.token_scope,
                    settings.ca_file,
                )
            )
        if http is None and settings.ca_file:
            http = httpx.Client(timeout=15.0, verify=trust(settings.ca_file))
        return cls(settings.api_url, tokens=tokens, static_token=settings.api_token, http=http)

    # ------------------------------------------------------------------ transport

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.tokens is not None:
            try:
                headers["Authorization"] = f"Bearer {self.tokens.token(_ACTING_FOR.get())}"
            except TokenRefused as err:
                raise ApiError(401, "UNAUTHORIZED", str(err)) from err
        elif self.static_token:
            headers["Authorization"] = f"Bearer {self.static_token}"
        return headers

    def _request(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        url = f"{self.base_url}/v2{path}"
        for attempt in (1, 2):
            try:
                response = self.http.request(method, url, json=body, params=params, headers=self._headers())
            except httpx.HTTPError as err:
                raise ApiError(503, "UNAVAILABLE", f"the REST API at {self.base_url} is unreachable: {err}") from err
            if response.status_code == 401 and self.tokens is not None and attempt == 1:
                self.tokens.invalidate()  # expired early or revoked: fetch a new token once
                continue
            break
        if response.status_code >= 400:
            raise _problem(response)
        if response.status_code == 204 or not response.content:
            return None
        if "json" in response.headers.get("content-type", ""):
            return response.json()
        return response.text

    # ------------------------------------------------------------------ user tasks

    def search_user_tasks(
        self,
        filter: dict[str, Any] | None = None,
        sort: list[dict[str, str]] | None = None,
        page: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"filter": filter or {}}
        if sort:
            body["sort"] = sort
        if page:
            body["page"] = page
        return dict(self._request("POST", "/user-tasks/search", body))

    def search_all_user_tasks(self, filter: dict[str, Any], limit: int = 1000) -> list[dict[str, Any]]:
        """Every match, following cursors (a county inbox is hundreds of tasks, not millions)."""
        items: list[dict[str, Any]] = []
        page: dict[str, Any] = {"limit": 200}
        while len(items) < limit:
            result = self.search_user_tasks(filter, sort=[{"field": "creationDate", "order": "ASC"}], page=page)
            batch = result.get("items") or []
            items.extend(batch)
            cursor = (result.get("page") or {}).get("endCursor")
            if len(batch) < page["limit"] or not cursor:
                break
            page = {"limit": 200, "after": cursor}
        return items[:limit]

    def get_user_task(self, key: int | str) -> dict[str, Any]:
        return dict(self._request("GET", f"/user-tasks/{int(key)}"))

    def assign_user_task(self, key: int | str, assignee: str, allow_override: bool = False) -> None:
        self._request(
            "POST", f"/user-tasks/{int(key)}/assignment", {"assignee": assignee, "allowOverride": allow_override}
        )

    def unassign_user_task(self, key: int | str) -> None:
        self._request("DELETE", f"/user-tasks/{int(key)}/assignee")

    def complete_user_task(self, key: int | str, variables: dict[str, Any]) -> None:
        self._request("POST", f"/user-tasks/{int(key)}/completion", {"variables": variables})

    def get_user_task_form(self, key: int | str) -> dict[str, Any] | None:
        """The linked form with ``schema`` parsed (Camunda sends it as a JSON string), or None."""
        result = self._request("GET", f"/user-tasks/{int(key)}/form")
        if result is None:
            return None
        form = dict(result)
        if isinstance(form.get("schema"), str):
            form["schema"] = json.loads(form["schema"])
        return form

    def user_task_variables(self, key: int | str) -> dict[str, Any]:
        """All variables the task sees, decoded from their JSON values."""
        variables: dict[str, Any] = {}
        page: dict[str, Any] = {"limit": 500}
        while True:
            result = self._request(
                "POST", f"/user-tasks/{int(key)}/variables/search", {"page": page}, {"truncateValues": "false"}
            )
            items = result.get("items") or []
            for item in items:
                raw = item.get("fullValue") if item.get("fullValue") is not None else item.get("value")
                try:
                    variables[item["name"]] = json.loads(raw) if isinstance(raw, str) else raw
                except ValueError:
                    variables[item["name"]] = raw
            cursor = (result.get("page") or {}).get("endCursor")
            if len(items) < page["limit"] or not cursor:
                return variables
            page = {"limit": 500, "after": cursor}

    # ------------------------------------------------------------------ processes

    def create_process_instance(self, process_definition_id: str, variables: dict[str, Any]) -> dict[str, Any]:
        return dict(
            self._request(
                "POST", "/process-instances", {"processDefinitionId": process_definition_id, "variables": variables}
            )
        )

    def get_process_instance(self, key: int | str) -> dict[str, Any]:
        return dict(self._request("GET", f"/process-instances/{int(key)}"))

    def search_incidents(self, filter: dict[str, Any], limit: int = 1000) -> list[dict[str, Any]]:
        """Active incidents (``POST /v2/incidents/search``), oldest first."""
        body = {"filter": {"state": "ACTIVE", **filter}, "sort": [{"field": "creationTime"}], "page": {"limit": limit}}
        result = self._request("POST", "/incidents/search", body)
        return list(result.get("items") or [])

    def process_variable(self, instance_key: int | str, name: str) -> Any:
        """One process-scope variable of a running instance (``POST /v2/variables/search``), or None."""
        body = {"filter": {"processInstanceKey": str(instance_key), "name": name}, "page": {"limit": 1}}
        items = self._request("POST", "/variables/search", body).get("items") or []
        if not items:
            return None
        try:
            return json.loads(items[0]["value"])
        except (KeyError, ValueError):
            return None

    def get_process_definition_xml(self, key: int | str) -> str:
        return str(self._request("GET", f"/process-definitions/{int(key)}/xml"))

    # ------------------------------------------------------------------ operations (the console)

    def search_process_instances(self, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._request("POST", "/process-instances/search", body))

    def search_element_instances(self, instance_key: int | str, limit: int = 1000) -> list[dict[str, Any]]:
        body = {"filter": {"processInstanceKey": str(instance_key)}, "page": {"limit": limit}}
        return list(self._request("POST", "/element-instances/search", body).get("items") or [])

    def process_variables(self, instance_key: int | str, limit: int = 1000) -> list[dict[str, Any]]:
        body = {"filter": {"processInstanceKey": str(instance_key)}, "page": {"limit": limit}}
        return list(self._request("POST", "/variables/search", body).get("items") or [])

    def update_job_retries(self, job_key: int | str, retries: int) -> None:
        self._request("PATCH", f"/jobs/{int(job_key)}", {"changeset": {"retries": retries}})

    def resolve_incident(self, incident_key: int | str) -> None:
        self._request("POST", f"/incidents/{int(incident_key)}/resolution", {})

    def move_token(
        self, instance_key: int | str, source_element_id: str, target_element_id: str, variables: dict[str, Any]
    ) -> None:
        move: dict[str, Any] = {
            "sourceElementInstruction": {"sourceType": "byId", "sourceElementId": source_element_id},
            "targetElementId": target_element_id,
        }
        if variables:
            move["variableInstructions"] = [{"variables": variables}]
        self._request("POST", f"/process-instances/{int(instance_key)}/modification", {"moveInstructions": [move]})


def _problem(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
        return ApiError(response.status_code, str(body.get("title", "")), str(body.get("detail", "")))
    except ValueError:
        return ApiError(response.status_code, "ERROR", response.text[:200])
