"""The engine's doors as shipped: `jiuzhu engine` (a child process) requires credentials on gRPC and
/v2, hands out OAuth client-credentials tokens, and pyzeebe, zbctl and plain HTTP clients get in
with them — and only as far as their scope."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pyzeebe import ZeebeClient, create_oauth2_client_credentials_channel
from pyzeebe.errors import UnknownGrpcStatusCodeError
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from jiuzhu.testing import EngineProcess
from jiuzhu.testing.engine import ROOT
from tests.engine.bpmn_builder import Process
from tests.engine.zbctl import Zbctl

pytestmark = pytest.mark.engine

REVIEW = Process("review").start().user_task("check", name="审核").end().chain("start", "check", "end").xml()


def code_of(err: BaseException) -> grpc.StatusCode:
    """The status of a refused call, raw or as pyzeebe wraps it."""
    if isinstance(err, UnknownGrpcStatusCodeError):
        err = err.grpc_error
    assert isinstance(err, grpc.RpcError), err
    return err.code()


def open_task(engine: EngineProcess, tmp_path: Path) -> int:
    """Deploy a one-user-task process with the admin client over gRPC, start it, return the task key."""
    bpmn = tmp_path / "review.bpmn"
    bpmn.write_bytes(REVIEW)
    with grpc.insecure_channel(engine.address) as channel:
        stub = GatewayStub(channel)
        meta = engine.clients.metadata("admin")
        stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="review.bpmn", content=REVIEW)]), metadata=meta
        )
        stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="review", version=-1), metadata=meta)
    found = httpx.post(
        f"{engine.http}/v2/user-tasks/search",
        json={"filter": {"state": "CREATED"}},
        auth=engine.clients.auth("admin"),
    ).json()
    [item] = found["items"]
    return int(item["userTaskKey"])


def test_first_start_generates_private_credentials_and_a_restart_keeps_them(engine_process: EngineProcess) -> None:
    path = engine_process.data_dir / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((engine_process.data_dir / "token-signing.key").stat().st_mode) == 0o600
    clients = json.loads(path.read_text())["clients"]
    assert {c["scopes"][0] for c in clients.values()} == {"admin", "worker", "tasklist"}
    assert f"generated client credentials in {path.resolve()}" in engine_process.log()
    token = engine_process.clients.token("admin")
    engine_process.stop()
    engine_process.start()
    assert json.loads(path.read_text())["clients"] == clients
    assert "using client credentials" in engine_process.log()
    # The signing key survives too: a token fetched before the restart still opens the door.
    again = httpx.get(f"{engine_process.http}/v2/clock", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 200


def test_v2_without_credentials_is_401_problem_json(engine_process: EngineProcess) -> None:
    for method, path in [("POST", "/v2/user-tasks/search"), ("GET", "/v2/user-tasks/1"), ("GET", "/v2/clock")]:
        response = httpx.request(method, f"{engine_process.http}{path}", json={} if method == "POST" else None)
        assert response.status_code == 401, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["title"] == "UNAUTHORIZED" and response.json()["instance"] == path
    forged = httpx.get(f"{engine_process.http}/v2/clock", headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."})
    assert forged.status_code == 401
    # A path that only looks different reaches no v2 route either.
    sideways = httpx.post(f"{engine_process.http}//v2/user-tasks/search", json={})
    assert sideways.status_code == 404
    # Health and metrics stay open (probes and Prometheus on loopback).
    assert httpx.get(f"{engine_process.http}/healthz").status_code == 200
    assert httpx.get(f"{engine_process.http}/metrics").status_code == 200


def test_token_endpoint_speaks_client_credentials(engine_process: EngineProcess) -> None:
    url = engine_process.clients.token_url
    admin = engine_process.clients.oauth("admin")
    form = {"grant_type": "client_credentials", "client_id": admin.client_id, "client_secret": admin.client_secret}
    issued = httpx.post(url, data={**form, "audience": "zeebe-api"})
    assert issued.status_code == 200
    body = issued.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "admin"
    basic = httpx.post(url, data={"grant_type": "client_credentials"}, auth=(admin.client_id, admin.client_secret))
    assert basic.status_code == 200  # client_secret_basic, as oauthlib and Go's x/oauth2 send it
    wrong = httpx.post(url, data={**form, "client_secret": "guess"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    grant = httpx.post(url, data={**form, "grant_type": "password"})
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    # The served OpenAPI document says how to authenticate, as Camunda's does.
    openapi = httpx.get(f"{engine_process.http}/openapi.json").json()
    flow = openapi["components"]["securitySchemes"]["OAuth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth/token"
    assert openapi["paths"]["/v2/user-tasks/search"]["post"]["security"] == [{"OAuth2": []}]


def test_scopes_limit_what_a_token_may_call_on_v2(engine_process: EngineProcess) -> None:
    base, clients = engine_process.http, engine_process.clients
    search = {"filter": {"state": "CREATED"}}
    # A bare task-list token acts for nobody: user tasks need a signed-in person (test_auth_person.py).
    bare = httpx.post(f"{base}/v2/user-tasks/search", json=search, auth=clients.auth("tasklist"))
    assert bare.status_code == 403 and bare.json()["title"] == "FORBIDDEN"
    assert httpx.post(f"{base}/v2/user-tasks/search", json=search, auth=clients.auth("admin")).status_code == 200
    worker = httpx.post(f"{base}/v2/user-tasks/search", json=search, auth=clients.auth("worker"))
    assert worker.status_code == 403 and worker.json()["title"] == "FORBIDDEN"
    assert httpx.get(f"{base}/v2/clock", auth=clients.auth("tasklist")).status_code == 403  # the clock is admin's
    assert httpx.get(f"{base}/v2/clock", auth=clients.auth("admin")).status_code == 200


def test_grpc_without_credentials_is_unauthenticated_and_health_stays_open(engine_process: EngineProcess) -> None:
    with grpc.insecure_channel(engine_process.address) as channel:
        stub = GatewayStub(channel)
        with pytest.raises(grpc.RpcError) as refused:
            stub.Topology(pb.TopologyRequest(), timeout=5)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as streamed:
            list(stub.ActivateJobs(pb.ActivateJobsRequest(type="t", worker="w", timeout=1000, maxJobsToActivate=1)))
        assert streamed.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as forged:
            stub.Topology(pb.TopologyRequest(), metadata=(("authorization", "Bearer not-a-token"),), timeout=5)
        assert forged.value.code() == grpc.StatusCode.UNAUTHENTICATED
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        assert health.status == health_pb2.HealthCheckResponse.SERVING
    # Refusals are counted like any answer, so an alert can see someone knocking.
    metrics = httpx.get(f"{engine_process.http}/metrics").text
    refused_topology = [
        line
        for line in metrics.splitlines()
        if line.startswith("jiuzhu_engine_grpc_requests_total")
        and 'code="UNAUTHENTICATED"' in line
        and 'method="Topology"' in line
    ]
    assert refused_topology and float(refused_topology[0].rsplit(" ", 1)[1]) == 2


async def test_pyzeebe_oauth_channel_deploys_and_a_worker_token_cannot(
    engine_process: EngineProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # oauthlib insists on https token URLs unless told; the engine serves its token URL on plain HTTP.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    bpmn = tmp_path / "review.bpmn"
    bpmn.write_bytes(REVIEW)
    channels = {}
    for scope in ("admin", "worker"):
        oauth = engine_process.clients.oauth(scope)
        channels[scope] = create_oauth2_client_credentials_channel(
            grpc_address=engine_process.address,
            client_id=oauth.client_id,
            client_secret=oauth.client_secret,
            authorization_server=oauth.token_url,
            audience="zeebe-api",
            # Plaintext gRPC on loopback: local credentials let gRPC attach the token without TLS.
            channel_credentials=grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
        )
    try:
        admin = ZeebeClient(channels["admin"])
        assert (await admin.topology()).brokers
        deployed = await admin.deploy_resource(str(bpmn))
        assert deployed.deployments
        worker = ZeebeClient(channels["worker"])
        assert (await worker.topology()).brokers
        with pytest.raises(Exception) as denied:
            await worker.deploy_resource(str(bpmn))
        assert code_of(denied.value) == grpc.StatusCode.PERMISSION_DENIED
    finally:
        for channel in channels.values():
            await channel.close()


def test_zbctl_with_client_credentials(engine_process: EngineProcess, tmp_path: Path) -> None:
    anonymous = Zbctl(engine_process.address).run("status")
    assert not anonymous.ok and "Unauthenticated" in anonymous.stderr
    zbctl = Zbctl(engine_process.address, engine_process.clients.oauth("admin"), tmp_path / "zbctl-credentials")
    assert "Leader, Healthy" in zbctl("status").stdout
    bpmn = tmp_path / "review.bpmn"
    bpmn.write_bytes(REVIEW)
    deployed = zbctl("deploy", str(bpmn))
    assert deployed.json["processes"][0]["bpmnProcessId"] == "review"
    assert "credentials will be confidential" in deployed.stderr  # zbctl's own warning about --insecure
    worker = Zbctl(engine_process.address, engine_process.clients.oauth("worker"), tmp_path / "zbctl-worker")
    denied = worker.run("deploy", str(bpmn))
    assert not denied.ok and "PermissionDenied" in denied.stderr


def test_cross_site_form_post_changes_nothing(engine_process: EngineProcess, tmp_path: Path) -> None:
    key = open_task(engine_process, tmp_path)
    url = f"{engine_process.http}/v2/user-tasks/{key}/completion"
    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"}
    # What a hostile page's <form method=post> sends: no credentials, form-encoded, empty or not.
    assert httpx.post(url, headers=form, content=b"").status_code == 401
    assert httpx.post(url, headers=form, content=b"variables=x").status_code == 401
    # Even with a valid token a form body is no state change: JSON only.
    token = engine_process.clients.headers("admin")
    refused = httpx.post(url, headers={**form, **token}, content=b"")
    assert refused.status_code == 415 and refused.json()["title"] == "UNSUPPORTED_MEDIA_TYPE"
    text = httpx.post(url, headers={**token, "Content-Type": "text/plain"}, content=b"{}")
    assert text.status_code == 415
    # CORS stays closed: no answer, preflight or not, names another origin as allowed.
    preflight = httpx.options(url, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in refused.headers
    task = httpx.get(f"{engine_process.http}/v2/user-tasks/{key}", headers=token).json()
    assert task["state"] == "CREATED"
    # A JSON call with a token still completes it.
    done = httpx.post(url, headers=token, json={"variables": {"approved": True}})
    assert done.status_code == 204
    assert httpx.get(f"{engine_process.http}/v2/user-tasks/{key}", headers=token).json()["state"] == "COMPLETED"


@pytest.fixture
def insecure_engine(tmp_path: Path) -> Iterator[EngineProcess]:
    engine = EngineProcess(tmp_path / "open", insecure=True)
    yield engine.start()
    engine.stop()


def test_insecure_opens_the_doors_loudly_but_keeps_json_only(insecure_engine: EngineProcess) -> None:
    assert "WARNING --insecure" in insecure_engine.log()
    assert not (insecure_engine.data_dir / "credentials.json").exists()
    assert httpx.get(f"{insecure_engine.http}/v2/clock").status_code == 200
    with grpc.insecure_channel(insecure_engine.address) as channel:
        assert GatewayStub(channel).Topology(pb.TopologyRequest(), timeout=5).brokers
    form = httpx.post(
        f"{insecure_engine.http}/v2/user-tasks/1/completion",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        content=b"",
    )
    assert form.status_code == 415


def camunda_env(engine: EngineProcess, scope: str) -> dict[str, str]:
    """The variables zbctl, pyzeebe and Camunda's SDKs read."""
    oauth = engine.clients.oauth(scope)
    return {
        "ZEEBE_CLIENT_ID": oauth.client_id,
        "ZEEBE_CLIENT_SECRET": oauth.client_secret,
        "ZEEBE_AUTHORIZATION_SERVER_URL": oauth.token_url,
        "ZEEBE_TOKEN_AUDIENCE": "zeebe-api",
    }


def test_jiuzhu_deploy_reads_the_zeebe_client_variables(engine_process: EngineProcess, tmp_path: Path) -> None:
    bpmn = tmp_path / "review.bpmn"
    bpmn.write_bytes(REVIEW)
    command = [sys.executable, "-m", "jiuzhu", "deploy", str(bpmn), "--address", engine_process.address]
    bare = {k: v for k, v in os.environ.items() if not k.startswith(("ZEEBE_", "CAMUNDA_"))}
    refused = subprocess.run(command, capture_output=True, text=True, env=bare, cwd=ROOT, timeout=60)
    assert refused.returncode == 1
    assert "UNAUTHENTICATED" in refused.stderr and "ZEEBE_CLIENT_ID" in refused.stderr
    assert "Traceback" not in refused.stderr
    env = {**bare, **camunda_env(engine_process, "admin")}
    deployed = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert deployed.returncode == 0, deployed.stderr
    assert deployed.stdout.startswith("deployed review version 1")


async def test_workers_channel_reads_the_zeebe_client_variables(
    engine_process: EngineProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers import make_channel

    for name, value in camunda_env(engine_process, "worker").items():
        monkeypatch.setenv(name, value)
    channel = make_channel(engine_process.address)
    try:
        assert (await ZeebeClient(channel).topology()).brokers
    finally:
        await channel.close()
