"""schemathesis against the OpenAPI document `jiuzhu engine` serves: no request it generates —
valid, invalid or edge-case — gets a server error (5xx). Bounded examples, a time budget."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from tests.conftest import EngineProcess
from tests.engine.bpmn_builder import Process

pytestmark = [pytest.mark.engine, pytest.mark.timeout(240)]

REVIEW = Process("review").start().user_task("check", name="审核").end().chain("start", "check", "end").xml()


def test_the_served_openapi_yields_no_server_error(engine_process: EngineProcess, tmp_path: Path) -> None:
    with grpc.insecure_channel(engine_process.address) as channel:  # some real tasks and instances to hit
        stub = GatewayStub(channel)
        meta = engine_process.clients.metadata("admin")
        stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="review.bpmn", content=REVIEW)]), metadata=meta
        )
        for _ in range(3):
            stub.CreateProcessInstance(
                pb.CreateProcessInstanceRequest(bpmnProcessId="review", version=-1), metadata=meta
            )
    token = engine_process.clients.token("admin")
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{engine_process.http}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--header",
            f"Authorization: Bearer {token}",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "25",
            "--max-time",
            "45",
            "--workers",
            "1",
            "--seed",
            "13",
            "--generation-database",
            "none",
            "--request-timeout",
            "10",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=200,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    print(run.stdout[-1500:])
