"""A gRPC server interceptor that records every call: method, status code and time.

`grpc.server(executor, interceptors=[GrpcMetricsInterceptor(metrics.engine)])` — no change to the
servicer. The code is what the handler set (`context.abort(code, ...)`, `context.set_code`), OK when
it returned normally, UNKNOWN when it raised without one, CANCELLED when the client went away
mid-stream. StreamActivatedJobs lives as long as its worker: it is counted, not timed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc

from jiuzhu.metrics.engine import EngineRecorder

UNTIMED = frozenset({"StreamActivatedJobs"})
MAX_WRAPPED = 256  # methods remembered (a server has a few dozen)


def _code(context: grpc.ServicerContext, default: str) -> str:
    try:
        code = context.code()
    except Exception:  # pragma: no cover - older grpc without ServicerContext.code()
        code = None
    if isinstance(code, grpc.StatusCode):
        return code.name
    return default


class GrpcMetricsInterceptor(grpc.ServerInterceptor):
    def __init__(self, recorder: EngineRecorder) -> None:
        self.recorder = recorder
        # full method -> (the handler the next stage answered, its wrapped copy): a registered method
        # answers with the same handler object on every call, so it is wrapped once, not per call
        self._wrapped: dict[str, tuple[Any, Any]] = {}

    def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Any], handler_call_details: grpc.HandlerCallDetails
    ) -> Any:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        full = handler_call_details.method
        known = self._wrapped.get(full)
        if known is not None and known[0] is handler:
            return known[1]
        wrapped = self._wrap(str(full).rsplit("/", 1)[-1], handler)
        if known is not None or len(self._wrapped) < MAX_WRAPPED:
            # a refusal answers with a handler of its own each time: only the last one is kept
            self._wrapped[full] = (handler, wrapped)
        return wrapped

    def _wrap(self, method: str, handler: Any) -> Any:
        timed = method not in UNTIMED
        if handler.unary_unary is not None:
            return handler._replace(unary_unary=self._unary(method, handler.unary_unary, timed))
        if handler.stream_unary is not None:
            return handler._replace(stream_unary=self._unary(method, handler.stream_unary, timed))
        if handler.unary_stream is not None:
            return handler._replace(unary_stream=self._stream(method, handler.unary_stream, timed))
        if handler.stream_stream is not None:
            return handler._replace(stream_stream=self._stream(method, handler.stream_stream, timed))
        return handler  # pragma: no cover

    def _record(self, method: str, code: str, started: float, timed: bool) -> None:
        self.recorder.grpc_request(method, code, time.perf_counter() - started if timed else None)

    def _unary(self, method: str, behaviour: Callable[..., Any], timed: bool) -> Callable[..., Any]:
        def wrapped(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            try:
                response = behaviour(request, context)
            except BaseException:
                self._record(method, _code(context, "UNKNOWN"), started, timed)
                raise
            self._record(method, _code(context, "OK"), started, timed)
            return response

        return wrapped

    def _stream(self, method: str, behaviour: Callable[..., Any], timed: bool) -> Callable[..., Any]:
        def wrapped(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            started = time.perf_counter()
            try:
                yield from behaviour(request, context)
            except GeneratorExit:
                self._record(method, _code(context, "CANCELLED"), started, timed)
                raise
            except BaseException:
                self._record(method, _code(context, "UNKNOWN"), started, timed)
                raise
            self._record(method, _code(context, "OK"), started, timed)

        return wrapped
