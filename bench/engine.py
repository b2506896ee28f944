"""Benchmark: the embedded engine through pyzeebe over gRPC vs. raw SpiffWorkflow in memory.

Run: `.venv/bin/python bench/engine.py [--instances 500] [--window 64]`. Prints one table.

What is measured
- **engine**: `jiuzhu engine` runs as a *subprocess* (its own interpreter, so the workers do not
  share its GIL) on a fresh temp data dir with durable SQLite (WAL; every acknowledged command is
  committed before the reply). This process deploys a 5-job process (start → 5 service tasks →
  end), creates `--instances` instances through `ZeebeClient.run_process`, keeping at most
  `--window` instances unfinished at a time, and one pyzeebe `ZeebeWorker` (5 task types) completes
  every job with a small result. instances/s = instances ÷ (first create sent → last instance's
  final CompleteJob acknowledged). Run twice: with pyzeebe's default long polling, and with job
  streaming (`stream_enabled=True`).
- **spiff**: the same BPMN bytes parsed by SpiffWorkflow's plain `BpmnParser` (zeebe extensions are
  ignored). A plain Spiff service task parks in STARTED, like a job waiting for a worker; the loop
  completes each parked task with the same result variable and runs engine steps until the
  workflow ends — all in memory, one thread, no I/O, no serialization. This is Spiff's raw cost of
  the process, the floor under anything built on it.
- **job pickup latency**: from the acknowledgement of the command that created the job
  (CreateProcessInstance for the first job, the previous job's CompleteJob for the others) to the
  worker's handler starting, on this process's monotonic clock. It includes the gRPC reply, the
  activation (poll or push) and pyzeebe's queueing. It can be slightly negative with streaming, when
  the pushed job overtakes the reply to the command that created it.
- **instance latency**: CreateProcessInstance acknowledged → last CompleteJob acknowledged.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
JOB_TYPES = [f"bench.step{i}" for i in range(1, 6)]
PROCESS_ID = "bench_five_jobs"


def bpmn() -> bytes:
    tasks = "".join(
        f'<bpmn:serviceTask id="step{i}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{t}" retries="3"/></bpmn:extensionElements></bpmn:serviceTask>\n'
        for i, t in enumerate(JOB_TYPES, 1)
    )
    ids = ["start", *(f"step{i}" for i in range(1, 6)), "end"]
    flows = "".join(
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>\n'
        for i, (a, b) in enumerate(itertools.pairwise(ids))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">\n'
        f'<bpmn:process id="{PROCESS_ID}" name="bench" isExecutable="true">\n'
        f'<bpmn:startEvent id="start"/>\n{tasks}'
        f'<bpmn:endEvent id="end"/>\n{flows}</bpmn:process>\n</bpmn:definitions>\n'
    ).encode()


# --------------------------------------------------------------------------- raw Spiff baseline


def spiff_baseline(instances: int) -> float:
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    for name in ("spiff", "spiff.task", "spiff.workflow", "spiff.metrics"):
        logging.getLogger(name).setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.bpmn"
        path.write_bytes(bpmn())
        parser = BpmnParser()
        parser.add_bpmn_file(str(path))
        spec = parser.get_spec(PROCESS_ID)
    jobs_done = 0
    started = time.perf_counter()
    for n in range(instances):
        wf = BpmnWorkflow(spec)
        wf.data["n"] = n
        wf.do_engine_steps()
        while not wf.completed:
            parked = wf.get_tasks(state=TaskState.STARTED)
            if not parked:
                raise RuntimeError("the Spiff baseline stalled: no parked service task and not completed")
            for task in parked:
                task.data[f"{task.task_spec.bpmn_id}_done"] = True
                task.complete()
                jobs_done += 1
            wf.do_engine_steps()
    elapsed = time.perf_counter() - started
    if jobs_done != instances * len(JOB_TYPES):
        raise RuntimeError(f"the Spiff baseline ran {jobs_done} tasks, expected {instances * len(JOB_TYPES)}")
    return instances / elapsed


# --------------------------------------------------------------------------- engine over gRPC


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EngineSubprocess:
    def __init__(self, data_dir: Path, profile: Path | None = None) -> None:
        self.data_dir = data_dir
        self.grpc_port, self.http_port = free_port(), free_port()
        self.log = open(data_dir / "engine.log", "ab")  # noqa: SIM115 - closed in stop()
        command = [sys.executable, "-m", "jiuzhu", "engine"]
        if profile is not None:
            command = [sys.executable, str(ROOT / "bench" / "profiled_engine.py"), str(profile), "--"]
        self.proc = subprocess.Popen(
            [
                *command,
                "--grpc-port",
                str(self.grpc_port),
                "--http-port",
                str(self.http_port),
                "--data-dir",
                str(data_dir),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"engine exited with {self.proc.returncode}; see {data_dir / 'engine.log'}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("engine did not become healthy in 30 s")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)  # a profiled engine writes its profile first
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@dataclass
class Run:
    mode: str
    instances: int = 0
    elapsed: float = 0.0
    engine_cpu: float = 0.0
    bench_cpu: float = 0.0
    pickup_ms: list[float] = field(default_factory=list)
    instance_ms: list[float] = field(default_factory=list)
    redelivered: int = 0
    refused: int = 0  # creates answered RESOURCE_EXHAUSTED (back-pressure) and retried
    via: dict[str, int] = field(default_factory=dict)  # jobs received by poll / by stream

    @property
    def rate(self) -> float:
        return self.instances / self.elapsed


async def engine_run(instances: int, window: int, stream: bool, data_root: Path, profile: Path | None = None) -> Run:
    from pyzeebe import Job, ZeebeClient, ZeebeWorker
    from pyzeebe.errors import ZeebeBackPressureError

    from jiuzhu.testing.auth import EngineClients

    run = Run("stream" if stream else "long-poll")
    data_dir = data_root / run.mode
    data_dir.mkdir()
    profile_out = profile.with_name(f"{profile.name}.{run.mode}") if profile else None
    engine = await asyncio.to_thread(EngineSubprocess, data_dir, profile_out)
    channels = []
    try:
        # With credentials, as `jiuzhu engine` runs by default: the token check is part of the cost.
        clients = EngineClients(data_dir, f"http://127.0.0.1:{engine.http_port}")
        client_channel = clients.channel(engine.address, "admin")
        worker_channel = clients.channel(engine.address, "worker")
        channels += [client_channel, worker_channel]
        client = ZeebeClient(client_channel)
        path = data_dir / "bench.bpmn"
        path.write_bytes(bpmn())
        await client.deploy_resource(str(path))

        created_at: dict[int, float] = {}  # instance key -> create acknowledged
        ready_at: dict[tuple[int, int], float] = {}  # (instance, step) -> command creating that job acknowledged
        seen_jobs: set[int] = set()
        # a pushed job can start before the reply to the command that created it arrives: then its
        # (negative) pickup is recorded when that reply comes
        started_at: dict[tuple[int, int], float] = {}
        done: dict[int, float] = {}
        finished = asyncio.Event()
        slots = asyncio.Semaphore(window)

        worker = ZeebeWorker(worker_channel, name="bench", request_timeout=1000, stream_enabled=stream)
        step_of = {t: i for i, t in enumerate(JOB_TYPES)}

        def acknowledged(instance_key: int, step: int, now: float) -> None:
            started = started_at.pop((instance_key, step), None)
            if started is not None:
                run.pickup_ms.append((started - now) * 1000)
            else:
                ready_at[(instance_key, step)] = now

        def handler_for(job_type: str) -> Callable[..., Any]:
            step = step_of[job_type]

            async def handler(job: Job) -> dict[str, Any]:
                now = time.monotonic()
                if job.key in seen_jobs:
                    run.redelivered += 1
                else:
                    seen_jobs.add(job.key)
                    ready = ready_at.pop((job.process_instance_key, step), None)
                    if ready is not None:
                        run.pickup_ms.append((now - ready) * 1000)
                    else:
                        started_at[(job.process_instance_key, step)] = now
                return {f"step{step + 1}_done": True}

            handler.__annotations__["job"] = Job  # pyzeebe finds the Job parameter by its annotation
            return handler

        for job_type in JOB_TYPES:
            worker.task(job_type, timeout_ms=30_000, max_jobs_to_activate=64, max_running_jobs=256)(
                handler_for(job_type)
            )
        adapter = worker.zeebe_adapter
        complete = adapter.complete_job
        job_step: dict[int, tuple[int, int]] = {}
        activate = adapter.activate_jobs
        stream_activate = adapter.stream_activate_jobs

        def remember(job: Job) -> Job:
            job_step[job.key] = (job.process_instance_key, step_of[job.type])
            return job

        async def activate_jobs(*args: Any, **kwargs: Any) -> Any:
            async for job in activate(*args, **kwargs):
                run.via["poll"] = run.via.get("poll", 0) + 1
                yield remember(job)

        async def stream_activate_jobs(*args: Any, **kwargs: Any) -> Any:
            async for job in stream_activate(*args, **kwargs):
                run.via["stream"] = run.via.get("stream", 0) + 1
                yield remember(job)

        async def complete_job(job_key: int, variables: dict[str, Any]) -> Any:
            response = await complete(job_key=job_key, variables=variables)
            now = time.monotonic()
            instance_key, step = job_step.pop(job_key)
            if step + 1 < len(JOB_TYPES):
                acknowledged(instance_key, step + 1, now)
            elif instance_key not in done:
                done[instance_key] = now
                run.instance_ms.append((now - created_at[instance_key]) * 1000)
                slots.release()
                if len(done) == instances:
                    finished.set()
            return response

        adapter.activate_jobs = activate_jobs
        adapter.stream_activate_jobs = stream_activate_jobs
        adapter.complete_job = complete_job
        worker_task = asyncio.create_task(worker.work())

        async def creator(count: int) -> None:
            for n in range(count):
                await slots.acquire()
                while True:  # back-pressure: retry after a short pause, as a Zeebe client should
                    try:
                        response = await client.run_process(PROCESS_ID, {"n": n})
                        break
                    except ZeebeBackPressureError:
                        run.refused += 1
                        await asyncio.sleep(0.005)
                now = time.monotonic()
                created_at[response.process_instance_key] = now
                acknowledged(response.process_instance_key, 0, now)

        async def progress() -> None:
            while True:
                await asyncio.sleep(5)
                print(f"  [{run.mode}] {len(created_at)} created, {len(done)} done", file=sys.stderr)

        progress_task = asyncio.create_task(progress())
        creators = 4
        engine_cpu0, bench_cpu0 = engine.cpu_seconds(), time.process_time()
        started = time.monotonic()
        counts = [instances // creators + (i < instances % creators) for i in range(creators)]
        await asyncio.wait_for(asyncio.gather(*(creator(c) for c in counts)), timeout=300)
        await asyncio.wait_for(finished.wait(), timeout=300)
        run.elapsed = time.monotonic() - started
        run.engine_cpu = engine.cpu_seconds() - engine_cpu0
        run.bench_cpu = time.process_time() - bench_cpu0
        run.instances = len(done)
        progress_task.cancel()
        await worker.stop()
        worker_task.cancel()
        await asyncio.gather(worker_task, return_exceptions=True)
    finally:
        for channel in channels:
            await channel.close()
        await asyncio.to_thread(engine.stop)
    return run


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--window", type=int, default=64, help="max unfinished instances at a time")
    parser.add_argument(
        "--profile",
        type=Path,
        help="profile the engine with yappi (pip install yappi) into PROFILE.long-poll / PROFILE.stream "
        "(+ .txt); the profiler slows the engine, so the figures of such a run are not comparable",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    # On a shared machine the baseline moves with the neighbours' load: it is measured before, between
    # and after the engine runs, and the fastest (least disturbed) is the one compared against, which
    # can only make the engine's ratio smaller.
    spiff_rates = [spiff_baseline(args.instances)]
    runs = []
    with tempfile.TemporaryDirectory(prefix="jiuzhu-bench-") as tmp:
        for stream in (False, True):
            runs.append(asyncio.run(engine_run(args.instances, args.window, stream, Path(tmp), args.profile)))
            spiff_rates.append(spiff_baseline(args.instances))
    spiff_rate = max(spiff_rates)

    print(f"\n5-job process, {args.instances} instances, window {args.window}, {os.cpu_count()} CPUs")
    header = (
        f"{'run':<34} {'inst/s':>8} {'jobs/s':>8} {'vs spiff':>9} {'pickup p50/p99 ms':>18} "
        f"{'instance p50/p99 ms':>20} {'engine CPU':>10} {'bench CPU':>9}"
    )
    print(header)
    print("-" * len(header))
    print(f"{'spiff 3.2, in memory, no I/O':<34} {spiff_rate:>8.0f} {spiff_rate * 5:>8.0f} {'1.00':>9}")
    print(f"{'  (spiff runs: ' + ' / '.join(f'{r:.0f}' for r in spiff_rates) + ' inst/s)':<34}")
    for run in runs:
        name = f"engine subprocess, pyzeebe {run.mode}"
        pickup = f"{pct(run.pickup_ms, 0.5):.1f} / {pct(run.pickup_ms, 0.99):.1f}"
        instance = f"{pct(run.instance_ms, 0.5):.0f} / {pct(run.instance_ms, 0.99):.0f}"
        print(
            f"{name:<34} {run.rate:>8.0f} {run.rate * 5:>8.0f} {run.rate / spiff_rate:>9.3f} {pickup:>18} "
            f"{instance:>20} {run.engine_cpu:>9.1f}s {run.bench_cpu:>8.1f}s"
        )
    print(
        "\ninst/s: instances ÷ wall time from first create to last final CompleteJob ack (engine rows);"
        "\n        instances ÷ time to run them to the end (spiff row)."
        "\npickup: ack of the command that created a job → worker handler start (see module docstring)."
        "\ninstance: create ack → final CompleteJob ack. CPU: seconds used by the engine process and by this"
        "\n        process (client + worker) during the engine run; the busier one is the bottleneck."
    )
    for run in runs:
        per_job = run.engine_cpu / max(run.instances * len(JOB_TYPES), 1) * 1000
        print(f"{run.mode}: engine CPU {per_job:.2f} ms per job")
    for run in runs:
        print(f"{run.mode}: jobs received " + ", ".join(f"by {k} {v}" for k, v in sorted(run.via.items())))
        if run.refused:
            print(f"note: {run.mode}: {run.refused} creates refused by back-pressure and retried")
    redelivered = sum(r.redelivered for r in runs)
    if redelivered:
        print(f"note: {redelivered} jobs were handed out more than once (activation timeout 30 s)")
    if any(r.pickup_ms and statistics.fmean(r.pickup_ms) < 0 for r in runs):
        print("note: negative mean pickup: pushed jobs overtook the command replies")


if __name__ == "__main__":
    main()
