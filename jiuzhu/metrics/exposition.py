"""Serving `/metrics`: a FastAPI router, a bare ASGI app, or a standalone HTTP server (workers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry, make_asgi_app, start_http_server
from prometheus_client.exposition import choose_encoder


def render(registry: CollectorRegistry, accept: str | None = None) -> tuple[bytes, str]:
    """The exposition (Prometheus text, or OpenMetrics when asked for) and its content type."""
    encoder, content_type = choose_encoder(accept or "")
    return encoder(registry), content_type


def metrics_router(registry: CollectorRegistry, path: str = "/metrics") -> APIRouter:
    """`app.include_router(metrics_router(REGISTRY))` adds `GET /metrics` to a FastAPI app."""
    router = APIRouter()

    @router.get(path, include_in_schema=False)
    def metrics(request: Request) -> Response:
        body, content_type = render(registry, request.headers.get("accept"))
        return Response(content=body, media_type=content_type, headers={"Cache-Control": "no-store"})

    return router


def metrics_asgi_app(registry: CollectorRegistry) -> Any:
    """A plain ASGI app answering any path with the exposition (for `app.mount(...)`)."""
    return make_asgi_app(registry=registry)


def serve(registry: CollectorRegistry, port: int, host: str = "127.0.0.1") -> Any:
    """A background HTTP server for processes without a web app (standalone workers); returns it."""
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server
