"""Crash test: `kill -9` the engine under load from pyzeebe and check that nothing acknowledged is lost.

Setup: `jiuzhu engine` runs as a subprocess on a SQLite data dir. A process of three service tasks
(`step_a → step_b → step_c`) is deployed. In this test process, creators call CreateProcessInstance
through a pyzeebe `ZeebeClient`, and two pyzeebe `ZeebeWorker`s (one long-polling, one streaming)
serve all three job types with a 2 s activation timeout. After `KILL_AFTER` acknowledged creations,
and only once some jobs are in flight (handler started, completion not yet acknowledged), the engine
gets SIGKILL; it is restarted on the same data dir and ports while creators and workers carry on
(pyzeebe reconnects by itself). Creation stops at `TOTAL` acknowledged instances.

What a Zeebe engine promises, and therefore what is asserted:

* **Acknowledged means durable.** Every instance whose CreateProcessInstance was acknowledged
  exists after the crash and reaches its end: its row in `engine_process_instances` is COMPLETED.
  (A create that failed with UNAVAILABLE may or may not have been committed; such an instance is
  also run to its end, and there can be at most as many of them as failed create calls.)
* **At-least-once delivery, never after a completion was acknowledged.** A job whose completion was
  not acknowledged (the worker was running it, or its CompleteJob was in flight, when the engine
  died) comes back after its activation timeout *under the same job key* and the worker runs the
  handler again. The same happens without a crash when a CompleteJob is slower than the 2 s
  timeout (the restart floods the workers with the backlog). So a handler may run more than once
  per job, but:
  (a) no activation of a job is made after CompleteJob for that job key returned OK — a completion
  that "comes back" would be a lost commit. (A handler may still *start* after the ack: the job
  timed out while the first run's CompleteJob was slow and was re-activated before that
  CompleteJob reached the engine. So activation times are compared, not handler start times:
  activation = the engine-reported deadline − timeout, on the same wall clock as the ack.)
  (b) a job is handed out again only once its previous activation has expired: successive
  activations of one job are at least the timeout apart. An activation is committed before it is
  handed out, so this holds across the crash too; it also catches a job handed to a stream *and*
  to a poll.
* **Exactly-once effect per element, by idempotency on the job key.** Zeebe creates exactly one
  job per element instance; retries and redeliveries reuse its key. The workers record their side
  effect keyed by job key (`effects`, first write wins — the idempotent-consumer pattern every Zeebe
  worker must follow). The honest exactly-once statement is therefore: for every completed
  instance, each of the three elements has side-effect records for exactly one job key, and that
  job key is the one the engine completed — shown by the next job's variables, which carry the
  previous handler's result `<element>_job = <job key>` (variables are only merged when the engine
  completes the job). A second job key for the same element would mean the engine ran an element
  twice (e.g. replayed a half-committed step).
* After the run the engine holds no jobs and no incidents.

The workers live in this test process and are not killed, so their ledger is kept in memory.
"""

# No `from __future__ import annotations` here: pyzeebe finds a handler's `job: Job` parameter by
# comparing the evaluated annotation with `Job`.
import asyncio
import itertools
import random
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pyzeebe import Job, ZeebeClient, ZeebeWorker
from pyzeebe.errors import (
    ZeebeBackPressureError,
    ZeebeDeadlineExceeded,
    ZeebeGatewayUnavailableError,
    ZeebeInternalError,
)

from jiuzhu.testing import EngineProcess
from tests.engine.bpmn_builder import Process

pytestmark = [pytest.mark.engine, pytest.mark.timeout(120)]

PROCESS_ID = "crash_test"
ELEMENTS = ("step_a", "step_b", "step_c")
JOB_TYPES = {"step_a": "crash.a", "step_b": "crash.b", "step_c": "crash.c"}
TOTAL = 300
KILL_AFTER = 120
CREATORS = 6
JOB_TIMEOUT_MS = 2000
# What a client retries: the gateway away or slow, and back-pressure (RESOURCE_EXHAUSTED) on a busy
# machine right after the restart, when the engine refuses new work before completions.
CONNECTION_ERRORS = (ZeebeGatewayUnavailableError, ZeebeInternalError, ZeebeDeadlineExceeded, ZeebeBackPressureError)
# Reconnect quickly after the restart instead of gRPC's default back-off of up to two minutes.
CHANNEL_OPTIONS = (
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 500),
)


@dataclass
class Attempt:
    job_key: int
    instance_key: int
    element_id: str
    worker: str
    started: float
    variables: dict[str, Any]
    deadline_ms: int  # the engine's activation deadline: activation time + JOB_TIMEOUT_MS


@dataclass
class Ledger:
    """What the workers did: every handler run, the idempotent side effects, acknowledged completions."""

    attempts: list[Attempt] = field(default_factory=list)
    effects: dict[int, Attempt] = field(default_factory=dict)  # job key -> the run that wrote the effect
    # job key -> (monotonic, wall-clock ms) of each acknowledged CompleteJob
    acks: dict[int, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))
    created: dict[int, int] = field(default_factory=dict)  # acknowledged instance key -> creation number
    failed_creates: int = 0

    def in_flight(self) -> int:
        return len({a.job_key for a in self.attempts} - set(self.acks))


def deploy_xml() -> bytes:
    p = Process(PROCESS_ID).start()
    for element in ELEMENTS:
        p.service(element, JOB_TYPES[element])
    return p.end().chain("start", *ELEMENTS, "end").xml()


def make_worker(engine: EngineProcess, name: str, ledger: Ledger, stream: bool) -> tuple[ZeebeWorker, Any]:
    channel = engine.clients.channel(engine.address, "worker", CHANNEL_OPTIONS)
    worker = ZeebeWorker(
        channel,
        name=name,
        request_timeout=1000,
        max_connection_retries=-1,
        poll_retry_delay=0,
        stream_enabled=stream,
    )

    def handler_for(element: str) -> Callable[..., Any]:
        async def handler(job: Job) -> dict[str, Any]:
            attempt = Attempt(
                job.key,
                job.process_instance_key,
                job.element_id,
                name,
                time.monotonic(),
                dict(job.variables),
                job.deadline,
            )
            ledger.attempts.append(attempt)
            await asyncio.sleep(random.uniform(0.0, 0.03))  # the work: keeps jobs in flight
            ledger.effects.setdefault(job.key, attempt)  # the side effect, idempotent on the job key
            return {f"{element}_job": job.key}

        handler.__name__ = f"{name}_{element}"
        return handler

    for element in ELEMENTS:
        worker.task(JOB_TYPES[element], timeout_ms=JOB_TIMEOUT_MS, max_jobs_to_activate=16, max_running_jobs=16)(
            handler_for(element)
        )

    # Instrumentation: note when the engine acknowledged CompleteJob (pyzeebe has no hook after it).
    adapter = worker.zeebe_adapter
    complete = adapter.complete_job

    async def complete_job(job_key: int, variables: dict[str, Any]) -> Any:
        response = await complete(job_key=job_key, variables=variables)
        ledger.acks[job_key].append((time.monotonic(), time.time() * 1000))
        return response

    adapter.complete_job = complete_job
    return worker, channel


def read_db(engine: EngineProcess, sql: str) -> list[tuple[Any, ...]]:
    uri = f"file:{engine.data_dir / 'engine.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=10) as db:
        return list(db.execute(sql))


def instance_states(engine: EngineProcess) -> dict[int, str]:
    return {int(k): str(s) for k, s in read_db(engine, "SELECT key, state FROM engine_process_instances")}


async def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


async def test_kill_9_under_load_loses_nothing_acknowledged(engine_process: EngineProcess, tmp_path: Path) -> None:
    ledger = Ledger()
    client_channel = engine_process.clients.channel(engine_process.address, "admin", CHANNEL_OPTIONS)
    client = ZeebeClient(client_channel, max_connection_retries=-1)
    bpmn = tmp_path / "crash_test.bpmn"
    bpmn.write_bytes(deploy_xml())
    await client.deploy_resource(str(bpmn))

    workers = [
        make_worker(engine_process, "poller", ledger, stream=False),
        make_worker(engine_process, "streamer", ledger, stream=True),
    ]
    worker_tasks = [asyncio.create_task(w.work()) for w, _ in workers]
    kill_now = asyncio.Event()
    numbers = iter(range(1_000_000))

    async def creator() -> None:
        while len(ledger.created) < TOTAL:
            n = next(numbers)
            try:
                response = await client.run_process(PROCESS_ID, {"n": n})
            except CONNECTION_ERRORS:
                ledger.failed_creates += 1
                await asyncio.sleep(0.05)
                continue
            ledger.created[response.process_instance_key] = n
            if len(ledger.created) >= KILL_AFTER:
                kill_now.set()

    crash: dict[str, Any] = {}

    async def killer() -> None:
        await kill_now.wait()
        await wait_for(lambda: ledger.in_flight() > 0, 10, "jobs in flight")
        crash["in_flight"] = ledger.in_flight()
        crash["created_before"] = len(ledger.created)
        engine_process.kill()  # Popen.kill(): SIGKILL, no chance to flush or close anything
        crash["killed"] = time.monotonic()
        await asyncio.to_thread(engine_process.start)  # same data dir, same ports
        crash["restarted"] = time.monotonic()

    started = time.monotonic()
    try:
        await asyncio.wait_for(asyncio.gather(killer(), *(creator() for _ in range(CREATORS))), timeout=60)
        acknowledged = set(ledger.created)

        def all_ended() -> bool:
            states = instance_states(engine_process)
            return all(states.get(k) == "COMPLETED" for k in acknowledged) and "ACTIVE" not in states.values()

        try:
            await wait_for(all_ended, 40, "every instance to complete")
        except AssertionError:
            states = instance_states(engine_process)
            missing = [k for k in acknowledged if k not in states]
            unfinished = {k: s for k, s in states.items() if s != "COMPLETED"}
            raise AssertionError(
                f"{len(missing)} acknowledged instances missing, {len(unfinished)} not completed "
                f"(e.g. {list(unfinished.items())[:5]}, missing {missing[:5]}); crash={crash}\n"
                f"jobs: {read_db(engine_process, 'SELECT key, type, state FROM engine_jobs')[:10]}\n"
                f"engine log: {engine_process.log()}"
            ) from None
    finally:
        for worker, _ in workers:
            await worker.stop()
        for task in worker_tasks:
            task.cancel()
        await asyncio.gather(*worker_tasks, return_exceptions=True)
        for _, channel in workers:
            await channel.close()
        await client_channel.close()
    elapsed = time.monotonic() - started

    # The crash really happened mid-run, with work in flight.
    assert crash["in_flight"] > 0 and KILL_AFTER <= crash["created_before"] < TOTAL
    assert engine_process.proc is not None and engine_process.proc.poll() is None

    # 1. Acknowledged means durable: every acknowledged instance is COMPLETED.
    states = instance_states(engine_process)
    assert acknowledged <= set(states), "acknowledged instances were lost"
    assert {k: states[k] for k in acknowledged if states[k] != "COMPLETED"} == {}
    unacknowledged = set(states) - acknowledged
    assert len(unacknowledged) <= ledger.failed_creates
    assert all(states[k] == "COMPLETED" for k in unacknowledged)

    # 2. Redelivery only after an activation expired, never after an acknowledged completion.
    runs: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in ledger.attempts:
        runs[attempt.job_key].append(attempt)
    assert all(len(times) == 1 for times in ledger.acks.values()), "a job's completion was acknowledged twice"
    for job_key, attempts in runs.items():
        acked = ledger.acks.get(job_key)
        if acked:  # activation = deadline - timeout, on the engine's clock (the same wall clock as ours)
            late = [a for a in attempts if a.deadline_ms - JOB_TIMEOUT_MS > acked[0][1]]
            assert late == [], (
                f"job {job_key} was activated again after its completion was acknowledged "
                f"at {acked[0][1]:.0f}: {attempts}"
            )
        deadlines = sorted(a.deadline_ms for a in attempts)
        for previous, following in itertools.pairwise(deadlines):
            assert following - JOB_TIMEOUT_MS >= previous, f"job {job_key} handed out twice at once: {attempts}"
    redelivered = sum(1 for attempts in runs.values() if len(attempts) > 1)

    # 3. Exactly one job key per element of every completed instance, carrying the side effect, and
    #    it is the job the engine completed (its result reached the next element's job).
    effects: dict[int, dict[str, list[Attempt]]] = defaultdict(lambda: defaultdict(list))
    for attempt in ledger.effects.values():
        effects[attempt.instance_key][attempt.element_id].append(attempt)
    completed = {k for k, s in states.items() if s == "COMPLETED"}
    assert set(effects) == completed
    for instance_key in completed:
        per_element = effects[instance_key]
        assert sorted(per_element) == sorted(ELEMENTS), f"instance {instance_key}: {dict(per_element)}"
        for element in ELEMENTS:
            assert len(per_element[element]) == 1, f"instance {instance_key} ran {element} as several jobs"
        for previous, following in itertools.pairwise(ELEMENTS):
            seen = {a.variables.get(f"{previous}_job") for a in runs[per_element[following][0].job_key]}
            assert seen == {per_element[previous][0].job_key}, f"instance {instance_key}: {previous} → {following}"
        for element in ELEMENTS:  # and the engine acknowledged those completions, or the crash ate the reply
            job_key = per_element[element][0].job_key
            assert job_key in ledger.acks or runs[job_key][0].started < crash["restarted"]

    # 4. Nothing is left behind.
    assert read_db(engine_process, "SELECT key, type, state FROM engine_jobs") == []
    assert read_db(engine_process, "SELECT key, message FROM engine_incidents") == []

    print(
        f"\ncrash test: {len(acknowledged)} acknowledged instances "
        f"({len(unacknowledged)} more from failed calls), {len(ledger.attempts)} handler runs, "
        f"{redelivered} jobs redelivered, {crash['in_flight']} in flight "
        f"at the kill after {crash['created_before']} creations, {ledger.failed_creates} failed creates, "
        f"restart took {crash['restarted'] - crash['killed']:.1f}s, whole run {elapsed:.1f}s"
    )
