"""Zeebe semantics that clients rely on: scopes, fetch variables, timeouts, incidents, back-pressure."""

import asyncio
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from pyzeebe import Job, ZeebeClient
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from jiuzhu.engine.errors import EngineError
from jiuzhu.engine.gateway.service import GatewayService
from jiuzhu.engine.server import EngineServer
from jiuzhu.testing import EngineProcess
from tests.engine.bpmn_builder import Process, linear_jobs
from tests.engine.conftest import Running, eventually
from tests.engine.test_pyzeebe import deploy

pytestmark = pytest.mark.engine


async def test_fetch_variables_limits_what_a_worker_sees(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running
) -> None:
    await deploy(client, tmp_path, "f.bpmn", linear_jobs("f", ["narrow"]))
    seen: list[dict[str, Any]] = []
    worker = worker_factory()

    @worker.task(task_type="narrow", variables_to_fetch=["household"])
    async def narrow(job: Job, household: str) -> dict[str, Any]:
        seen.append(dict(job.variables))
        return {}

    running.start(worker)
    await client.run_process("f", {"household": "H-7", "idNumber": "110101199003074578", "bank": "6222..."})
    await eventually(lambda: seen, what="the job")
    assert seen == [{"household": "H-7"}]


def test_input_mapping_shadows_and_output_mapping_propagates(server: EngineServer) -> None:
    engine = server.engine
    process = (
        Process("scopes")
        .start()
        .service("a", "a", inputs={"amount": "=amount * 2"})
        .service("b", "b", outputs={"total": "=amount + 1"}, inputs={"amount": "=amount"})
        .user_task("hold")
        .end()
        .chain("start", "a", "b", "hold", "end")
    )
    engine.deploy([("s.bpmn", process.xml())])
    instance = engine.create_instance("scopes", {"amount": 10})
    [a] = engine.activate_jobs("a", "w", 1000, 1, [], -1)
    assert a.variables["amount"] == 20
    # Without output mappings a variable the element holds locally stays local (Zeebe's rule).
    engine.complete_job(a.job.key, {"amount": 99, "note": "new"})
    assert engine.variables(instance.key) == {"amount": 10, "note": "new"}
    [b] = engine.activate_jobs("b", "w", 1000, 1, [], -1)
    engine.complete_job(b.job.key, {"amount": 41})
    assert engine.variables(instance.key) == {"amount": 10, "note": "new", "total": 42}


def test_set_variables_local_and_propagated(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy(
        [("v.bpmn", Process("v").start().service("t", "t", inputs={"x": "=1"}).end().chain("start", "t", "end").xml())]
    )
    instance = engine.create_instance("v", {"outer": 1})
    [job] = engine.activate_jobs("t", "w", 1000, 1, [], -1)
    engine.set_variables(job.job.element_instance_key, {"x": 5, "outer": 2, "fresh": 3}, local=False)
    assert engine.variables(instance.key) == {"outer": 2, "fresh": 3}  # x lives on the task
    engine.set_variables(job.job.element_instance_key, {"mine": True}, local=True)
    [again] = engine.activate_jobs("t", "w", 1000, 1, [], -1) or [None]
    assert again is None  # still activated: variables do not re-activate a job
    assert engine.variables(instance.key) == {"outer": 2, "fresh": 3}
    with pytest.raises(EngineError) as err:
        engine.set_variables(123, {"a": 1}, local=False)
    assert err.value.code == "NOT_FOUND"


def test_expression_incident_resolved_after_fixing_variables(server: EngineServer) -> None:
    engine = server.engine
    process = Process("dyn").start().service("t", '=kind + ".check"').end().chain("start", "t", "end")
    engine.deploy([("d.bpmn", process.xml())])
    instance = engine.create_instance("dyn", {"kind": 7})
    [incident] = [i for i in engine.incidents.values() if i.instance_key == instance.key]
    assert incident.element_id == "t" and "job type" in incident.message
    assert not engine.jobs
    engine.set_variables(instance.key, {"kind": "verification"}, local=False)
    engine.resolve_incident(incident.key)
    assert [j.type for j in engine.jobs.values()] == ["verification.check"]


def test_output_mapping_that_fails_in_feel_yields_null_as_zeebe_does(server: EngineServer) -> None:
    # feel-scala 1.17 (Camunda 8.5+) answers null, with a warning, for a function called with bad
    # arguments; only a result that must have a type (a condition, a job type) raises an incident.
    engine = server.engine
    process = (
        Process("out")
        .start()
        .service("t", "t", outputs={"ratio": "=decimal(1 / divisor, x)"})
        .user_task("hold")
        .end()
        .chain("start", "t", "hold", "end")
    )
    engine.deploy([("o.bpmn", process.xml())])
    instance = engine.create_instance("out", {})
    [job] = engine.activate_jobs("t", "w", 1000, 1, [], -1)
    engine.complete_job(job.job.key, {"divisor": 4})
    assert not [i for i in engine.incidents.values() if i.instance_key == instance.key]
    assert engine.variables(instance.key) == {"ratio": None}


def test_update_job_timeout_and_preconditions(server: EngineServer, address: str) -> None:
    engine = server.engine
    engine.deploy([("u.bpmn", linear_jobs("u", ["slow"]))])
    engine.create_instance("u", {})
    with grpc.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        job_key = next(iter(engine.jobs))
        with pytest.raises(grpc.RpcError) as err:
            stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=job_key, timeout=5000))
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        [activated] = stub.ActivateJobs(
            pb.ActivateJobsRequest(type="slow", worker="w", timeout=1000, maxJobsToActivate=1, requestTimeout=-1)
        )
        assert len(activated.jobs) == 1
        stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=job_key, timeout=60_000))
        server.clock.advance(timedelta(seconds=30))
        engine.tick()
        assert engine.jobs[job_key].state == "ACTIVATED"  # the longer timeout holds
        server.clock.advance(timedelta(seconds=31))
        engine.tick()
        assert engine.jobs[job_key].state == "ACTIVATABLE"
        with pytest.raises(grpc.RpcError) as err:
            stub.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=job_key, retries=0))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_long_poll_answers_when_a_job_arrives_and_negative_timeout_answers_at_once(
    server: EngineServer, address: str
) -> None:
    engine = server.engine
    engine.deploy([("p.bpmn", linear_jobs("p", ["later"]))])
    with grpc.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        empty = list(
            stub.ActivateJobs(
                pb.ActivateJobsRequest(type="later", worker="w", timeout=1000, maxJobsToActivate=1, requestTimeout=-1)
            )
        )
        assert empty == []  # no jobs: the stream ends with zero responses
        threading.Timer(0.3, lambda: engine.create_instance("p", {})).start()
        got = list(
            stub.ActivateJobs(
                pb.ActivateJobsRequest(type="later", worker="w", timeout=1000, maxJobsToActivate=1, requestTimeout=5000)
            )
        )
        assert len(got) == 1 and len(got[0].jobs) == 1


def test_overload_is_refused_with_resource_exhausted(server: EngineServer) -> None:
    from concurrent import futures

    from jiuzhu.engine.server import EngineServer as _

    gateway = GatewayService(server.engine, max_in_flight=1)
    grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    from pyzeebe.proto import gateway_pb2_grpc

    gateway_pb2_grpc.add_GatewayServicer_to_server(gateway, grpc_server)
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    grpc_server.start()
    server.engine.deploy([("r.bpmn", linear_jobs("r", ["x"]))])
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = GatewayStub(channel)
            server.engine.lock.acquire()  # the engine is busy: the first command waits
            try:
                waiting = stub.CreateProcessInstance.future(pb.CreateProcessInstanceRequest(bpmnProcessId="r"))
                deadline = asyncio.get_event_loop_policy()  # noqa: F841 - just to yield the GIL
                for _ in range(100):
                    if gateway._in_flight == 1:
                        break
                    threading.Event().wait(0.01)
                with pytest.raises(grpc.RpcError) as err:
                    stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="r"))
                assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            finally:
                server.engine.lock.release()
            assert waiting.result(timeout=10).processInstanceKey > 0
    finally:
        grpc_server.stop(0)


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ('<bpmn:complexGateway id="cx"/>', "complexGateway"),
        (
            '<bpmn:intermediateThrowEvent id="comp"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>',
            "compensateEventDefinition",
        ),
    ],
)
def test_unsupported_elements_are_named_with_their_line(server: EngineServer, snippet: str, expected: str) -> None:
    xml = Process("u").start().raw(snippet).end().flow("start", "end").xml()
    with pytest.raises(EngineError) as err:
        server.engine.deploy([("u.bpmn", xml)])
    assert err.value.code == "INVALID_ARGUMENT"
    assert expected in err.value.message and "line" in err.value.message


def test_invalid_feel_is_refused_at_deploy(server: EngineServer) -> None:
    xml = Process("bad").start().service("t", "t", inputs={"x": "=a +* b"}).end().chain("start", "t", "end").xml()
    with pytest.raises(EngineError) as err:
        server.engine.deploy([("bad.bpmn", xml)])
    assert "<serviceTask id='t'>" in err.value.message and "FEEL" in err.value.message


def test_clock_is_only_controllable_when_asked(engine_process: EngineProcess) -> None:
    health = httpx.get(f"{engine_process.http}/healthz")
    assert health.status_code == 200 and health.json()["status"] == "UP"
    admin = engine_process.clients.auth("admin")
    refused = httpx.put(f"{engine_process.http}/v2/clock", json={"timestamp": 0}, auth=admin)
    assert refused.status_code == 403 and "controlled" in refused.json()["detail"]


def test_controlled_clock_over_http(controlled_engine_process: EngineProcess) -> None:
    base = controlled_engine_process.http
    admin = controlled_engine_process.clients.auth("admin")
    pinned = httpx.put(f"{base}/v2/clock", json={"timestamp": 1_800_000_000_000}, auth=admin).json()
    assert pinned["timestamp"] == 1_800_000_000_000
    advanced = httpx.post(f"{base}/v2/clock/advance", json={"seconds": 86400}, auth=admin).json()
    assert advanced["timestamp"] == 1_800_000_000_000 + 86_400_000
