"""A route class that answers every failure of the v2 API as problem+json.

Exception handlers belong to an application, but the v2 API is handed over as a router to be
included in someone else's app; wrapping the route handler keeps the error format ours.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from jiuzhu.engine.errors import EngineError
from jiuzhu.engine_rest.problems import ApiProblem, from_engine_error, problem_response

log = logging.getLogger(__name__)


def _describe(err: RequestValidationError) -> str:
    parts = []
    for item in err.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
        parts.append(f"{where or 'body'}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "The request is not valid"


def _plain(detail: Any) -> str:
    return detail if isinstance(detail, str) else "The request could not be handled"


class ProblemRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiProblem as problem:
                return problem_response(problem.status, problem.title, problem.detail, request.url.path)
            except RequestValidationError as err:
                return problem_response(400, "INVALID_ARGUMENT", _describe(err), request.url.path)
            except HTTPException as err:  # FastAPI's own, e.g. a body that is not UTF-8 JSON
                title = "INVALID_ARGUMENT" if err.status_code == 400 else "REQUEST_FAILED"
                return problem_response(err.status_code, title, _plain(err.detail), request.url.path)
            except EngineError as err:
                mapped = from_engine_error(err)
                return problem_response(mapped.status, mapped.title, mapped.detail, request.url.path)
            except Exception:
                log.exception("v2 API request failed: %s %s", request.method, request.url.path)
                return problem_response(500, "INTERNAL", "An internal error occurred", request.url.path)

        return run
