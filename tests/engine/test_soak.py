"""Kill -9 soak: `jiuzhu engine` is killed five times under pyzeebe load and restarted on the same data.

Creators start instances of a two-step process; a pyzeebe worker runs both job types and records every
handler run as a row in a SQLite file of its own (outside the engine: the side effect, counted, not
deduplicated). Asserted: every acknowledged instance completes (0 lost), and a job ran its side
effect more than once only if it was in flight at a kill — activated before the kill and its
completion not acknowledged before it — never because a completion was refused or lost on a running
engine.

The worker is the one a deployment runs: one `ZeebeWorker` on one channel for the whole soak. It is
not restarted; gRPC reconnects the channel after each restart and pyzeebe's pollers carry on (a
poll that fails with UNAVAILABLE waits 5 s, a CompleteJob that fails leaves the job to time out and
come back). Should instances stay unfinished, the failure says whose fault it is: a fresh worker on a
fresh channel is started, and if it finishes them the engine was handing out jobs and the long-lived
worker had stalled; if it cannot, the engine is not handing them out.
"""

# No `from __future__ import annotations`: pyzeebe matches a handler's `job: Job` by its evaluated annotation.
import asyncio
import sqlite3
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from pyzeebe import Job, ZeebeClient, ZeebeWorker

from jiuzhu.testing import EngineProcess
from tests.engine.bpmn_builder import Process
from tests.engine.test_crash import CHANNEL_OPTIONS, CONNECTION_ERRORS, instance_states, read_db, wait_for

pytestmark = [pytest.mark.engine, pytest.mark.timeout(240)]

PROCESS_ID = "soak"
JOB_TYPES = ("soak.first", "soak.second")
KILLS = 5
BETWEEN_KILLS_S = 4.0
CREATORS = 4
CREATE_PAUSE_S = 0.1  # steady load, not a flood: about 40 creates a second
JOB_TIMEOUT_MS = 4000  # longer than a CompleteJob takes on a busy shared machine, short for redelivery
SETTLE_S = 60  # after the last restart: time for redelivered jobs to time out and be run


class Effects:
    """The worker's side effects: one row per handler run, in a SQLite file the engine never sees."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("CREATE TABLE runs (job_key INTEGER, instance_key INTEGER, activated_ms REAL)")
        self.acks: dict[int, float] = {}  # job key -> wall-clock ms its first CompleteJob was acknowledged

    def record(self, job: Job) -> None:
        # when the engine activated this delivery: its deadline less the timeout (the engine's wall clock)
        row = (job.key, job.process_instance_key, job.deadline - JOB_TIMEOUT_MS)
        self.db.execute("INSERT INTO runs VALUES (?, ?, ?)", row)

    def runs(self) -> dict[int, list[float]]:
        by_job: dict[int, list[float]] = defaultdict(list)
        for job_key, activated in self.db.execute("SELECT job_key, activated_ms FROM runs ORDER BY rowid"):
            by_job[int(job_key)].append(float(activated))
        return by_job


def process_xml() -> bytes:
    p = Process(PROCESS_ID).start()
    for index, job_type in enumerate(JOB_TYPES):
        p.service(f"step{index}", job_type)
    return p.end().chain("start", *(f"step{i}" for i in range(len(JOB_TYPES))), "end").xml()


def make_worker(engine: EngineProcess, effects: Effects, name: str = "soak") -> tuple[ZeebeWorker, Any]:
    channel = engine.clients.channel(engine.address, "worker", CHANNEL_OPTIONS)
    # poll_retry_delay: how long a poller waits when all its slots are busy (0 would spin the event loop)
    worker = ZeebeWorker(channel, name=name, request_timeout=1000, max_connection_retries=-1, poll_retry_delay=0.05)  # type: ignore[arg-type]

    async def handler(job: Job) -> dict[str, Any]:
        effects.record(job)
        await asyncio.sleep(0.02)  # the work: keeps jobs in flight when a kill comes
        return {}

    for job_type in JOB_TYPES:
        worker.task(job_type, timeout_ms=JOB_TIMEOUT_MS, max_jobs_to_activate=16, max_running_jobs=32)(handler)
    adapter = worker.zeebe_adapter
    complete = adapter.complete_job

    async def complete_job(job_key: int, variables: dict[str, Any]) -> Any:
        response = await complete(job_key=job_key, variables=variables)
        effects.acks.setdefault(job_key, time.time() * 1000)
        return response

    adapter.complete_job = complete_job
    return worker, channel


async def who_stalled(engine: EngineProcess, effects: Effects, unfinished: set[int]) -> str:
    """Start a fresh worker on a fresh channel for 20 s: does it finish what the old worker did not?"""
    fresh, channel = make_worker(engine, effects, name="fresh")
    task = asyncio.create_task(fresh.work())
    try:
        await wait_for(lambda: all(instance_states(engine).get(k) == "COMPLETED" for k in unfinished), 20, "fresh")
        verdict = "a fresh worker finished them all: the long-lived pyzeebe worker had stalled"
    except AssertionError:
        left = sum(1 for k in unfinished if instance_states(engine).get(k) != "COMPLETED")
        verdict = f"a fresh worker left {left} unfinished too: the engine is not handing out their jobs"
    finally:
        await fresh.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await channel.close()
    return verdict


async def test_five_kills_lose_no_acknowledged_instance(engine_process: EngineProcess, tmp_path: Path) -> None:
    effects = Effects(tmp_path / "side-effects.db")
    client_channel = engine_process.clients.channel(engine_process.address, "admin", CHANNEL_OPTIONS)
    client = ZeebeClient(client_channel, max_connection_retries=-1)
    bpmn = tmp_path / "soak.bpmn"
    bpmn.write_bytes(process_xml())
    await client.deploy_resource(str(bpmn))
    worker, worker_channel = make_worker(engine_process, effects)
    worker_task = asyncio.create_task(worker.work())
    acknowledged: set[int] = set()
    failed_creates = 0
    kills: list[float] = []  # wall-clock ms of each SIGKILL
    stop = asyncio.Event()

    async def creator() -> None:
        nonlocal failed_creates
        while not stop.is_set():
            try:
                acknowledged.add((await client.run_process(PROCESS_ID, {})).process_instance_key)
                await asyncio.sleep(CREATE_PAUSE_S)
            except CONNECTION_ERRORS:
                failed_creates += 1
                await asyncio.sleep(0.05)

    async def killer() -> None:
        for _ in range(KILLS):
            await asyncio.sleep(BETWEEN_KILLS_S)
            engine_process.kill()  # SIGKILL: no flush, no close
            kills.append(time.time() * 1000)
            await asyncio.to_thread(engine_process.start)
        await asyncio.sleep(BETWEEN_KILLS_S)
        stop.set()

    def unfinished() -> set[int]:
        states = instance_states(engine_process)
        return {k for k in acknowledged if states.get(k) != "COMPLETED"}

    try:
        await asyncio.wait_for(asyncio.gather(killer(), *(creator() for _ in range(CREATORS))), timeout=150)
        try:
            await wait_for(lambda: not unfinished(), SETTLE_S, "every acknowledged instance to complete")
        except AssertionError:
            open_ = unfinished()
            states = instance_states(engine_process)
            jobs = read_db(engine_process, "SELECT type, state, count(*) FROM engine_jobs GROUP BY type, state")
            await worker.stop()
            verdict = await who_stalled(engine_process, effects, open_)
            raise AssertionError(
                f"{len(open_)} of {len(acknowledged)} acknowledged instances unfinished after {SETTLE_S}s "
                f"({sum(1 for k in open_ if k not in states)} missing); jobs by type and state {jobs}; "
                f"{verdict}; log: {engine_process.log()[-1500:]}"
            ) from None
    finally:
        await worker.stop()
        worker_task.cancel()
        await asyncio.gather(worker_task, return_exceptions=True)
        await worker_channel.close()
        await client_channel.close()

    assert len(kills) == KILLS and len(acknowledged) > 50
    assert unfinished() == set(), "acknowledged instances lost or unfinished"

    runs = effects.runs()
    duplicated = {job: activations for job, activations in runs.items() if len(activations) > 1}

    def in_flight_at_a_kill(job: int, first_activation_ms: float) -> bool:
        acked = effects.acks.get(job, float("inf"))
        return any(first_activation_ms <= kill < acked for kill in kills)

    unexplained = {job: a for job, a in duplicated.items() if not in_flight_at_a_kill(job, a[0])}
    assert unexplained == {}, f"side effects repeated for jobs not in flight at any kill: {list(unexplained)[:10]}"
    leftovers = read_db(engine_process, "SELECT count(*) FROM engine_jobs")[0][0]
    assert leftovers == 0, f"{leftovers} jobs left in the engine"
    print(
        f"\nsoak: {KILLS} kills, {len(acknowledged)} acknowledged instances, {failed_creates} failed creates, "
        f"{sum(len(a) for a in runs.values())} handler runs over {len(runs)} jobs, "
        f"{len(duplicated)} jobs run twice or more (all in flight at a kill)"
    )
