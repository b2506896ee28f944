"""Overload is refused, never silent: open long polls beyond the bound get RESOURCE_EXHAUSTED while
Topology keeps answering, and back-pressure refuses new work before completions.

Bounds are the calls' own deadlines (``BOUND``); figures (Topology latency under 300 polls) are in
``bench/overload.py``, not here.
"""

from __future__ import annotations

import threading
from concurrent import futures

import grpc
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from jiuzhu.engine.gateway.service import MAX_OPEN_POLLS, GatewayService
from jiuzhu.engine.server import EngineServer
from tests.engine.bpmn_builder import linear_jobs

pytestmark = pytest.mark.engine

BOUND = 20.0
POLL_MS = 6_000  # each accepted poll stays open this long: longer than sending the whole burst


def _poll(stub: pb_grpc.GatewayStub, job_type: str) -> grpc.StatusCode:
    request = pb.ActivateJobsRequest(
        type=job_type, worker="w", timeout=1000, maxJobsToActivate=1, requestTimeout=POLL_MS
    )
    try:
        list(stub.ActivateJobs(request, timeout=BOUND))
        return grpc.StatusCode.OK
    except grpc.RpcError as err:
        return err.code()


def test_long_polls_beyond_the_bound_are_refused_and_topology_answers(server: EngineServer) -> None:
    polls = MAX_OPEN_POLLS + 60
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        stub = pb_grpc.GatewayStub(channel)
        with futures.ThreadPoolExecutor(polls) as pool:
            pending = {pool.submit(_poll, stub, f"nothing.{i % 7}") for i in range(polls)}
            refused: list[grpc.StatusCode] = []
            while len(refused) < polls - MAX_OPEN_POLLS and pending:
                done, pending = futures.wait(pending, timeout=BOUND, return_when=futures.FIRST_COMPLETED)
                assert done, "no poll answered within the bound"
                refused += [f.result() for f in done]
            # the accepted polls are all open now: Topology and health still answer
            assert stub.Topology(pb.TopologyRequest(), timeout=BOUND).brokers
            answers = [f.result() for f in futures.as_completed(pending, timeout=BOUND + POLL_MS / 1000)]
    assert refused == [grpc.StatusCode.RESOURCE_EXHAUSTED] * (polls - MAX_OPEN_POLLS)
    assert answers == [grpc.StatusCode.OK] * MAX_OPEN_POLLS


def test_a_job_stream_counts_against_the_same_bound(server: EngineServer) -> None:
    gateway = GatewayService(server.engine, max_open_polls=1)
    grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    pb_grpc.add_GatewayServicer_to_server(gateway, grpc_server)
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    grpc_server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.GatewayStub(channel)
            stream = stub.StreamActivatedJobs(pb.StreamActivatedJobsRequest(type="t", worker="w", timeout=1000))
            for _ in range(200):  # until the server has opened it (no clock involved: a bounded wait)
                if gateway._open_polls == 1:
                    break
                threading.Event().wait(0.01)
            assert gateway._open_polls == 1
            assert _poll(stub, "t") == grpc.StatusCode.RESOURCE_EXHAUSTED
            stream.cancel()
            for _ in range(200):
                if gateway._open_polls == 0:
                    break
                threading.Event().wait(0.01)
            assert gateway._open_polls == 0
    finally:
        grpc_server.stop(0)


def test_back_pressure_refuses_new_work_before_completions(server: EngineServer) -> None:
    gateway = GatewayService(server.engine, max_in_flight=2, max_new_work=1)
    grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    pb_grpc.add_GatewayServicer_to_server(gateway, grpc_server)
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    grpc_server.start()
    server.engine.deploy([("r.bpmn", linear_jobs("r", ["x"]))])
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.GatewayStub(channel)
            server.engine.lock.acquire()  # the engine is busy: admitted commands wait
            try:
                waiting = stub.CreateProcessInstance.future(
                    pb.CreateProcessInstanceRequest(bpmnProcessId="r", version=-1), timeout=BOUND
                )
                for _ in range(200):
                    if gateway._in_flight == 1:
                        break
                    threading.Event().wait(0.01)
                assert gateway._in_flight == 1
                with pytest.raises(grpc.RpcError) as create:
                    stub.CreateProcessInstance(
                        pb.CreateProcessInstanceRequest(bpmnProcessId="r", version=-1), timeout=BOUND
                    )
                assert create.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                with pytest.raises(grpc.RpcError) as publish:
                    stub.PublishMessage(pb.PublishMessageRequest(name="m", correlationKey="k"), timeout=BOUND)
                assert publish.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                # a completion is still admitted: it waits for the engine, then answers for its job
                completion = stub.CompleteJob.future(pb.CompleteJobRequest(jobKey=2**62), timeout=BOUND)
                for _ in range(200):
                    if gateway._in_flight == 2:
                        break
                    threading.Event().wait(0.01)
                assert gateway._in_flight == 2
            finally:
                server.engine.lock.release()
            assert waiting.result(timeout=BOUND).processInstanceKey > 0
            with pytest.raises(grpc.RpcError) as completed:
                completion.result(timeout=BOUND)
            assert completed.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        grpc_server.stop(0)


def test_awaiting_a_result_holds_a_poll_slot_not_a_command_slot(server: EngineServer) -> None:
    gateway = GatewayService(server.engine, max_in_flight=2, max_new_work=1, max_open_polls=1)
    grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    pb_grpc.add_GatewayServicer_to_server(gateway, grpc_server)
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    grpc_server.start()
    server.engine.deploy([("r.bpmn", linear_jobs("r", ["never.done"]))])
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.GatewayStub(channel)
            awaiting = stub.CreateProcessInstanceWithResult.future(
                pb.CreateProcessInstanceWithResultRequest(
                    request=pb.CreateProcessInstanceRequest(bpmnProcessId="r", version=-1), requestTimeout=POLL_MS
                ),
                timeout=BOUND,
            )
            for _ in range(200):
                if gateway._open_polls == 1:
                    break
                threading.Event().wait(0.01)
            assert (gateway._open_polls, gateway._in_flight) == (1, 0)
            # new work is still admitted while the result is awaited; another long wait is not
            created = stub.CreateProcessInstance(
                pb.CreateProcessInstanceRequest(bpmnProcessId="r", version=-1), timeout=BOUND
            )
            assert created.processInstanceKey > 0
            assert _poll(stub, "never.done") == grpc.StatusCode.RESOURCE_EXHAUSTED
            with pytest.raises(grpc.RpcError) as late:
                awaiting.result(timeout=BOUND)
            assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED  # the engine's answer: no result in time
    finally:
        grpc_server.stop(0)
