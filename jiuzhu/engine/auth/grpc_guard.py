"""The gRPC door: every Gateway call needs ``authorization: Bearer <token>`` metadata with a scope
that covers the method (UNAUTHENTICATED / PERMISSION_DENIED otherwise), as Zeebe's gateway does
with identity enabled. The standard health service stays open for load balancers and probes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from jiuzhu.engine.auth.scopes import grpc_allows
from jiuzhu.engine.auth.tokens import Verifier, bearer

OPEN_SERVICES = ("/grpc.health.v1.Health/",)


def _refusing(handler: grpc.RpcMethodHandler, code: grpc.StatusCode, message: str) -> grpc.RpcMethodHandler:
    """A handler of the same shape as ``handler`` that only aborts."""

    def abort(request: Any, context: grpc.ServicerContext) -> Any:
        context.abort(code, message)

    def abort_stream(request: Any, context: grpc.ServicerContext) -> Any:
        context.abort(code, message)
        yield  # pragma: no cover - makes this a generator, as streaming handlers are

    deserialize, serialize = handler.request_deserializer, handler.response_serializer
    make: Callable[..., grpc.RpcMethodHandler]
    if handler.unary_unary:
        make, behaviour = grpc.unary_unary_rpc_method_handler, abort
    elif handler.unary_stream:
        make, behaviour = grpc.unary_stream_rpc_method_handler, abort_stream
    elif handler.stream_unary:
        make, behaviour = grpc.stream_unary_rpc_method_handler, abort
    else:
        make, behaviour = grpc.stream_stream_rpc_method_handler, abort_stream
    return make(behaviour, request_deserializer=deserialize, response_serializer=serialize)


class BearerInterceptor(grpc.ServerInterceptor):
    def __init__(self, issuer: Verifier) -> None:
        self.issuer = issuer

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        method: str = handler_call_details.method
        handler = continuation(handler_call_details)
        if handler is None or method.startswith(OPEN_SERVICES):
            return handler
        metadata = dict(handler_call_details.invocation_metadata or ())
        principal = self.issuer.verify(bearer(str(metadata.get("authorization", ""))) or "")
        if principal is None:
            return _refusing(handler, grpc.StatusCode.UNAUTHENTICATED, "Expected a valid access token (Bearer)")
        if not grpc_allows(principal.scopes, method):
            name = method.rsplit("/", 1)[-1]
            return _refusing(
                handler, grpc.StatusCode.PERMISSION_DENIED, f"Client '{principal.client_id}' may not call {name}"
            )
        return handler
