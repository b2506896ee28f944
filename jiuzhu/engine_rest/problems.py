"""RFC 9457 problem details, shaped as Camunda's REST API answers them.

Camunda puts the rejection code in ``title`` (``NOT_FOUND``, ``INVALID_ARGUMENT``, ``INVALID_STATE``)
and a sentence in ``detail``; ``instance`` is the request path.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from jiuzhu.engine.errors import Code, EngineError

PROBLEM_JSON = "application/problem+json"

# Engine (gRPC) codes → HTTP status and the title Camunda's REST gateway uses.
_STATUS: dict[str, tuple[int, str]] = {
    Code.NOT_FOUND: (404, "NOT_FOUND"),
    Code.INVALID_ARGUMENT: (400, "INVALID_ARGUMENT"),
    Code.FAILED_PRECONDITION: (409, "INVALID_STATE"),
    Code.ALREADY_EXISTS: (409, "ALREADY_EXISTS"),
    Code.RESOURCE_EXHAUSTED: (503, "RESOURCE_EXHAUSTED"),
    Code.DEADLINE_EXCEEDED: (504, "DEADLINE_EXCEEDED"),
    Code.INTERNAL: (500, "INTERNAL"),
}


class ApiProblem(Exception):
    """Raised inside a handler; the route class turns it into a problem+json response."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail


def problem_response(status: int, title: str, detail: str, instance: str) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def from_engine_error(err: EngineError, command: str | None = None) -> ApiProblem:
    status, title = _STATUS.get(err.code, (500, "INTERNAL"))
    detail = err.message
    if command:
        detail = f"Command '{command}' rejected with code '{title}': {err.message}"
    return ApiProblem(status, title, detail)


def bad_request(detail: str) -> ApiProblem:
    return ApiProblem(400, "INVALID_ARGUMENT", detail)


def not_found(detail: str) -> ApiProblem:
    return ApiProblem(404, "NOT_FOUND", detail)
