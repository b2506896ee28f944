"""The REST API v2 user-task subset against a real in-process engine (httpx through TestClient)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jiuzhu.engine_rest import build_v2_router
from tests.tasklist.world import FORMS, TOWNSHIP_A, World

pytestmark = pytest.mark.tasklist


def search(api: TestClient, body: dict[str, Any]) -> Any:
    response = api.post("/v2/user-tasks/search", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_search_filters_and_item_shape(api: TestClient, world: World) -> None:
    result = search(api, {"filter": {"state": "CREATED", "candidateGroup": "township-caseworker"}})
    assert result["page"]["totalItems"] == 2
    item = result["items"][0]
    for field in (
        "userTaskKey",
        "name",
        "state",
        "assignee",
        "candidateGroups",
        "dueDate",
        "priority",
        "formKey",
        "processInstanceKey",
        "processDefinitionId",
        "processDefinitionKey",
        "elementId",
        "creationDate",
    ):
        assert field in item
    assert item["state"] == "CREATED"
    assert item["name"] == "经办人审核"
    assert item["processDefinitionId"] == "social-assistance-application"
    assert isinstance(item["userTaskKey"], str) and item["userTaskKey"].isdigit()
    assert item["dueDate"].endswith("Z")
    assert item["formKey"].isdigit()
    # Filter on a process-instance variable (JSON value), as Camunda 8.8 does.
    only_a = search(
        api, {"filter": {"processInstanceVariables": [{"name": "townshipCode", "value": json.dumps(TOWNSHIP_A)}]}}
    )
    assert [i["processInstanceKey"] for i in only_a["items"]] == [str(world.instances["a"])]
    none = search(api, {"filter": {"candidateGroup": "township-leader"}})
    assert none["items"] == []
    by_operator = search(api, {"filter": {"processInstanceKey": {"$in": [str(world.instances["b"])]}}})
    assert len(by_operator["items"]) == 1


def test_sort_and_pages_by_offset_and_cursor(api: TestClient, world: World) -> None:
    for i in range(3):
        world.start(f"extra{i}", TOWNSHIP_A, world.ids["xingfu"], reviewDue=f"2026-04-0{i + 1}T00:00:00Z")
    body: dict[str, Any] = {"sort": [{"field": "dueDate", "order": "DESC"}], "page": {"limit": 2}}
    first = search(api, body)
    assert first["page"]["totalItems"] == 5
    dues = [i["dueDate"] for i in first["items"]]
    assert dues == sorted(dues, reverse=True)
    second = search(api, {**body, "page": {"limit": 2, "after": first["page"]["endCursor"]}})
    third = search(api, {**body, "page": {"limit": 2, "after": second["page"]["endCursor"]}})
    keys = [i["userTaskKey"] for page in (first, second, third) for i in page["items"]]
    assert len(keys) == 5 and len(set(keys)) == 5
    back = search(api, {**body, "page": {"limit": 2, "before": second["page"]["startCursor"]}})
    assert back["items"] == first["items"]
    offset = search(api, {**body, "page": {"from": 2, "limit": 2}})
    assert offset["items"] == second["items"]


def test_assign_unassign_complete_and_history(api: TestClient, world: World) -> None:
    key = world.open_task(world.instances["a"])
    assert api.post(f"/v2/user-tasks/{key}/assignment", json={"assignee": "zhang"}).status_code == 204
    assert api.get(f"/v2/user-tasks/{key}").json()["assignee"] == "zhang"
    refused = api.post(f"/v2/user-tasks/{key}/assignment", json={"assignee": "li", "allowOverride": False})
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["title"] == "INVALID_STATE"
    assert api.delete(f"/v2/user-tasks/{key}/assignee").status_code == 204
    assert api.get(f"/v2/user-tasks/{key}").json()["assignee"] is None
    done = api.post(f"/v2/user-tasks/{key}/completion", json={"variables": {"visitFindings": "属实"}})
    assert done.status_code == 204, done.text
    completed = api.get(f"/v2/user-tasks/{key}").json()
    assert completed["state"] == "COMPLETED" and completed["completionDate"]
    assert world.engine.variables(world.instances["a"])["visitFindings"] == "属实"
    history = search(api, {"filter": {"state": "COMPLETED"}})
    assert [i["userTaskKey"] for i in history["items"]] == [str(key)]
    again = api.post(f"/v2/user-tasks/{key}/completion", json={})
    assert again.status_code == 404 and again.json()["title"] == "NOT_FOUND"
    nxt = search(api, {"filter": {"processInstanceKey": str(world.instances["a"]), "state": "CREATED"}})
    assert [i["elementId"] for i in nxt["items"]] == ["approve"]


def test_form_and_variables(api: TestClient, world: World) -> None:
    key = world.open_task(world.instances["a"])
    form = api.get(f"/v2/user-tasks/{key}/form")
    assert form.status_code == 200
    body = form.json()
    assert body["formId"] == "review-application"
    schema = json.loads(body["schema"])  # a JSON document serialized as a string, as in 8.8
    assert schema["id"] == "review-application"
    variables = api.post(f"/v2/user-tasks/{key}/variables/search", json={}).json()
    by_name = {v["name"]: v for v in variables["items"]}
    assert json.loads(by_name["townshipCode"]["value"]) == TOWNSHIP_A
    assert by_name["townshipCode"]["isTruncated"] is False
    filtered = api.post(f"/v2/user-tasks/{key}/variables/search", json={"filter": {"name": "villageId"}}).json()
    assert [v["name"] for v in filtered["items"]] == ["villageId"]
    # The approve task has no form: 204, as Camunda answers.
    api.post(f"/v2/user-tasks/{key}/completion", json={})
    approve = world.open_task(world.instances["a"], "approve")
    assert api.get(f"/v2/user-tasks/{approve}/form").status_code == 204


def test_missing_forms_directory_is_tolerated(world: World, tmp_path: Path) -> None:
    app = FastAPI()
    app.include_router(build_v2_router(world.engine, forms_dir=tmp_path / "no-such-dir"))
    with TestClient(app) as client:
        key = world.open_task(world.instances["a"])
        response = client.get(f"/v2/user-tasks/{key}/form")
        assert response.status_code == 404
        assert response.json()["title"] == "NOT_FOUND"
        assert client.post("/v2/user-tasks/search", json={}).status_code == 200


def test_create_process_instance_and_definition_xml(api: TestClient, world: World) -> None:
    created = api.post(
        "/v2/process-instances",
        json={"processDefinitionId": "social-assistance-application", "variables": {"townshipCode": TOWNSHIP_A}},
    )
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["processDefinitionId"] == "social-assistance-application"
    assert body["processDefinitionVersion"] == 1
    instance = api.get(f"/v2/process-instances/{body['processInstanceKey']}").json()
    assert instance["state"] == "ACTIVE"
    xml = api.get(f"/v2/process-definitions/{body['processDefinitionKey']}/xml")
    assert xml.status_code == 200 and b"social-assistance-application" in xml.content
    missing = api.post("/v2/process-instances", json={"processDefinitionId": "nope"})
    assert missing.status_code == 404 and missing.json()["title"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/v2/user-tasks/search", {"filter": {"nonsense": 1}}),
        ("post", "/v2/user-tasks/search", {"sort": [{"field": "bogus"}]}),
        ("post", "/v2/user-tasks/search", {"page": {"after": "%%%"}}),
        ("get", "/v2/user-tasks/abc", None),
        ("post", "/v2/user-tasks/1/assignment", {"assignee": ""}),
        ("post", "/v2/process-instances", {}),
    ],
)
def test_bad_requests_are_problem_json(api: TestClient, method: str, path: str, body: object) -> None:
    response = api.request(method.upper(), path, json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["title"] == "INVALID_ARGUMENT" and problem["status"] == 400 and problem["instance"] == path


def test_unknown_task_is_404(api: TestClient) -> None:
    response = api.get("/v2/user-tasks/2251799813999999")
    assert response.status_code == 404
    assert response.json()["type"] == "about:blank"


def test_optional_bearer_token(world: World) -> None:
    app = FastAPI()
    app.include_router(build_v2_router(world.engine, forms_dir=FORMS, api_token="s3cret"))
    with TestClient(app) as client:
        assert client.post("/v2/user-tasks/search", json={}).status_code == 401
        ok = client.post("/v2/user-tasks/search", json={}, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200


# Every endpoint of the subset: (method, path template, body). {task} / {instance} / {definition} are filled in.
ENDPOINTS = [
    ("POST", "/v2/user-tasks/search", {}),
    ("GET", "/v2/user-tasks/{task}", None),
    ("POST", "/v2/user-tasks/{task}/assignment", {"assignee": "zhang"}),
    ("DELETE", "/v2/user-tasks/{task}/assignee", None),
    ("POST", "/v2/user-tasks/{task}/completion", {}),
    ("GET", "/v2/user-tasks/{task}/form", None),
    ("POST", "/v2/user-tasks/{task}/variables/search", {}),
    ("POST", "/v2/process-instances", {"processDefinitionId": "social-assistance-application"}),
    ("GET", "/v2/process-instances/{instance}", None),
    ("GET", "/v2/process-definitions/{definition}/xml", None),
]
MISSING = 2251799813999999


def _fill(path: str, world: World, missing: bool = False) -> str:
    key = world.open_task(world.instances["a"])
    definition = world.engine.user_task(key).definition_key
    values = (MISSING, MISSING, MISSING) if missing else (key, world.instances["a"], definition)
    return path.format(task=values[0], instance=values[1], definition=values[2])


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic czNjcmV0", "Bearer s3cret "])
def test_every_endpoint_needs_the_token(world: World, method: str, path: str, body: object, header: str | None) -> None:
    app = FastAPI()
    app.include_router(build_v2_router(world.engine, forms_dir=FORMS, api_token="s3cret"))
    headers = {"Authorization": header} if header else {}
    with TestClient(app) as client:
        url = _fill(path, world)
        refused = client.request(method, url, json=body, headers=headers)
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["title"] == "UNAUTHORIZED"
        # Unauthenticated callers learn nothing about keys: a missing one answers the same.
        missing = client.request(method, _fill(path, world, missing=True), json=body, headers=headers)
        assert missing.status_code == 401 and missing.json()["detail"] == refused.json()["detail"]
        ok = client.request(method, url, json=body, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code < 300, ok.text


@pytest.mark.parametrize(("method", "path", "body"), [e for e in ENDPOINTS if "{" in e[1]])
def test_every_keyed_endpoint_answers_404_for_an_unknown_key(
    api: TestClient, world: World, method: str, path: str, body: object
) -> None:
    response = api.request(method, _fill(path, world, missing=True), json=body)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["title"] == "NOT_FOUND" and problem["status"] == 404 and str(MISSING) in problem["detail"]


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("POST", "/v2/user-tasks/search", {"page": {"limit": 0}}, "page.limit"),
        ("POST", "/v2/user-tasks/search", {"page": {"from": 1, "after": "abc"}}, "page.from"),
        ("POST", "/v2/user-tasks/search", {"filter": {"priority": {"$gt": "high"}}}, "expected a number"),
        ("POST", "/v2/user-tasks/search", {"filter": {"dueDate": {"$lt": "next week"}}}, "ISO 8601"),
        ("POST", "/v2/user-tasks/search", {"filter": {"state": {"$regex": ".*"}}}, "filter.state"),
        ("POST", "/v2/user-tasks/search", {"filter": {"name": {"$gt": "a"}}}, "numbers and dates"),
        ("POST", "/v2/user-tasks/search", {"filter": {"userTaskKey": {"$in": "1"}}}, "$in takes a list"),
        ("POST", "/v2/user-tasks/{task}/assignment", {}, "assignee"),
        ("POST", "/v2/user-tasks/{task}/assignment", {"assignee": "zhang", "extra": 1}, "extra"),
        ("POST", "/v2/user-tasks/{task}/completion", {"variables": [1, 2]}, "variables"),
        ("POST", "/v2/user-tasks/{task}/variables/search?truncateValues=maybe", {}, "truncateValues"),
        ("POST", "/v2/user-tasks/{task}/variables/search", {"sort": [{"field": "colour"}]}, "cannot sort"),
        ("GET", "/v2/user-tasks/-5", None, "key"),
        ("POST", "/v2/process-instances", {"processDefinitionKey": "abc"}, "numeric key"),
        ("GET", "/v2/process-definitions/xyz/xml", None, "key"),
    ],
)
def test_bad_input_is_a_clear_400_problem(
    api: TestClient, world: World, method: str, path: str, body: object, message: str
) -> None:
    """Camunda 8.8 answers malformed requests with 400 INVALID_ARGUMENT (not FastAPI's 422)."""
    response = api.request(method, _fill(path, world), json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["title"] == "INVALID_ARGUMENT" and message in problem["detail"], problem
    assert world.engine.user_task(world.open_task(world.instances["a"])).assignee is None


def test_malformed_json_body_is_a_400_problem(api: TestClient) -> None:
    response = api.post("/v2/user-tasks/search", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


def test_variable_filter_follows_changes_to_the_instance(api: TestClient, world: World) -> None:
    """The search keeps root-variable snapshots between requests; a command must refresh them."""
    body = {
        "filter": {
            "state": "CREATED",
            "processInstanceVariables": [{"name": "visitFindings", "value": json.dumps("属实", ensure_ascii=False)}],
        }
    }
    assert search(api, body)["items"] == []
    key = world.open_task(world.instances["a"])
    api.post(f"/v2/user-tasks/{key}/completion", json={"variables": {"visitFindings": "属实"}})
    found = search(api, body)["items"]
    assert [i["elementId"] for i in found] == ["approve"]


def test_offset_and_cursor_pages_agree_over_many_tasks(api: TestClient, world: World) -> None:
    for i in range(25):
        world.start(f"n{i}", TOWNSHIP_A, world.ids["xingfu"], reviewDue=f"2026-04-{1 + i % 9:02d}T00:00:00Z")
    sort = [{"field": "dueDate", "order": "DESC"}, {"field": "creationDate", "order": "ASC"}]
    everything = search(api, {"sort": sort, "page": {"limit": 100}})["items"]
    walked: list[str] = []
    page: dict[str, Any] = {"limit": 4}
    while True:
        result = search(api, {"sort": sort, "page": page})
        walked += [i["userTaskKey"] for i in result["items"]]
        if len(result["items"]) < 4:
            break
        page = {"limit": 4, "after": result["page"]["endCursor"]}
    assert walked == [i["userTaskKey"] for i in everything] and len(walked) == 27
    dues = [i["dueDate"] for i in everything if i["dueDate"]]
    assert dues == sorted(dues, reverse=True)
