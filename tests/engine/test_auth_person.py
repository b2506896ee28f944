"""/v2 for the signed-in person: a task-list token that acts for someone sees and changes only what
the task list would let that person see and change, with ID numbers masked; a bare task-list token
sees no tasks at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from jiuzhu.engine.auth.person import Person
from jiuzhu.oauth import TokenProvider
from schemas.enums import StaffRole
from tests.conftest import EngineProcess
from tests.engine.bpmn_builder import Process

pytestmark = pytest.mark.engine

REVIEW = Process("review").start().user_task("check", name="审核").end().chain("start", "check", "end").xml()
ID_A, ID_B = "110101199003074514", "110101198507126612"
WANG = Person("wang", StaffRole.CASEWORKER.value, township_id=1, township_code="A01")


def household(code: str, id_number: str) -> dict[str, Any]:
    return {
        "townshipCode": code,
        "applicantIdNumber": id_number,
        "members": [{"name": "张三", "idNumber": id_number, "phone": "13812345678"}],
    }


def start_two_townships(engine: EngineProcess) -> dict[str, int]:
    """One open task in township A01 and one in B02; their task keys by township."""
    with grpc.insecure_channel(engine.address) as channel:
        stub = GatewayStub(channel)
        meta = engine.clients.metadata("admin")
        stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="review.bpmn", content=REVIEW)]), metadata=meta
        )
        for code, id_number in (("A01", ID_A), ("B02", ID_B)):
            request = pb.CreateProcessInstanceRequest(
                bpmnProcessId="review", version=-1, variables=json.dumps(household(code, id_number))
            )
            stub.CreateProcessInstance(request, metadata=meta)
    found = httpx.post(
        f"{engine.http}/v2/user-tasks/search", json={"filter": {"state": "CREATED"}}, auth=engine.clients.auth("admin")
    ).json()["items"]
    keys = {}
    for item in found:
        variables = httpx.post(
            f"{engine.http}/v2/variables/search",
            json={"filter": {"processInstanceKey": item["processInstanceKey"], "name": "townshipCode"}},
            auth=engine.clients.auth("admin"),
        ).json()["items"]
        keys[variables[0]["value"].strip('"')] = int(item["userTaskKey"])
    assert set(keys) == {"A01", "B02"}
    return keys


def person_headers(engine: EngineProcess, person: Person) -> dict[str, str]:
    tokens = TokenProvider(engine.clients.oauth("tasklist"))
    return {"Authorization": f"Bearer {tokens.token(on_behalf_of=person.to_json())}"}


def test_a_person_reads_and_completes_only_their_townships_tasks_with_ids_masked(
    engine_process: EngineProcess, tmp_path: Path
) -> None:
    base = engine_process.http
    keys = start_two_townships(engine_process)
    wang = person_headers(engine_process, WANG)

    # A bare task-list token no longer sees every township: it sees no task at all.
    bare = httpx.post(f"{base}/v2/user-tasks/search", json={}, auth=engine_process.clients.auth("tasklist"))
    assert bare.status_code == 403

    listed = httpx.post(f"{base}/v2/user-tasks/search", json={"filter": {"state": "CREATED"}}, headers=wang).json()
    assert [int(t["userTaskKey"]) for t in listed["items"]] == [keys["A01"]]

    # Township B's task does not exist for wang, whatever he asks of it.
    other = keys["B02"]
    assert httpx.get(f"{base}/v2/user-tasks/{other}", headers=wang).status_code == 404
    assert httpx.post(f"{base}/v2/user-tasks/{other}/variables/search", json={}, headers=wang).status_code == 404
    claim = {"assignee": "wang", "allowOverride": True}
    assert httpx.post(f"{base}/v2/user-tasks/{other}/assignment", json=claim, headers=wang).status_code == 404
    assert httpx.post(f"{base}/v2/user-tasks/{other}/completion", json={}, headers=wang).status_code == 404
    scoped = httpx.post(f"{base}/v2/variables/search", json={"filter": {"name": "applicantIdNumber"}}, headers=wang)
    assert [row["value"] for row in scoped.json()["items"]] == ['"1****************4"']
    incidents = httpx.post(f"{base}/v2/incidents/search", json={}, headers=wang)
    assert incidents.status_code == 200

    # His own task's ID numbers and phones come masked, at any depth.
    own = keys["A01"]
    rows = httpx.post(
        f"{base}/v2/user-tasks/{own}/variables/search?truncateValues=false", json={}, headers=wang
    ).json()["items"]
    values = {row["name"]: json.loads(row["value"]) for row in rows}
    assert values["applicantIdNumber"] == "1****************4"
    assert values["members"][0]["idNumber"] == "1****************4"
    assert values["members"][0]["phone"] == "138****5678"
    assert values["members"][0]["name"] == "张三" and values["townshipCode"] == "A01"
    assert ID_A not in str(rows)

    # He completes it only once it is his (claimed), as in the task list.
    unclaimed = httpx.post(f"{base}/v2/user-tasks/{own}/completion", json={}, headers=wang)
    assert unclaimed.status_code == 403 and unclaimed.json()["title"] == "FORBIDDEN"
    someone_else = {"assignee": "li", "allowOverride": True}
    assert httpx.post(f"{base}/v2/user-tasks/{own}/assignment", json=someone_else, headers=wang).status_code == 403
    assert httpx.post(f"{base}/v2/user-tasks/{own}/assignment", json=claim, headers=wang).status_code == 204
    assert httpx.post(f"{base}/v2/user-tasks/{own}/completion", json={}, headers=wang).status_code == 204

    # Starting a case in another township is refused; the admin still sees everything, unmasked.
    start = {"processDefinitionId": "review", "variables": household("B02", ID_B)}
    assert httpx.post(f"{base}/v2/process-instances", json=start, headers=wang).status_code == 403
    admin = engine_process.clients.auth("admin")
    full = httpx.post(f"{base}/v2/user-tasks/{other}/variables/search", json={}, auth=admin).json()["items"]
    assert ID_B in str(full)


def test_a_person_token_names_a_person_only_for_the_task_list_client(engine_process: EngineProcess) -> None:
    url = engine_process.clients.token_url
    form = {"grant_type": "client_credentials", "on_behalf_of": WANG.to_json()}
    worker = engine_process.clients.oauth("worker")
    refused = httpx.post(url, data={**form, "client_id": worker.client_id, "client_secret": worker.client_secret})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"
    tasklist = engine_process.clients.oauth("tasklist")
    secret = {"client_id": tasklist.client_id, "client_secret": tasklist.client_secret}
    bad = httpx.post(url, data={**form, **secret, "on_behalf_of": '{"login": ""}'})
    assert bad.status_code == 400
    issued = httpx.post(url, data={**form, **secret})
    assert issued.status_code == 200 and issued.json()["scope"] == "tasklist"


def test_a_person_of_a_role_the_rules_do_not_know_sees_nothing(engine_process: EngineProcess) -> None:
    start_two_townships(engine_process)
    stranger = Person("stranger", "janitor", township_id=1, township_code="A01")
    found = httpx.post(
        f"{engine_process.http}/v2/user-tasks/search", json={}, headers=person_headers(engine_process, stranger)
    )
    assert found.status_code == 200 and found.json()["items"] == []


def test_an_engine_without_rules_for_people_refuses_a_persons_token() -> None:
    """The engine alone knows no township or role: it cannot scope a person, so it does not try."""
    from fastapi import FastAPI
    from starlette.requests import Request

    from jiuzhu.engine.auth.tokens import Principal
    from jiuzhu.engine_rest import acting
    from jiuzhu.engine_rest.problems import ApiProblem

    app = FastAPI()
    request = Request({"type": "http", "app": app, "state": {"principal": Principal("tasklist", frozenset(), WANG)}})
    with pytest.raises(ApiProblem) as refused:
        acting.person_of(request)
    assert refused.value.status == 403
    request = Request({"type": "http", "app": app, "state": {"principal": Principal("admin", frozenset({"admin"}))}})
    assert acting.person_of(request) is None  # a token for nobody is unchanged
