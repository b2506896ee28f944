"""The gRPC interceptor on a real server: method, code and time of unary and streaming calls."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest

from jiuzhu.metrics import Telemetry

pytestmark = pytest.mark.metrics

SERVICE = "gateway_protocol.Gateway"


def _identity(data: bytes) -> bytes:
    return data


def _handlers() -> grpc.GenericRpcHandler:
    def topology(request: bytes, context: grpc.ServicerContext) -> bytes:
        return b"ok"

    def complete_job(request: bytes, context: grpc.ServicerContext) -> bytes:
        context.abort(grpc.StatusCode.NOT_FOUND, "no such job")
        return b""

    def fail_job(request: bytes, context: grpc.ServicerContext) -> bytes:
        raise RuntimeError("bug")

    def activate_jobs(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
        yield b"job-1"
        yield b"job-2"

    def stream_jobs(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
        yield b"job"
        context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "full")

    unary = {"Topology": topology, "CompleteJob": complete_job, "FailJob": fail_job}
    stream = {"ActivateJobs": activate_jobs, "StreamActivatedJobs": stream_jobs}
    methods: dict[str, Any] = {
        name: grpc.unary_unary_rpc_method_handler(fn, _identity, _identity) for name, fn in unary.items()
    }
    methods.update(
        {name: grpc.unary_stream_rpc_method_handler(fn, _identity, _identity) for name, fn in stream.items()}
    )
    return grpc.method_handlers_generic_handler(SERVICE, methods)


def test_interceptor_records_method_code_and_time() -> None:
    t = Telemetry()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), interceptors=[t.grpc_interceptor()])
    server.add_generic_rpc_handlers((_handlers(),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:

            def unary(name: str) -> Any:
                return channel.unary_unary(f"/{SERVICE}/{name}", _identity, _identity)(b"x", timeout=5)

            def stream(name: str) -> list[bytes]:
                return list(channel.unary_stream(f"/{SERVICE}/{name}", _identity, _identity)(b"x", timeout=5))

            assert unary("Topology") == b"ok"
            with pytest.raises(grpc.RpcError) as not_found:
                unary("CompleteJob")
            assert not_found.value.code() == grpc.StatusCode.NOT_FOUND
            with pytest.raises(grpc.RpcError):
                unary("FailJob")
            assert stream("ActivateJobs") == [b"job-1", b"job-2"]
            with pytest.raises(grpc.RpcError):
                stream("StreamActivatedJobs")
    finally:
        server.stop(grace=None)

    def count(method: str, code: str) -> float | None:
        return t.registry.get_sample_value("jiuzhu_engine_grpc_requests_total", {"method": method, "code": code})

    assert count("Topology", "OK") == 1
    assert count("CompleteJob", "NOT_FOUND") == 1
    assert count("FailJob", "UNKNOWN") == 1
    assert count("ActivateJobs", "OK") == 1
    assert count("StreamActivatedJobs", "RESOURCE_EXHAUSTED") == 1
    timed = t.registry.get_sample_value("jiuzhu_engine_grpc_request_duration_seconds_count", {"method": "Topology"})
    assert timed == 1
    untimed = t.registry.get_sample_value(
        "jiuzhu_engine_grpc_request_duration_seconds_count", {"method": "StreamActivatedJobs"}
    )
    assert untimed is None
