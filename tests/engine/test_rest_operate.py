"""Operate's endpoints of /v2 (process-instance search, cancel, modification; element instances;
incidents; job updates) in Camunda 8.8's shapes, over httpx and through Camunda's own Python client
(`camunda-orchestration-sdk`, unchanged)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jiuzhu.engine.clock import Clock
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.store.repository import Store, open_database
from jiuzhu.engine_rest import build_v2_router
from tests.engine.bpmn_builder import Process

pytestmark = pytest.mark.engine


def approval() -> bytes:
    return (
        Process("approval", name="审批")
        .start()
        .user_task("approve", name="分管领导审批")
        .service("pay", "approval.pay", retries="1")
        .end()
        .chain("start", "approve", "pay", "end")
        .xml()
    )


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = Engine(Store(open_database(f"sqlite:///{tmp_path / 'engine.db'}")), Clock())
    engine.deploy([("approval.bpmn", approval())])
    return engine


@pytest.fixture
def api(engine: Engine) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(build_v2_router(engine))
    with TestClient(app) as client:
        yield client


def stuck(engine: Engine, variables: dict[str, Any] | None = None) -> int:
    """An instance whose payment failed without retries: an incident on `pay`."""
    instance = engine.create_instance("approval", variables or {"caseId": "C-1"})
    [task] = [t for t in engine.user_tasks.values() if t.instance_key == instance.key]
    engine.complete_user_task(task.key, {})
    [job] = engine.activate_jobs("approval.pay", "w", 60_000, 1, [], -1)
    engine.fail_job(job.job.key, 0, "金额为空", 0, {})
    return instance.key


def post(api: TestClient, path: str, body: Any = None, status: int = 200) -> Any:
    response = api.post(path, json=body)
    assert response.status_code == status, response.text
    return response.json() if status == 200 else None


def test_search_instances_by_state_incident_and_variable(api: TestClient, engine: Engine) -> None:
    broken = stuck(engine, {"caseId": "C-1"})
    fine = engine.create_instance("approval", {"caseId": "C-2"}).key
    done = engine.create_instance("approval", {"caseId": "C-3"}).key
    engine.cancel_instance(done)

    everything = post(api, "/v2/process-instances/search", {})
    assert everything["page"]["totalItems"] == 3
    item = next(i for i in everything["items"] if i["processInstanceKey"] == str(broken))
    assert item["state"] == "ACTIVE" and item["hasIncident"] is True
    assert item["processDefinitionId"] == "approval" and item["processDefinitionName"] == "审批"
    assert item["startDate"].endswith("Z") and item["endDate"] is None

    with_incident = post(api, "/v2/process-instances/search", {"filter": {"hasIncident": True}})
    assert [i["processInstanceKey"] for i in with_incident["items"]] == [str(broken)]
    by_case = post(
        api, "/v2/process-instances/search", {"filter": {"variables": [{"name": "caseId", "value": '"C-2"'}]}}
    )
    assert [i["processInstanceKey"] for i in by_case["items"]] == [str(fine)]
    ended = post(api, "/v2/process-instances/search", {"filter": {"state": "TERMINATED"}})
    assert [(i["processInstanceKey"], i["state"]) for i in ended["items"]] == [(str(done), "TERMINATED")]
    assert ended["items"][0]["endDate"] is not None
    paged = post(
        api,
        "/v2/process-instances/search",
        {"sort": [{"field": "startDate", "order": "DESC"}], "page": {"limit": 2}},
    )
    assert len(paged["items"]) == 2 and paged["page"]["totalItems"] == 3


def test_incident_get_retry_and_resolve(api: TestClient, engine: Engine) -> None:
    key = stuck(engine)
    [incident] = post(api, "/v2/incidents/search", {"filter": {"processInstanceKey": str(key)}})["items"]
    got = api.get(f"/v2/incidents/{incident['incidentKey']}").json()
    assert got["errorType"] == "JOB_NO_RETRIES" and got["errorMessage"] == "金额为空"
    assert got["elementId"] == "pay" and got["jobKey"]

    # resolving while the job has no retries raises the incident again (as in Zeebe)
    assert api.patch(f"/v2/jobs/{got['jobKey']}", json={"changeset": {"retries": 2}}).status_code == 204
    post(api, f"/v2/incidents/{got['incidentKey']}/resolution", {}, status=204)
    assert engine.open_incidents() == []
    [job] = engine.activate_jobs("approval.pay", "w", 60_000, 1, [], -1)
    assert job.job.retries == 2
    missing = api.post(f"/v2/incidents/{got['incidentKey']}/resolution")
    assert missing.status_code == 404 and missing.json()["title"] == "NOT_FOUND"
    assert api.get("/v2/incidents/1").status_code == 404
    empty = api.patch(f"/v2/jobs/{job.job.key}", json={"changeset": {}})
    assert empty.status_code == 400 and empty.headers["content-type"].startswith("application/problem+json")


def test_element_instances_show_the_path_and_the_incident(api: TestClient, engine: Engine) -> None:
    key = stuck(engine)
    found = post(api, "/v2/element-instances/search", {"filter": {"processInstanceKey": str(key)}})
    path = [(i["elementId"], i["type"], i["state"], i["hasIncident"]) for i in found["items"]]
    assert path == [
        ("approval", "PROCESS", "ACTIVE", False),
        ("start", "START_EVENT", "COMPLETED", False),
        ("approve", "USER_TASK", "COMPLETED", False),
        ("pay", "SERVICE_TASK", "ACTIVE", True),
    ]
    pay = found["items"][-1]
    assert pay["incidentKey"] and pay["elementName"] == "pay"
    assert api.get(f"/v2/element-instances/{pay['elementInstanceKey']}").json() == pay
    assert api.get("/v2/element-instances/12345").status_code == 404
    only_active = post(
        api,
        "/v2/element-instances/search",
        {"filter": {"processInstanceKey": str(key), "state": "ACTIVE", "type": "SERVICE_TASK"}},
    )
    assert [i["elementId"] for i in only_active["items"]] == ["pay"]


def test_modification_moves_the_token_back_with_variables(api: TestClient, engine: Engine) -> None:
    key = stuck(engine)
    body = {
        "moveInstructions": [
            {
                "sourceElementInstruction": {"sourceType": "byId", "sourceElementId": "pay"},
                "targetElementId": "approve",
                "variableInstructions": [{"variables": {"note": "请补填金额"}}],
            }
        ]
    }
    post(api, f"/v2/process-instances/{key}/modification", body, status=204)
    assert engine.open_incidents() == []
    assert engine.variables(key)["note"] == "请补填金额"
    [task] = post(api, "/v2/user-tasks/search", {"filter": {"processInstanceKey": str(key), "state": "CREATED"}})[
        "items"
    ]
    assert task["elementId"] == "approve"
    bad = api.post(
        f"/v2/process-instances/{key}/modification", json={"activateInstructions": [{"elementId": "nowhere"}]}
    )
    assert bad.status_code == 400 and "nowhere" in bad.json()["detail"]


def test_element_variables_and_cancellation(api: TestClient, engine: Engine) -> None:
    key = stuck(engine)
    response = api.put(f"/v2/element-instances/{key}/variables", json={"variables": {"amount": 600}})
    assert response.status_code == 204
    assert engine.variables(key)["amount"] == 600
    post(api, f"/v2/process-instances/{key}/cancellation", {}, status=204)
    assert key not in engine.instances
    states = {
        i["elementId"]: i["state"]
        for i in post(api, "/v2/element-instances/search", {"filter": {"processInstanceKey": str(key)}})["items"]
    }
    assert states == {"approval": "TERMINATED", "start": "COMPLETED", "approve": "COMPLETED", "pay": "TERMINATED"}
    again = api.post(f"/v2/process-instances/{key}/cancellation")
    assert again.status_code == 404


# ------------------------------------------------------------------ Camunda's own Python client


def test_camundas_python_client_repairs_a_stuck_instance(api: TestClient, engine: Engine) -> None:
    from camunda_orchestration_sdk.api.element_instance import search_element_instances
    from camunda_orchestration_sdk.api.incident import get_incident, resolve_incident, search_incidents
    from camunda_orchestration_sdk.api.job import update_job
    from camunda_orchestration_sdk.api.process_instance import (
        cancel_process_instance,
        modify_process_instance,
        search_process_instances,
    )
    from camunda_orchestration_sdk.client import Client
    from camunda_orchestration_sdk.models import (
        CancelProcessInstanceRequest,
        ElementInstanceSearchQuery,
        IncidentSearchQuery,
        JobUpdateRequest,
        ProcessInstanceModificationInstruction,
        ProcessInstanceSearchQuery,
    )

    api.base_url = "http://testserver/v2"  # type: ignore[assignment]
    client = Client(base_url="http://testserver/v2", raise_on_unexpected_status=True).set_httpx_client(api)
    key = stuck(engine)
    other = stuck(engine, {"caseId": "C-9"})

    instances = search_process_instances.sync(
        client=client, body=ProcessInstanceSearchQuery.from_dict({"filter": {"hasIncident": True}})
    )
    assert sorted(str(i.process_instance_key) for i in instances.items) == sorted([str(key), str(other)])
    assert all(i.has_incident for i in instances.items)

    elements = search_element_instances.sync(
        client=client,
        body=ElementInstanceSearchQuery.from_dict({"filter": {"processInstanceKey": str(key)}}),
    )
    assert [e.element_id for e in elements.items] == ["approval", "start", "approve", "pay"]

    incidents = search_incidents.sync(
        client=client, body=IncidentSearchQuery.from_dict({"filter": {"processInstanceKey": str(key)}})
    )
    [incident] = incidents.items
    detail = get_incident.sync(str(incident.incident_key), client=client)
    assert detail.error_message == "金额为空"

    # retry: retries up, then resolve
    update_job.sync(str(detail.job_key), client=client, body=JobUpdateRequest.from_dict({"changeset": {"retries": 1}}))
    resolve_incident.sync(str(incident.incident_key), client=client)
    assert not [i for i in engine.open_incidents() if i.instance_key == key]

    # the other: move the token back to the leader's approval
    modify_process_instance.sync(
        str(other),
        client=client,
        body=ProcessInstanceModificationInstruction.from_dict(
            {
                "activateInstructions": [{"elementId": "approve"}],
                "terminateInstructions": [{"elementId": "pay"}],
            }
        ),
    )
    assert [t.element_id for t in engine.user_tasks.values() if t.instance_key == other] == ["approve"]
    # (the client sends its UNSET marker as JSON when no body is given: pass an empty request)
    cancel_process_instance.sync(str(other), client=client, body=CancelProcessInstanceRequest())
    assert other not in engine.instances
