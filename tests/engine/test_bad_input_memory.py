"""The bad-input probes, repeated against `jiuzhu engine` in a child process: its resident memory stays
bounded (a generous ceiling, measured from /proc, not a timing) and Topology answers throughout."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from tests.conftest import EngineProcess, free_port
from tests.engine.bpmn_builder import Process, linear_jobs
from tests.engine.test_bad_input import BAD_VARIABLES, BOUND

pytestmark = pytest.mark.engine

ROUNDS = 4
GROWTH_LIMIT_MB = 150  # generous: the probes' own records (instances, incidents) are a few MB at most
EXPRESSIONS = (
    "count(for x in 1..1000000, y in 1..1000000 return 1)",
    'matches("' + "a" * 40 + '!", "^(a|aa)+$")',
    'string length(for i in 1..40 return if i = 1 then "ab" else partial[-1] + partial[-1])',
)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EngineProcess]:
    process = EngineProcess(tmp_path / "data", free_port(), free_port(), insecure=True)
    process.data_dir.mkdir()
    yield process.start()
    process.stop()


def probe_round(stub: pb_grpc.GatewayStub, http: httpx.Client) -> None:
    for variables in BAD_VARIABLES.values():
        with pytest.raises(grpc.RpcError) as refused:
            stub.CreateProcessInstance(
                pb.CreateProcessInstanceRequest(bpmnProcessId="probe", version=-1, variables=variables), timeout=BOUND
            )
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        body = '{"processDefinitionId": "probe", "variables": ' + variables + "}"
        assert (
            http.post("/v2/process-instances", content=body, headers={"Content-Type": "application/json"}).status_code
            == 400
        )
    for content in (b'{"processDefinitionId": "\xff\xfe"}', b"\x80\x81", b"[" * 100_000):
        assert (
            http.post(
                "/v2/process-instances", content=content, headers={"Content-Type": "application/json"}
            ).status_code
            == 400
        )
    for key in (str(2**63), "9" * 5000):
        assert http.get(f"/v2/user-tasks/{key}").status_code == 400
    for index in range(len(EXPRESSIONS)):
        stub.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(bpmnProcessId=f"feel{index}", version=-1), timeout=BOUND
        )


def test_repeated_bad_input_keeps_memory_bounded_and_topology_answering(engine: EngineProcess) -> None:
    assert engine.proc is not None
    with grpc.insecure_channel(engine.address) as channel, httpx.Client(base_url=engine.http, timeout=BOUND) as http:
        stub = pb_grpc.GatewayStub(channel)
        resources = [pb.Resource(name="probe.bpmn", content=linear_jobs("probe", ["probe.work"]))]
        for index, expression in enumerate(EXPRESSIONS):
            xml = Process(f"feel{index}").start().script("compute", "=" + expression, "r").end()
            resources.append(pb.Resource(name=f"feel{index}.bpmn", content=xml.chain("start", "compute", "end").xml()))
        stub.DeployResource(pb.DeployResourceRequest(resources=resources), timeout=BOUND)

        silent: list[str] = []
        done = threading.Event()

        def watch() -> None:
            with grpc.insecure_channel(engine.address) as own:
                topology = pb_grpc.GatewayStub(own).Topology
                while not done.wait(0.2):
                    try:
                        topology(pb.TopologyRequest(), timeout=BOUND)
                    except grpc.RpcError as err:
                        silent.append(f"{err.code()}: {err.details()}")

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            probe_round(stub, http)  # warm-up: imports, caches and pools reach their working size
            before = rss_mb(engine.proc.pid)
            for _ in range(ROUNDS):
                probe_round(stub, http)
            after = rss_mb(engine.proc.pid)
        finally:
            done.set()
            watcher.join(10)
    assert silent == [], silent[:5]
    assert after - before < GROWTH_LIMIT_MB, (before, after)
    print(f"engine RSS {before:.0f} MB after the warm-up round, {after:.0f} MB after {ROUNDS} more")
