"""Benchmark: how long one heavy command keeps other commands waiting.

Run: `.venv/bin/python bench/command_budget.py [--elements 40] [--creates 3] [--length 24]`.

`jiuzhu engine` runs as a subprocess (bench/engine.py's launcher). This process deploys a process
of `--elements` script tasks in a row, each `matches("aaaa…a!", "^(a|aa)+$")`: a backtracking regex
that stays within FEEL's own per-evaluation bound (REGEX_BUDGET_S) but costs tens of milliseconds,
so the whole process costs seconds of CPU. It creates `--creates` such instances one after another
while one thread creates a light (one job) instance every 20 ms and another calls Topology every
20 ms. Printed: the heavy creates' latency (the engine holds its lock for the command), the light
creates' and Topology's p50/p99/max while that goes on, and the engine's CPU seconds. Figures, not
asserts: tests/engine/test_command_budget.py checks the behaviour.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import grpc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyzeebe.proto import gateway_pb2 as pb  # noqa: E402
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc  # noqa: E402

from bench.engine import EngineSubprocess  # noqa: E402
from bench.overload import _Bearer, _percentiles  # noqa: E402
from jiuzhu.testing.auth import EngineClients  # noqa: E402
from tests.engine.bpmn_builder import Process, linear_jobs  # noqa: E402


def heavy_expression(length: int) -> str:
    return 'matches("' + "a" * length + '!", "^(a|aa)+$")'


def heavy_process(elements: int, length: int) -> bytes:
    p = Process("heavy").start()
    ids = [f"s{i}" for i in range(elements)]
    for i in ids:
        p.script(i, "=" + heavy_expression(length), f"r_{i}")
    return p.end().chain("start", *ids, "end").xml()


def run(elements: int, creates: int, length: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = EngineSubprocess(Path(tmp))
        try:
            clients = EngineClients(Path(tmp), f"http://127.0.0.1:{engine.http_port}")
            channel = grpc.intercept_channel(grpc.insecure_channel(engine.address), _Bearer(clients.metadata("admin")))
            stub = pb_grpc.GatewayStub(channel)
            resources = [
                pb.Resource(name="heavy.bpmn", content=heavy_process(elements, length)),
                pb.Resource(name="light.bpmn", content=linear_jobs("light", ["light.work"])),
            ]
            stub.DeployResource(pb.DeployResourceRequest(resources=resources), timeout=30)
            cpu_before = engine.cpu_seconds()
            measure(stub, creates, length)
            print(f"  engine CPU: {engine.cpu_seconds() - cpu_before:.2f} s")
            channel.close()
        finally:
            engine.stop()


def measure(stub: pb_grpc.GatewayStub, creates: int, length: int) -> None:
    stop = threading.Event()
    light_ms: list[float] = []
    topology_ms: list[float] = []
    errors: list[str] = []

    def probe(call: str, out: list[float]) -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                if call == "light":
                    stub.CreateProcessInstance(
                        pb.CreateProcessInstanceRequest(bpmnProcessId="light", version=-1), timeout=60
                    )
                else:
                    stub.Topology(pb.TopologyRequest(), timeout=60)
                out.append((time.monotonic() - started) * 1000)
            except grpc.RpcError as err:
                errors.append(f"{call} {err.code().name}")
            stop.wait(0.02)

    threads = [
        threading.Thread(target=probe, args=("light", light_ms), daemon=True),
        threading.Thread(target=probe, args=("topology", topology_ms), daemon=True),
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    heavy_ms: list[float] = []
    for _ in range(creates):
        started = time.monotonic()
        stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="heavy", version=-1), timeout=60)
        heavy_ms.append((time.monotonic() - started) * 1000)
    # the heavy instances may go on after their create answered: keep probing while they run
    started = time.monotonic()
    try:
        stub.CreateProcessInstanceWithResult(
            pb.CreateProcessInstanceWithResultRequest(
                request=pb.CreateProcessInstanceRequest(bpmnProcessId="heavy", version=-1), requestTimeout=60_000
            ),
            timeout=70,
        )
        ended = f"{time.monotonic() - started:.2f} s"
    except grpc.RpcError as err:  # an incident (a regex over its own bound on a busy machine) stops it
        ended = f"not within 60 s ({err.code().name})"
    stop.set()
    for thread in threads:
        thread.join(70)
    print(f"{creates} creates of a process of script tasks each running {heavy_expression(length)}")
    print(_percentiles("heavy create (CreateProcessInstance)", heavy_ms))
    print(f"  one more heavy instance, created and run to its end (with result): {ended}")
    print(_percentiles("light create meanwhile", light_ms))
    print(_percentiles("Topology meanwhile", topology_ms))
    if errors:
        print(f"  errors: {sorted(set(errors))}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, default=40)
    parser.add_argument("--creates", type=int, default=3)
    parser.add_argument("--length", type=int, default=24, help="the a's the regex backtracks over")
    args = parser.parse_args()
    run(args.elements, args.creates, args.length)
    return 0


if __name__ == "__main__":
    sys.exit(main())
