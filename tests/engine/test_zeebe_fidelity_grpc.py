"""Issue 16 over the wire: each divergence from Zeebe 8.8 on a minimal model, driven by pyzeebe over gRPC.

Zeebe's behaviour is cited from the Camunda 8.8 docs (docs.camunda.io/docs/components/..., the page
named in each test) and the gateway protocol (gateway.proto, as shipped in pyzeebe.proto).
"""

# No `from __future__ import annotations`: pyzeebe finds a handler's `job: Job` parameter by
# comparing the evaluated annotation with `Job`.
import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from pyzeebe import Job, ZeebeClient
from pyzeebe.errors import ProcessInvalidError
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

import jiuzhu.engine.runtime.core as engine_core
from jiuzhu.engine.records import JobState
from jiuzhu.engine.server import EngineServer
from tests.engine.bpmn_builder import Process, message_ref
from tests.engine.conftest import Running, eventually

pytestmark = pytest.mark.engine


async def deploy(client: ZeebeClient, tmp_path: Path, name: str, xml: bytes) -> Any:
    path = tmp_path / name
    path.write_bytes(xml)
    return await client.deploy_resource(str(path))


def loop_process(process_id: str, job_type: str) -> bytes:
    return (
        Process(process_id)
        .start()
        .service("work", job_type)
        .xor("again", default="leave")
        .end()
        .chain("start", "work", "again")
        .flow("again", "work", condition="=more")
        .flow("again", "end", id="leave")
        .xml()
    )


async def test_message_start_variables_reach_the_job_and_unknown_fetch_variables_are_omitted(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running
) -> None:
    """message-events.md (8.8) "Message start events": correlating the message creates the instance,
    and "Variable mappings": by default all message variables are merged into the process instance.
    gateway.proto ActivateJobsRequest.fetchVariable: "a list of variables to fetch as the job variables";
    Zeebe collects the named variables that exist, so a name nobody set is absent, not null.
    (pyzeebe's own integration model, tests/integration/test.bpmn, starts this way; its job saw nulls.)"""
    process = (
        Process("started")
        .message("go", "start_test_process")
        .start_with("begin", message_ref("go"))
        .service("task", "started.work")
        .end()
        .chain("begin", "task", "end")
    )
    await deploy(client, tmp_path, "started.bpmn", process.xml())
    seen: list[dict[str, Any]] = []
    worker = worker_factory()

    @worker.task(task_type="started.work", variables_to_fetch=["input", "should_throw", "absent"])
    async def work(job: Job, **_: Any) -> dict[str, Any]:
        seen.append(dict(job.variables))
        return {}

    running.start(worker)
    await client.publish_message("start_test_process", "", {"input": "x", "should_throw": False})
    await eventually(lambda: seen, what="the job of the message-started instance")
    assert seen == [{"input": "x", "should_throw": False}]


async def test_a_loop_of_1000_rounds_completes_with_a_state_that_does_not_grow(
    client: ZeebeClient, tmp_path: Path, server: EngineServer, worker_factory: Any, running: Running
) -> None:
    """exclusive-gateways.md (8.8): a gateway flow may lead back to an earlier element (a loop); Zeebe
    keeps only active element instances, so round 1,000 costs what round 10 cost. Here the instance
    stalled near round 330 (ACTIVE, no job, no incident) when the task tree passed 1,000 levels."""
    await deploy(client, tmp_path, "loop.bpmn", loop_process("loop", "loop.work"))
    engine = server.engine
    sizes: dict[int, int] = {}
    worker = worker_factory()

    @worker.task(task_type="loop.work", max_jobs_to_activate=1)
    async def work(job: Job, n: int, **_: Any) -> dict[str, Any]:
        if n in (10, 990):
            sizes[n] = len(engine.store.load_instance_state(job.process_instance_key) or "")
        return {"n": n + 1, "more": n + 1 < 1000}

    running.start(worker)
    # answered once the instance's end is committed (its history rows with it)
    result = await client.run_process_with_result("loop", {"n": 0, "more": True}, timeout=300_000)
    key = result.process_instance_key
    assert result.variables["n"] == 1000
    assert [e.element_id for e in engine.store.completed_elements(key)].count("work") == 1000
    assert sizes[990] <= sizes[10] * 1.1, sizes
    assert not engine.incidents


async def test_a_loop_without_a_wait_state_runs_to_its_end(client: ZeebeClient, tmp_path: Path) -> None:
    """script-tasks.md (8.8): a FEEL script task completes at once; a loop of them has no wait state.
    Zeebe processes it to the end. Here it stopped silently at round 500 (Spiff's task iterator does
    not look deeper than 1,000 levels), with the instance ACTIVE and nothing to wait for."""
    process = (
        Process("count")
        .start()
        .script("inc", "=n + 1", "n")
        .xor("again", default="leave")
        .end()
        .chain("start", "inc", "again")
        .flow("again", "inc", condition="=n &lt; 2000")
        .flow("again", "end", id="leave")
    )
    await deploy(client, tmp_path, "count.bpmn", process.xml())
    result = await client.run_process_with_result("count", {"n": 0}, timeout=60_000)
    assert result.variables["n"] == 2000


async def test_a_long_command_goes_on_in_later_commands(
    client: ZeebeClient, tmp_path: Path, server: EngineServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zeebe processes an instance's steps as records on its partition, other commands in between; here
    a command stops after a bounded number of steps and the scheduler continues the instance (it used
    to stop there for good, silently). The bound is lowered so a short loop crosses it many times."""
    monkeypatch.setattr(engine_core, "MAX_ROUNDS_PER_COMMAND", 50)
    process = (
        Process("busy")
        .start()
        .script("inc", "=n + 1", "n")
        .xor("again", default="leave")
        .end()
        .chain("start", "inc", "again")
        .flow("again", "inc", condition="=n &lt; 300")
        .flow("again", "end", id="leave")
    )
    await deploy(client, tmp_path, "busy.bpmn", process.xml())
    result = await client.run_process_with_result("busy", {"n": 0}, timeout=60_000)
    assert result.variables["n"] == 300


async def test_an_unexpected_failure_in_a_command_is_an_incident_on_the_element(
    client: ZeebeClient,
    tmp_path: Path,
    server: EngineServer,
    address: str,
    worker_factory: Any,
    running: Running,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """incidents.md (8.8): "An incident represents a problem in a process execution ... the process
    instance is stuck at a particular point and needs user interaction"; once it is resolved, the
    instance continues. Whatever fails inside the engine while completing a job must leave such an
    incident on the element, with the error, never an ACTIVE instance with nothing to show. A fault
    is injected in the step that tidies the task tree after the job's completion."""
    await deploy(client, tmp_path, "loop.bpmn", loop_process("faulty", "faulty.work"))
    engine = server.engine
    real_compact = engine_core.compact
    broken = {"on": False}

    def compact(workflow: Any) -> Any:
        if broken["on"]:
            raise RuntimeError("disk full while tidying")
        return real_compact(workflow)

    monkeypatch.setattr(engine_core, "compact", compact)
    calls: list[int] = []
    worker = worker_factory()

    @worker.task(task_type="faulty.work", max_jobs_to_activate=1)
    async def work(job: Job, n: int, **_: Any) -> dict[str, Any]:
        calls.append(job.key)
        broken["on"] = n == 2 and len(calls) == 3  # the first completion of round 2 fails
        return {"n": n + 1, "more": n + 1 < 4}

    running.start(worker)
    created = await client.run_process("faulty", {"n": 0, "more": True})
    key = created.process_instance_key
    [incident] = await eventually(
        lambda: [i for i in engine.incidents.values() if i.instance_key == key], what="the incident"
    )
    assert (incident.error_type, incident.element_id) == ("UNKNOWN", "work")
    assert "RuntimeError: disk full while tidying" in incident.message
    assert engine.jobs[incident.job_key].state == JobState.FAILED  # not handed out again meanwhile
    assert engine.instances[key].state == "ACTIVE"
    await asyncio.sleep(0.5)
    assert len(calls) == 3  # rounds 0, 1 and the failed 2: the job is held, not retried behind the incident

    with grpc.insecure_channel(address) as channel:
        GatewayStub(channel).ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incident.key), timeout=10)
    await eventually(lambda: key not in engine.instances, what="the instance to go on and end")
    engine.commits.wait(engine.commits.last_ticket())  # its end (and history rows) committed
    assert len(calls) == 5 and calls[2] == calls[3]  # the held job ran again under its own key
    assert [e.element_id for e in engine.store.completed_elements(key)].count("work") == 4


async def test_an_activity_without_outgoing_flow_completes_the_instance(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running
) -> None:
    """bpmn-coverage / sequence-flows.md (8.8): a flow node without outgoing sequence flow ends its
    path (implicit end); when no path is left the process instance completes."""
    process = Process("implicit").start().service("work", "implicit.work").chain("start", "work")
    await deploy(client, tmp_path, "implicit.bpmn", process.xml())
    worker = worker_factory()

    @worker.task(task_type="implicit.work")
    async def work(**_: Any) -> dict[str, Any]:
        return {"done": True}

    running.start(worker)
    result = await client.run_process_with_result("implicit", {}, timeout=20_000)
    assert result.variables == {"done": True}


async def test_the_path_of_a_non_interrupting_cycle_outlives_the_activity(
    client: ZeebeClient, tmp_path: Path, server: EngineServer, worker_factory: Any, running: Running
) -> None:
    """timer-events.md (8.8) "Timer boundary events": a non-interrupting timer with a cycle creates a
    token at each interval; the tokens it spawned go their own way, so completing the activity does not
    cancel them, and their tasks complete normally (here: INTERNAL "A task with id … was not found")."""
    process = (
        Process("remind")
        .start()
        .service("work", "remind.work")
        .boundary_timer("every", "work", "timeCycle", "R3/PT1H", interrupting=False)
        .service("nudge", "remind.nudge")
        .end()
        .end("nudged")
        .chain("start", "work", "end")
        .chain("every", "nudge", "nudged")
    )
    await deploy(client, tmp_path, "remind.bpmn", process.xml())
    engine, clock = server.engine, server.clock
    created = await client.run_process("remind", {})
    key = created.process_instance_key
    clock.advance(timedelta(hours=1, minutes=1))
    await eventually(lambda: any(j.type == "remind.nudge" for j in engine.jobs.values()), what="the nudge job")
    order: list[str] = []
    worker = worker_factory()

    @worker.task(task_type="remind.work")
    async def work(**_: Any) -> dict[str, Any]:
        order.append("work")
        return {}

    running.start(worker)
    await eventually(lambda: order == ["work"], what="the activity to complete")
    await eventually(lambda: not any(j.type == "remind.work" for j in engine.jobs.values()), what="work done")
    assert engine.instances[key].state == "ACTIVE"  # the timer's path is still on its way

    later = worker_factory()

    @later.task(task_type="remind.nudge")
    async def nudge(**_: Any) -> dict[str, Any]:
        order.append("nudge")
        return {"nudged": True}

    running.start(later)
    await eventually(lambda: key not in engine.instances, what="the spawned path to end the instance")
    assert order == ["work", "nudge"]
    assert not engine.incidents


async def test_user_tasks_are_jobs_only_when_job_worker_based(
    client: ZeebeClient, tmp_path: Path, server: EngineServer
) -> None:
    """user-tasks.md (8.8) "User task implementation types": a Camunda user task (zeebe:userTask) is a
    user task instance, not a job; "Job worker implementation": without zeebe:userTask the task is a
    job of type io.camunda.zeebe:userTask. A zeebe:taskDefinition on a user task changes neither."""
    definition = '<zeebe:taskDefinition type="custom"/>'
    process = (
        Process("tasks")
        .start()
        .parallel("fork")
        .raw(
            f'<bpmn:userTask id="legacy"><bpmn:extensionElements>{definition}<zeebe:taskHeaders>'
            '<zeebe:header key="sla" value="P10D"/></zeebe:taskHeaders></bpmn:extensionElements></bpmn:userTask>'
        )
        .raw(
            f'<bpmn:userTask id="modern"><bpmn:extensionElements><zeebe:userTask/>{definition}'
            '<zeebe:priorityDefinition priority="70"/></bpmn:extensionElements></bpmn:userTask>'
        )
        .chain("start", "fork", "legacy")
        .chain("fork", "modern")
    )
    await deploy(client, tmp_path, "tasks.bpmn", process.xml())
    created = await client.run_process("tasks", {})
    engine = server.engine
    jobs = [j for j in engine.jobs.values() if j.instance_key == created.process_instance_key]
    assert [(j.element_id, j.type) for j in jobs] == [("legacy", "io.camunda.zeebe:userTask")]
    assert jobs[0].custom_headers["sla"] == "P10D"
    [task] = [t for t in engine.user_tasks.values() if t.instance_key == created.process_instance_key]
    assert (task.element_id, task.priority) == ("modern", 70)  # user-tasks.md "Priority": static 70 stays 70


async def test_a_gateway_without_a_way_on_is_zeebes_condition_incident(
    client: ZeebeClient, tmp_path: Path, server: EngineServer
) -> None:
    """exclusive-gateways.md (8.8): "If no condition is fulfilled and no default flow is set, an incident
    is created" (incident type CONDITION_ERROR, Zeebe's text below)."""
    process = (
        Process("choose")
        .start()
        .xor("which")
        .end("big")
        .end("small")
        .chain("start", "which")
        .flow("which", "big", condition="=amount > 100")
        .flow("which", "small", condition="=amount &lt; 10")
    )
    await deploy(client, tmp_path, "choose.bpmn", process.xml())
    created = await client.run_process("choose", {"amount": 50})
    [incident] = [i for i in server.engine.incidents.values() if i.instance_key == created.process_instance_key]
    assert (incident.error_type, incident.element_id) == ("CONDITION_ERROR", "which")
    assert incident.message == "Expected at least one condition to evaluate to true, or to have a default flow"


async def test_a_deploy_rejection_lists_every_problem(client: ZeebeClient, tmp_path: Path) -> None:
    """Zeebe's deployment rejection ("Expected to deploy new resources, but encountered the following
    errors: ...") lists every validation problem of the resource, not only the first."""
    process = (
        Process("broken")
        .start()
        .raw('<bpmn:serviceTask id="noType"/>')
        .raw('<bpmn:serviceTask id="alsoNoType"/>')
        .end()
        .chain("start", "noType", "alsoNoType", "end")
    )
    with pytest.raises(ProcessInvalidError) as err:
        await deploy(client, tmp_path, "broken.bpmn", process.xml())
    message = str(err.value.__cause__ or err.value)
    assert "noType" in message and "alsoNoType" in message
