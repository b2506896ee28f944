"""A CPU budget per engine command: one command cannot hold the engine lock for seconds.

Each FEEL evaluation has its own bounds (steps, sizes, a regex time budget), but a command that
evaluates many expressions (a create running forty script tasks, one element with forty input
mappings) could still keep every other command waiting for seconds. The engine gives one command
COMMAND_CPU_BUDGET_S of CPU: it starts no further element once it has spent what is left after one
element's share (ELEMENT_CPU_BUDGET_S), and the instance goes on in a later command (the scheduler
runs it at once), as records interleave on a Zeebe partition; an element whose own expressions need
more than its share becomes an incident that says so. bench/command_budget.py prints the figures.

No test here times anything: the budgets are set so the outcome does not depend on the machine's
speed, or the heavy work is many times the budget.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from jiuzhu.engine.clock import Clock
from jiuzhu.engine.records import Instance
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.runtime.model import COMMAND_CPU_BUDGET_S, ELEMENT_CPU_BUDGET_S
from jiuzhu.engine.server import EngineServer
from jiuzhu.engine.store.repository import Store, open_database
from tests.engine.bpmn_builder import Process, linear_jobs

pytestmark = pytest.mark.engine

T0 = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
# 40,000 iterations, within FEEL's step bound: tens of milliseconds of CPU, never refused itself
HEAVY = "=count(for x in 1..200, y in 1..200 return 1)"
BOUND = 10.0  # seconds: the deadline of gRPC calls (a call held behind the lock would exceed it)


def chain_of_scripts(process_id: str, n: int, expression: str = HEAVY, before: str = "") -> bytes:
    p = Process(process_id).start()
    ids = [f"s{i}" for i in range(n)]
    if before:
        p.service(before, f"{process_id}.work")
    for i in ids:
        p.script(i, expression, f"r{i}")
    first = [before] if before else []
    return p.end().chain("start", *first, *ids, "end").xml()


def open_engine(tmp_path: Path, clock: Clock | None = None) -> Engine:
    return Engine(Store(open_database(f"sqlite:///{tmp_path / 'engine.db'}")), clock)


def drive(engine: Engine, rounds: int = 10_000) -> int:
    """Tick until nothing is due (what the scheduler does); how many ticks fired something."""
    for fired in range(rounds):
        if not engine.tick():
            return fired
    raise AssertionError("the engine still had due work after many ticks")


def scripts_done(engine: Engine, instance_key: int) -> int:
    return sum(1 for e in engine.completed_elements(instance_key) if re.fullmatch(r"s\d+", e))


def test_the_budget_is_a_named_bound_of_a_quarter_second() -> None:
    assert COMMAND_CPU_BUDGET_S == 0.25
    assert 0 < ELEMENT_CPU_BUDGET_S < COMMAND_CPU_BUDGET_S


def test_a_create_runs_its_elements_in_several_commands_once_the_budget_is_spent(tmp_path: Path) -> None:
    engine = open_engine(tmp_path)
    engine.command_cpu_s = engine.element_cpu_s  # nothing left after one element: one per command
    engine.deploy([("light.bpmn", chain_of_scripts("light", 40, "=1"))])
    instance = engine.create_instance("light", {})
    assert instance.key in engine.instances  # the create answered before the process ran through
    assert scripts_done(engine, instance.key) <= 1
    assert drive(engine) >= 39  # the scheduler goes on, one command per element
    assert instance.key not in engine.instances
    assert not engine.open_incidents()


def test_an_element_over_its_share_becomes_an_incident_that_names_the_budget(tmp_path: Path) -> None:
    engine = open_engine(tmp_path)
    engine.element_cpu_s = 0.001  # any heavy expression is over it, on any machine
    engine.deploy([("one.bpmn", chain_of_scripts("one", 3))])
    instance = engine.create_instance("one", {})
    [incident] = engine.open_incidents()
    assert incident.element_id == "s0"
    assert incident.error_type == "EXTRACT_VALUE_ERROR"
    assert "CPU budget" in incident.message and "0.001 s" in incident.message
    assert scripts_done(engine, instance.key) == 0
    # nothing half-applied: resolved with the ordinary budget, the element runs again and completes
    engine.element_cpu_s = ELEMENT_CPU_BUDGET_S
    engine.resolve_incident(incident.key)
    drive(engine)
    assert instance.key not in engine.instances
    assert not engine.open_incidents()


def test_forty_heavy_input_mappings_of_one_element_are_an_incident_not_a_held_lock(tmp_path: Path) -> None:
    # each mapping is within FEEL's own bounds; together they are many times the element's share
    engine = open_engine(tmp_path)
    inputs = {f"v{i}": HEAVY for i in range(40)}
    xml = Process("mapped").start().service("work", "mapped.work", inputs=inputs).end().chain("start", "work", "end")
    engine.deploy([("mapped.bpmn", xml.xml())])
    engine.create_instance("mapped", {})
    [incident] = engine.open_incidents()
    assert incident.element_id == "work"
    assert "CPU budget" in incident.message
    assert not engine.jobs  # the job was never created


def test_a_heavy_create_and_a_heavy_completion_let_other_commands_in(tmp_path: Path) -> None:
    # 40 heavy script tasks are many times the budget: the command yields after a few of them
    engine = open_engine(tmp_path)
    engine.deploy(
        [
            ("heavy.bpmn", chain_of_scripts("heavy", 40)),
            ("after.bpmn", chain_of_scripts("after", 40, before="work")),
            ("light.bpmn", linear_jobs("light", ["light.work"])),
        ]
    )
    heavy = engine.create_instance("heavy", {})
    assert scripts_done(engine, heavy.key) < 40
    waiting = engine.create_instance("after", {})
    [job] = engine.activate_jobs("after.work", "w", 60_000, 1, [], -1)
    engine.complete_job(job.job.key, {})
    assert scripts_done(engine, waiting.key) < 40
    light = engine.create_instance("light", {})  # another command gets in meanwhile
    assert light.key in engine.instances
    drive(engine)
    assert heavy.key not in engine.instances and waiting.key not in engine.instances
    assert not engine.open_incidents()


def test_the_scheduler_runs_due_instances_one_command_at_a_time(tmp_path: Path) -> None:
    """Ten instances whose timers fall due together, each a few budgets of work after the timer: a
    create from another thread answers after the scheduler's first command or so, not after a
    command for each of the ten (the lock was held over the whole round of due instances)."""
    clock = Clock(controlled=True, start=T0)
    engine = open_engine(tmp_path, clock)
    p = Process("timed").start().timer("wait", "timeDuration", "PT1H")
    ids = [f"s{i}" for i in range(8)]
    for i in ids:
        p.script(i, HEAVY, f"r{i}")
    engine.deploy(
        [
            ("timed.bpmn", p.end().chain("start", "wait", *ids, "end").xml()),
            ("light.bpmn", linear_jobs("light", ["light.work"])),
        ]
    )
    timed = [engine.create_instance("timed", {}).key for _ in range(10)]
    started = threading.Event()
    commands: list[int] = []  # instances the scheduler ran, one entry per command
    run = engine._run

    def counted(instance: Instance) -> None:
        if instance.key in timed:
            commands.append(instance.key)
            started.set()
        run(instance)

    engine._run = counted  # type: ignore[method-assign]
    clock.advance(timedelta(hours=2))
    scheduler = threading.Thread(target=drive, args=(engine,))
    scheduler.start()
    try:
        assert started.wait(BOUND)
        engine.create_instance("light", {})
        commands_before_the_create_answered = len(commands)
    finally:
        scheduler.join(120)
    assert commands_before_the_create_answered < len(timed)
    assert not any(key in engine.instances for key in timed)
    assert set(commands) == set(timed)


# --- through the gateway -------------------------------------------------------------------------


@pytest.fixture
def gateway(server: EngineServer) -> Iterator[pb_grpc.GatewayStub]:
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        yield pb_grpc.GatewayStub(channel)


def test_over_grpc_the_heavy_create_answers_and_topology_and_creates_answer_meanwhile(
    server: EngineServer, gateway: pb_grpc.GatewayStub
) -> None:
    resources = [
        pb.Resource(name="heavy.bpmn", content=chain_of_scripts("heavy", 40)),
        pb.Resource(name="light.bpmn", content=linear_jobs("light", ["light.work"])),
    ]
    gateway.DeployResource(pb.DeployResourceRequest(resources=resources), timeout=BOUND)
    heavy = [
        gateway.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(bpmnProcessId="heavy", version=-1), timeout=BOUND
        ).processInstanceKey
        for _ in range(3)
    ]
    # the heavy instances go on in the scheduler's commands; others' commands interleave
    assert gateway.Topology(pb.TopologyRequest(), timeout=BOUND).brokers
    light = gateway.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="light"), timeout=BOUND)
    assert any(key in server.engine.instances for key in heavy)  # answered while heavy work is left
    assert light.processInstanceKey in server.engine.instances
    result = gateway.CreateProcessInstanceWithResult(
        pb.CreateProcessInstanceWithResultRequest(
            request=pb.CreateProcessInstanceRequest(bpmnProcessId="heavy", version=-1), requestTimeout=60_000
        ),
        timeout=70,
    )
    assert json.loads(result.variables)["rs39"] == 40000
    assert not server.engine.open_incidents()
