"""The HTTP doors: the OAuth 2.0 token endpoint, and the guard in front of ``/v2``.

The guard answers before any route runs: 401 without a valid bearer token, 403 when the token's
scope does not cover the path, 415 for a state change whose body is not JSON (a cross-site HTML
form can send only form-encoded, multipart or text/plain bodies, so it never reaches a handler).
No CORS headers are ever added, so browsers keep other origins out of the answers.
"""

from __future__ import annotations

import base64
import binascii
import logging
from urllib.parse import unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from jiuzhu.engine.auth.credentials import TOKEN_PATH, EngineCredentials
from jiuzhu.engine.auth.person import Person
from jiuzhu.engine.auth.scopes import TASKLIST, http_allows
from jiuzhu.engine.auth.tokens import TokenIssuer, Verifier, bearer
from jiuzhu.engine_rest.problems import problem_response

log = logging.getLogger(__name__)
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="jiuzhu"'
    return JSONResponse({"error": error, "error_description": description}, status_code=status, headers=headers)


def _basic(header: str | None) -> tuple[str, str] | None:
    """client_secret_basic (RFC 6749 2.3.1): what oauthlib and Go's x/oauth2 send first."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote_plus(client_id), unquote_plus(secret)) if sep else None


def token_router(credentials: EngineCredentials, issuer: TokenIssuer) -> APIRouter:
    router = APIRouter(tags=["oauth"])

    @router.post(TOKEN_PATH)
    async def issue_token(request: Request) -> JSONResponse:
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return _oauth_error(400, "invalid_request", "send the parameters form-encoded (RFC 6749 4.4.2)")
        form = await request.form()
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "only grant_type=client_credentials is supported")
        pair = _basic(request.headers.get("authorization"))
        client_id, secret = pair or (str(form.get("client_id") or ""), str(form.get("client_secret") or ""))
        client = credentials.authenticate(client_id, secret) if client_id and secret else None
        if client is None:
            log.warning("token refused for client %r from %s", client_id[:64], request.client)
            return _oauth_error(401, "invalid_client", "unknown client or wrong secret")
        audience = form.get("audience")
        scopes, person = client.scopes, None
        acting = form.get("on_behalf_of")
        if acting is not None:
            # The task list vouches for the person it signed in; the token then carries only what
            # the task list may do, narrowed further by that person's township and role.
            if TASKLIST not in client.scopes:
                return _oauth_error(400, "invalid_request", "only a task-list client may act for a person")
            person = Person.from_json(str(acting))
            if person is None:
                return _oauth_error(400, "invalid_request", "on_behalf_of is not a person as the task list names one")
            scopes = frozenset({TASKLIST})
        token = issuer.issue(client.client_id, scopes, str(audience) if audience else None, person)
        return JSONResponse(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": issuer.ttl_s,
                "scope": " ".join(sorted(scopes)),
            },
            headers={"Cache-Control": "no-store"},
        )

    return router


def _is_v2(path: str) -> bool:
    return path == "/v2" or path.startswith("/v2/")


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class V2Guard:
    """ASGI middleware over the engine's app; ``issuer=None`` (``--insecure``) skips the token check
    but still refuses non-JSON state changes."""

    def __init__(self, app: ASGIApp, issuer: Verifier | None) -> None:
        self.app = app
        self.issuer = issuer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_v2(scope["path"]):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = None
        if self.issuer is not None:
            principal = self.issuer.verify(bearer(headers.get("authorization")) or "")
            if principal is None:
                refusal = problem_response(
                    401, "UNAUTHORIZED", "The request lacks valid authentication credentials", path
                )
                refusal.headers["WWW-Authenticate"] = 'Bearer realm="jiuzhu"'
            elif not http_allows(principal.scopes, path, principal.person is not None):
                refusal = problem_response(
                    403, "FORBIDDEN", f"Client '{principal.client_id}' may not call {path}", path
                )
            else:
                scope.setdefault("state", {})["principal"] = principal
        if refusal is None and scope["method"] in STATE_CHANGING:
            content_type = headers.get("content-type")
            has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
            if (content_type is not None and not _is_json(content_type)) or (content_type is None and has_body):
                refusal = problem_response(
                    415, "UNSUPPORTED_MEDIA_TYPE", "Send the request body as application/json", path
                )
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)
