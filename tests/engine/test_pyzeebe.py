"""The embedded engine driven through unchanged pyzeebe 4.7 over real gRPC."""

import asyncio
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from pyzeebe import Job, ZeebeClient
from pyzeebe.errors import (
    InvalidJSONError,
    ProcessDefinitionNotFoundError,
    ProcessInstanceNotFoundError,
    ProcessInvalidError,
    ProcessTimeoutError,
)

from jiuzhu.engine.records import JobState
from jiuzhu.engine.server import EngineServer
from tests.engine.bpmn_builder import Process, linear_jobs
from tests.engine.conftest import Running, eventually

pytestmark = pytest.mark.engine


async def deploy(client: ZeebeClient, tmp_path: Path, name: str, xml: bytes) -> Any:
    path = tmp_path / name
    path.write_bytes(xml)
    return await client.deploy_resource(str(path))


async def test_topology_and_health(client: ZeebeClient) -> None:
    topology = await client.topology()
    assert topology.cluster_size == 1
    assert topology.partitions_count == 1
    assert topology.brokers[0].partitions[0].role.name == "LEADER"
    health = await client.healthcheck()
    assert health.status == 1  # SERVING


async def test_deploy_versions_like_zeebe(client: ZeebeClient, tmp_path: Path) -> None:
    first = await deploy(client, tmp_path, "order.bpmn", linear_jobs("order", ["a"]))
    again = await deploy(client, tmp_path, "order.bpmn", linear_jobs("order", ["a"]))
    changed = await deploy(client, tmp_path, "order.bpmn", linear_jobs("order", ["a", "b"]))
    [p1], [p2], [p3] = first.deployments, again.deployments, changed.deployments
    assert (p1.bpmn_process_id, p1.version) == ("order", 1)
    assert (p2.version, p2.process_definition_key) == (1, p1.process_definition_key)
    assert p3.version == 2 and p3.process_definition_key != p1.process_definition_key


async def test_deploy_rejects_broken_bpmn_naming_element_and_line(client: ZeebeClient, tmp_path: Path) -> None:
    broken = Process("broken").start().raw('<bpmn:serviceTask id="noType"/>').end().chain("start", "noType", "end")
    with pytest.raises(ProcessInvalidError) as err:
        await deploy(client, tmp_path, "broken.bpmn", broken.xml())
    message = str(err.value.__cause__ or err.value)
    assert "noType" in message and "line" in message and "zeebe:taskDefinition" in message

    with pytest.raises(ProcessInvalidError) as err2:
        await deploy(client, tmp_path, "bad.bpmn", b"<definitions><process></definitions>")
    assert "not well-formed" in str(err2.value.__cause__ or err2.value)


async def test_deploy_refuses_entity_expansion(client: ZeebeClient, tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&b;</bpmn:definitions>'
    )
    with pytest.raises(ProcessInvalidError) as err:
        await deploy(client, tmp_path, "bomb.bpmn", bomb)
    assert "DTD" in str(err.value.__cause__ or err.value)


async def test_jobs_flow_through_worker_with_variables_and_headers(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running
) -> None:
    process = (
        Process("household")
        .start()
        .service(
            "check",
            "verification.check",
            headers={"level": "county"},
            inputs={"applicant": "=name"},
            outputs={"checked": "=result"},
        )
        .service("decide", "decision.record")
        .end()
        .chain("start", "check", "decide", "end")
    )
    await deploy(client, tmp_path, "household.bpmn", process.xml())
    seen: dict[str, Any] = {}
    done = asyncio.Event()
    worker = worker_factory()

    @worker.task(task_type="verification.check")
    async def check(job: Job) -> dict[str, Any]:
        seen["check_vars"] = dict(job.variables)
        seen["headers"] = dict(job.custom_headers)
        return {"result": "符合", "scratch": 1}

    @worker.task(task_type="decision.record")
    async def decide(job: Job) -> dict[str, Any]:
        seen["decide_vars"] = dict(job.variables)
        done.set()
        return {}

    running.start(worker)
    await client.run_process("household", {"name": "张三", "members": 3})
    await asyncio.wait_for(done.wait(), 10)
    assert seen["check_vars"] == {"name": "张三", "members": 3, "applicant": "张三"}
    assert seen["headers"] == {"level": "county"}
    # Output mapping: only `checked` propagates; the job's raw variables stay local to the task.
    assert seen["decide_vars"] == {"name": "张三", "members": 3, "checked": "符合"}


async def test_run_process_with_result_and_gateway(client: ZeebeClient, tmp_path: Path) -> None:
    process = (
        Process("route")
        .start()
        .xor("size", default="toSmall")
        .script("big", "=amount * 2", "doubled")
        .script("small", '="small"', "label")
        .end("e1")
        .end("e2")
        .flow("start", "size")
        .flow("size", "big", "=amount &gt; 1000", id="toBig")
        .flow("size", "small", id="toSmall")
        .flow("big", "e1")
        .flow("small", "e2")
    )
    await deploy(client, tmp_path, "route.bpmn", process.xml())
    big = await client.run_process_with_result("route", {"amount": 1500.5})
    small = await client.run_process_with_result("route", {"amount": 10}, variables_to_fetch=["label"])
    assert big.variables == {"amount": 1500.5, "doubled": 3001}
    assert small.variables == {"label": "small"}


async def test_run_with_result_times_out(client: ZeebeClient, tmp_path: Path) -> None:
    await deploy(client, tmp_path, "wait.bpmn", linear_jobs("wait", ["nobody.works"]))
    with pytest.raises(ProcessTimeoutError):
        await client.run_process_with_result("wait", {}, timeout=300)


async def test_unknown_process_and_bad_variables(client: ZeebeClient) -> None:
    with pytest.raises(ProcessDefinitionNotFoundError):
        await client.run_process("nope")
    with pytest.raises(ProcessInstanceNotFoundError):
        await client.cancel_process_instance(42)


async def test_invalid_variables_json_is_invalid_argument(address: str, client: ZeebeClient, tmp_path: Path) -> None:
    from pyzeebe.proto import gateway_pb2 as pb
    from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

    await deploy(client, tmp_path, "v.bpmn", linear_jobs("v", ["x"]))
    async with grpc.aio.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        for bad in ("[1,2]", "{not json"):
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="v", variables=bad))
            assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.CompleteJob(pb.CompleteJobRequest(jobKey=12345))
        assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert InvalidJSONError  # pyzeebe maps the same status for its own client calls


async def test_failed_job_retries_then_incident_then_resolve(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running, server: EngineServer
) -> None:
    await deploy(
        client, tmp_path, "flaky.bpmn", linear_jobs("flaky", ["flaky.work"]).replace(b'retries="3"', b'retries="2"')
    )
    attempts: list[int] = []
    worker = worker_factory()

    @worker.task(task_type="flaky.work", timeout_ms=5000)
    async def work(job: Job) -> dict[str, Any]:
        attempts.append(job.retries)
        raise RuntimeError("provincial platform unreachable")

    running.start(worker)
    created = await client.run_process("flaky", {})
    engine = server.engine
    incident = await eventually(
        lambda: next((i for i in engine.incidents.values() if i.instance_key == created.process_instance_key), None),
        what="an incident after retries ran out",
    )
    assert attempts == [2, 1]
    assert incident.error_type == "JOB_NO_RETRIES"
    assert "provincial platform unreachable" in incident.message
    await running.stop()

    engine.update_job_retries(incident.job_key, 1)
    engine.resolve_incident(incident.key)
    job = engine.jobs[incident.job_key]
    assert job.state == JobState.ACTIVATABLE and job.retries == 1

    ok = worker_factory()

    @ok.task(task_type="flaky.work")
    async def work_ok(job: Job) -> dict[str, Any]:
        return {"fixed": True}

    running.start(ok)
    # A long poll of the stopped worker may still have been open on the server and taken the job
    # (before or after any clock move); as in Zeebe, its activation then times out and the job goes
    # to the next worker. So the clock moves past the activation timeout once a second until then.
    nudged = [time.monotonic()]

    def completed() -> bool:
        if created.process_instance_key not in engine.instances:
            return True
        if time.monotonic() - nudged[0] > 1.0:
            server.clock.advance(timedelta(seconds=6))
            nudged[0] = time.monotonic()
        return False

    server.clock.advance(timedelta(seconds=6))
    await eventually(completed, what="the instance to complete")


async def test_throw_error_without_catch_raises_incident(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running, server: EngineServer
) -> None:
    from pyzeebe.errors import BusinessError

    await deploy(client, tmp_path, "err.bpmn", linear_jobs("err", ["verification.check"]))
    worker = worker_factory()

    @worker.task(task_type="verification.check")
    async def check(job: Job) -> None:
        raise BusinessError("NOT_ELIGIBLE", "not eligible")

    running.start(worker)
    created = await client.run_process("err", {})
    incident = await eventually(
        lambda: next(
            (i for i in server.engine.incidents.values() if i.instance_key == created.process_instance_key), None
        ),
        what="an unhandled-error incident",
    )
    assert incident.error_type == "UNHANDLED_ERROR_EVENT"
    assert "NOT_ELIGIBLE" in incident.message


async def test_cancel_removes_jobs(client: ZeebeClient, tmp_path: Path, server: EngineServer) -> None:
    await deploy(client, tmp_path, "c.bpmn", linear_jobs("c", ["never"]))
    created = await client.run_process("c", {})
    assert any(j.instance_key == created.process_instance_key for j in server.engine.jobs.values())
    await client.cancel_process_instance(created.process_instance_key)
    assert not any(j.instance_key == created.process_instance_key for j in server.engine.jobs.values())
    with pytest.raises(ProcessInstanceNotFoundError):
        await client.cancel_process_instance(created.process_instance_key)


async def test_streamed_jobs_are_not_also_polled(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running
) -> None:
    await deploy(client, tmp_path, "s.bpmn", linear_jobs("s", ["stream.me"]))
    handled: list[int] = []
    worker = worker_factory(stream_enabled=True)

    @worker.task(task_type="stream.me")
    async def handle(job: Job) -> dict[str, Any]:
        handled.append(job.key)
        return {}

    running.start(worker)
    await asyncio.sleep(0.3)  # let the stream open before instances arrive
    for n in range(20):
        await client.run_process("s", {"n": n})
    await eventually(lambda: len(handled) >= 20, what="20 streamed jobs")
    await asyncio.sleep(0.5)
    assert len(handled) == len(set(handled)) == 20


async def test_timer_boundary_escalates_under_controlled_clock(
    client: ZeebeClient, tmp_path: Path, server: EngineServer
) -> None:
    process = (
        Process("sla")
        .start()
        .service("visit", "visit.record")
        .boundary_timer("warn", "visit", "timeDate", "=warnAt", interrupting=False)
        .boundary_timer("breach", "visit", "timeDuration", "P10D")
        .service("remind", "sla.remind")
        .service("escalate", "sla.escalate")
        .end()
        .end("e2")
        .end("e3")
        .chain("start", "visit", "end")
        .flow("warn", "remind")
        .flow("remind", "e2")
        .flow("breach", "escalate")
        .flow("escalate", "e3")
    )
    await deploy(client, tmp_path, "sla.bpmn", process.xml())
    clock, engine = server.clock, server.engine
    warn_at = (clock.now() + timedelta(days=8)).isoformat()
    created = await client.run_process("sla", {"warnAt": warn_at})

    def types() -> list[str]:
        return sorted(j.type for j in engine.jobs.values() if j.instance_key == created.process_instance_key)

    assert types() == ["visit.record"]
    clock.advance(timedelta(days=8, seconds=1))
    await eventually(lambda: types() == ["sla.remind", "visit.record"], what="the warning reminder")
    clock.advance(timedelta(days=2))
    await eventually(lambda: types() == ["sla.escalate", "sla.remind"], what="the breach escalation")


async def test_job_timeout_makes_job_activatable_again(
    client: ZeebeClient, tmp_path: Path, server: EngineServer
) -> None:
    await deploy(client, tmp_path, "t.bpmn", linear_jobs("t", ["slow"]))
    await client.run_process("t", {})
    engine = server.engine
    first = engine.activate_jobs("slow", "w1", 1000, 5, [], -1)
    assert len(first) == 1
    assert engine.activate_jobs("slow", "w2", 1000, 5, [], -1) == []  # handed out once only
    server.clock.advance(timedelta(seconds=2))
    again = await eventually(lambda: engine.activate_jobs("slow", "w2", 1000, 5, [], -1), what="re-activation")
    assert again[0].job.key == first[0].job.key and again[0].job.worker == "w2"


async def test_user_task_without_zeebe_user_task_is_a_job_with_headers(
    client: ZeebeClient, tmp_path: Path, server: EngineServer
) -> None:
    process = (
        Process("ut")
        .start()
        .user_task(
            "visit",
            camunda=False,
            assignee="=caseworker",
            groups="township-a,county",
            due="2026-12-10T09:00:00+08:00",
            form_id="home-visit",
        )
        .end()
        .chain("start", "visit", "end")
    )
    await deploy(client, tmp_path, "ut.bpmn", process.xml())
    await client.run_process("ut", {"caseworker": "wang"})
    [activated] = server.engine.activate_jobs("io.camunda.zeebe:userTask", "tasklist", 1000, 1, [], -1)
    headers = activated.job.custom_headers
    assert headers["io.camunda.zeebe:assignee"] == "wang"
    assert json.loads(headers["io.camunda.zeebe:candidateGroups"]) == ["township-a", "county"]
    assert headers["io.camunda.zeebe:dueDate"] == "2026-12-10T09:00:00+08:00"
    assert headers["io.camunda.zeebe:formKey"] == "camunda-forms:bpmn:home-visit"


async def test_camunda_user_task_record_and_completion(
    client: ZeebeClient, tmp_path: Path, server: EngineServer
) -> None:
    process = (
        Process("approve")
        .start()
        .user_task("approve", assignee="leader", groups='=["leaders"]')
        .script("after", "=approved", "wasApproved")
        .end()
        .chain("start", "approve", "after", "end")
    )
    await deploy(client, tmp_path, "approve.bpmn", process.xml())
    created = await client.run_process("approve", {"caseId": "A-1"})
    engine = server.engine
    [task] = [t for t in engine.user_tasks.values() if t.instance_key == created.process_instance_key]
    assert (task.assignee, task.candidate_groups, task.element_id) == ("leader", ["leaders"], "approve")
    assert engine.user_task_variables(task.key) == {"caseId": "A-1"}
    assert not any(j.instance_key == created.process_instance_key for j in engine.jobs.values())
    engine.complete_user_task(task.key, {"approved": True})
    assert created.process_instance_key not in engine.instances


async def test_publish_message_buffers_and_rejects_duplicate_id(client: ZeebeClient, server: EngineServer) -> None:
    from pyzeebe.errors import MessageAlreadyExistsError

    first = await client.publish_message(
        "objection", "case-1", {"who": "村民"}, time_to_live_in_milliseconds=60_000, message_id="m-1"
    )
    assert first.key in server.engine.messages
    with pytest.raises(MessageAlreadyExistsError):
        await client.publish_message("objection", "case-1", time_to_live_in_milliseconds=60_000, message_id="m-1")
    server.clock.advance(timedelta(minutes=2))
    await eventually(lambda: first.key not in server.engine.messages, what="the message to expire")
