"""Benchmark: Topology latency while the engine is flooded with long polls and creates.

Run: `.venv/bin/python bench/overload.py [--polls 300] [--seconds 20] [--creates-per-s 20]`.

`jiuzhu engine` runs as a subprocess (bench/engine.py's launcher). This process deploys a one-job
process, then for `--seconds`: `--polls` threads each keep an ActivateJobs long poll open (5 s
request timeout, re-polling at once when it ends or is refused), one thread creates instances at
`--creates-per-s`, and Topology is called every 50 ms twice over: by a thread of this process and by
a process of its own (as a health check would call it), so the figure is not this process's own
300 threads queuing for its interpreter lock. Printed: Topology p50/p99/max for both, how many
polls were accepted and refused (RESOURCE_EXHAUSTED), creates accepted/refused, and any other
status code (there should be none). Figures, not asserts: tests/engine/test_overload.py checks the
behaviour.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import grpc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyzeebe.proto import gateway_pb2 as pb  # noqa: E402
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc  # noqa: E402

from bench.engine import EngineSubprocess  # noqa: E402
from jiuzhu.testing.auth import EngineClients  # noqa: E402
from tests.engine.bpmn_builder import linear_jobs  # noqa: E402


class _Bearer(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """The engine's admin token on every call (the engine requires one)."""

    def __init__(self, metadata: tuple[tuple[str, str], ...]) -> None:
        self.metadata = metadata

    def _with_token(self, details: Any) -> Any:
        return details._replace(metadata=[*(details.metadata or ()), *self.metadata])

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._with_token(details), request)

    def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._with_token(details), request)


def topology_prober(address: str, metadata: tuple[tuple[str, str], ...], seconds: float, out: Any) -> None:
    """In a process of its own: Topology every 50 ms for `seconds`; the latencies (ms) go to `out`."""
    channel = grpc.intercept_channel(grpc.insecure_channel(address), _Bearer(metadata))
    stub = pb_grpc.GatewayStub(channel)
    latencies: list[float] = []
    errors = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            stub.Topology(pb.TopologyRequest(), timeout=30)
            latencies.append((time.monotonic() - started) * 1000)
        except grpc.RpcError:
            errors += 1
        time.sleep(0.05)
    channel.close()
    out.send((latencies, errors))


def _percentiles(name: str, ms: list[float]) -> str:
    if not ms:
        return f"  {name}: no calls"
    ordered = sorted(ms)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"  {name}: {len(ordered)} calls, p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms, "
        f"max {ordered[-1]:.1f} ms"
    )


def run(polls: int, seconds: float, creates_per_s: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = EngineSubprocess(Path(tmp))
        try:
            clients = EngineClients(Path(tmp), f"http://127.0.0.1:{engine.http_port}")
            measure(engine.address, clients.metadata("admin"), polls, seconds, creates_per_s)
        finally:
            engine.stop()


def measure(
    address: str, metadata: tuple[tuple[str, str], ...], polls: int, seconds: float, creates_per_s: float
) -> None:
    stop = threading.Event()
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    topology_ms: list[float] = []
    # several connections, as several workers would open
    channels = [grpc.intercept_channel(grpc.insecure_channel(address), _Bearer(metadata)) for _ in range(8)]
    stubs = [pb_grpc.GatewayStub(c) for c in channels]
    stubs[0].DeployResource(
        pb.DeployResourceRequest(resources=[pb.Resource(name="o.bpmn", content=linear_jobs("overload", ["o.work"]))]),
        timeout=30,
    )

    def count(what: str) -> None:
        with lock:
            outcomes[what] += 1

    def poller(i: int) -> None:
        stub = stubs[i % len(stubs)]
        request = pb.ActivateJobsRequest(
            type=f"idle.{i % 10}", worker="bench", timeout=1000, maxJobsToActivate=1, requestTimeout=5000
        )
        while not stop.is_set():
            try:
                list(stub.ActivateJobs(request, timeout=30))
                count("poll ok")
            except grpc.RpcError as err:
                count(f"poll {err.code().name}")
                if err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
                    stop.wait(0.05)  # a client's back-off

    def creator() -> None:
        interval = 1 / creates_per_s
        while not stop.is_set():
            started = time.monotonic()
            try:
                stubs[1].CreateProcessInstance(
                    pb.CreateProcessInstanceRequest(bpmnProcessId="overload", version=-1), timeout=30
                )
                count("create ok")
            except grpc.RpcError as err:
                count(f"create {err.code().name}")
            stop.wait(max(0.0, interval - (time.monotonic() - started)))

    def topology() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                stubs[2].Topology(pb.TopologyRequest(), timeout=30)
                topology_ms.append((time.monotonic() - started) * 1000)
            except grpc.RpcError as err:
                count(f"topology {err.code().name}")
            stop.wait(0.05)

    threads = [threading.Thread(target=poller, args=(i,), daemon=True) for i in range(polls)]
    threads += [threading.Thread(target=creator, daemon=True), threading.Thread(target=topology, daemon=True)]
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    prober = context.Process(target=topology_prober, args=(address, metadata, seconds, sender), daemon=True)
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # the flood is under way before the separate prober starts
    prober.start()
    time.sleep(seconds)
    separate, separate_errors = receiver.recv() if receiver.poll(60) else ([], -1)
    prober.join(10)
    stop.set()
    for thread in threads:
        thread.join(40)
    for channel in channels:
        channel.close()
    print(f"{polls} concurrent long polls + {creates_per_s:g} creates/s for {seconds:g} s")
    print(_percentiles("Topology from a process of its own", separate))
    if separate_errors:
        print(f"    errors: {separate_errors}")
    print(_percentiles("Topology from a thread beside the 300 pollers", topology_ms))
    for what, n in sorted(outcomes.items()):
        print(f"  {what}: {n}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--creates-per-s", type=float, default=20)
    args = parser.parse_args()
    run(args.polls, args.seconds, args.creates_per_s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
