"""Benchmark: how long each bad-input probe takes to be answered, and Topology meanwhile.

Run: `.venv/bin/python bench/bad_input.py [--rounds 3]`.

`jiuzhu engine` runs as a subprocess (bench/engine.py's launcher). This process sends the probes of
tests/engine/test_bad_input.py over gRPC and REST — bad variable documents (lone surrogates, NaN,
5000-digit numbers, deep nesting, …), bodies that are not UTF-8 JSON, keys outside int64, creates
of processes whose FEEL is unbounded (nested million-item loops, a backtracking regex, a doubling
string) and of a process of forty heavy script tasks (bench/command_budget.py's) — `--rounds`
times, while a thread calls Topology every 50 ms. Printed per probe: the slowest answer and the
status codes; then Topology p50/p99/max and the probes answered in more than 1 s (the issue asks
for none). Figures, not asserts: tests/engine/test_bad_input*.py check the behaviour.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import grpc
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyzeebe.proto import gateway_pb2 as pb  # noqa: E402
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc  # noqa: E402

from bench.command_budget import heavy_process  # noqa: E402
from bench.engine import EngineSubprocess  # noqa: E402
from bench.overload import _Bearer  # noqa: E402
from jiuzhu.testing.auth import EngineClients  # noqa: E402
from tests.engine.bpmn_builder import Process, linear_jobs  # noqa: E402
from tests.engine.test_bad_input import BAD_VARIABLES  # noqa: E402
from tests.engine.test_bad_input_memory import EXPRESSIONS  # noqa: E402

DEADLINE_S = 30.0


def probes(stub: pb_grpc.GatewayStub, http: httpx.Client) -> dict[str, Callable[[], str]]:
    def grpc_create(process_id: str, variables: str = "") -> Callable[[], str]:
        def call() -> str:
            try:
                stub.CreateProcessInstance(
                    pb.CreateProcessInstanceRequest(bpmnProcessId=process_id, version=-1, variables=variables),
                    timeout=DEADLINE_S,
                )
                return "OK"
            except grpc.RpcError as err:
                return err.code().name

        return call

    def rest(method: str, path: str, content: bytes | str | None = None) -> Callable[[], str]:
        headers = {"Content-Type": "application/json"}
        return lambda: str(http.request(method, path, content=content, headers=headers).status_code)

    found: dict[str, Callable[[], str]] = {}
    for name, variables in BAD_VARIABLES.items():
        found[f"gRPC create, {name}"] = grpc_create("probe", variables)
        body = '{"processDefinitionId": "probe", "variables": ' + variables + "}"
        found[f"REST create, {name}"] = rest("POST", "/v2/process-instances", body)
    for name, content in (("not UTF-8", b"\x80\x81"), ("100,000 brackets", b"[" * 100_000)):
        found[f"REST body {name}"] = rest("POST", "/v2/process-instances", content)
    for key in (str(2**63), "9" * 5000):
        found[f"REST key of {len(key)} digits"] = rest("GET", f"/v2/user-tasks/{key}")
    for index, expression in enumerate(EXPRESSIONS):
        found[f"create running {expression[:40]}"] = grpc_create(f"feel{index}")
    found["create of 40 heavy script tasks"] = grpc_create("heavy")
    return found


def run(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = EngineSubprocess(Path(tmp))
        try:
            clients = EngineClients(Path(tmp), f"http://127.0.0.1:{engine.http_port}")
            channel = grpc.intercept_channel(grpc.insecure_channel(engine.address), _Bearer(clients.metadata("admin")))
            token = clients.token("admin")
            with httpx.Client(
                base_url=f"http://127.0.0.1:{engine.http_port}",
                timeout=DEADLINE_S,
                headers={"Authorization": f"Bearer {token}"},
            ) as http:
                stub = pb_grpc.GatewayStub(channel)
                resources = [
                    pb.Resource(name="probe.bpmn", content=linear_jobs("probe", ["probe.work"])),
                    pb.Resource(name="heavy.bpmn", content=heavy_process(40, 24)),
                ]
                for index, expression in enumerate(EXPRESSIONS):
                    xml = Process(f"feel{index}").start().script("compute", "=" + expression, "r").end()
                    resources.append(
                        pb.Resource(name=f"feel{index}.bpmn", content=xml.chain("start", "compute", "end").xml())
                    )
                stub.DeployResource(pb.DeployResourceRequest(resources=resources), timeout=DEADLINE_S)
                measure(stub, http, rounds)
            channel.close()
        finally:
            engine.stop()


def measure(stub: pb_grpc.GatewayStub, http: httpx.Client, rounds: int) -> None:
    stop = threading.Event()
    topology_ms: list[float] = []
    topology_errors: list[str] = []

    def topology() -> None:
        while not stop.wait(0.05):
            started = time.monotonic()
            try:
                stub.Topology(pb.TopologyRequest(), timeout=DEADLINE_S)
                topology_ms.append((time.monotonic() - started) * 1000)
            except grpc.RpcError as err:
                topology_errors.append(err.code().name)

    watcher = threading.Thread(target=topology, daemon=True)
    watcher.start()
    slowest: dict[str, float] = defaultdict(float)
    answers: dict[str, set[str]] = defaultdict(set)
    for _ in range(rounds):
        for name, call in probes(stub, http).items():
            started = time.monotonic()
            answers[name].add(call())
            slowest[name] = max(slowest[name], (time.monotonic() - started) * 1000)
    stop.set()
    watcher.join(DEADLINE_S + 5)
    print(f"{len(slowest)} bad-input probes, {rounds} rounds (slowest answer, status codes)")
    for name, ms in slowest.items():
        print(f"  {ms:8.1f} ms  {','.join(sorted(answers[name]))}  {name}")
    over = [name for name, ms in slowest.items() if ms > 1000]
    print(f"  probes answered in more than 1 s: {len(over)} {over if over else ''}")
    ordered = sorted(topology_ms)
    if ordered:
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(
            f"  Topology meanwhile: {len(ordered)} calls, p50 {statistics.median(ordered):.1f} ms, "
            f"p99 {p99:.1f} ms, max {ordered[-1]:.1f} ms, errors {len(topology_errors)}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    run(args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
