"""Signed-cookie sessions and CSRF tokens.

The cookie holds ``{"sid", "login", "csrf", "iat"}`` signed with itsdangerous (HMAC, timestamped,
expires after ``max_age``); it is HttpOnly, SameSite=Lax, and Secure when the request came over
HTTPS (directly or from a trusted proxy; or always/never by setting). A signed-in cookie counts only
while its ``sid`` is in the ``SessionStore``: sign-out and a new password revoke it on the server.
Every state-changing request must echo the session's CSRF token (form field ``csrf_token`` or
header ``X-CSRF-Token``), and a cross-site ``Origin`` is refused.
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from jiuzhu.tasklist.proxies import TrustedProxies
from jiuzhu.tasklist.session_store import SessionStore

COOKIE = "jiuzhu_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class Session(dict[str, Any]):
    """The session of one request; ``rotate`` starts a fresh one (sign-in, sign-out)."""

    modified = False

    def rotate(self, **values: Any) -> None:
        self.clear()
        self.update(sid=secrets.token_urlsafe(16), csrf=secrets.token_urlsafe(32), iat=int(time.time()), **values)
        self.modified = True

    @property
    def csrf(self) -> str:
        return str(self.get("csrf", ""))

    @property
    def login(self) -> str | None:
        value = self.get("login")
        return str(value) if value else None

    @property
    def sid(self) -> str:
        return str(self.get("sid", ""))


class SessionMiddleware(BaseHTTPMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        secret_key: str,
        max_age: int,
        secure: str = "auto",
        store: SessionStore | None = None,
        proxies: TrustedProxies | None = None,
    ) -> None:
        super().__init__(app)
        self.serializer = URLSafeTimedSerializer(secret_key, salt="jiuzhu.tasklist.session")
        self.max_age = max_age
        self.secure = secure
        self.store = store
        self.proxies = proxies or TrustedProxies()

    def _load(self, request: Request) -> Session:
        session = Session()
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data = self.serializer.loads(raw, max_age=self.max_age)
                if isinstance(data, dict) and data.get("csrf"):
                    session.update(data)
                    return session
            except BadSignature:
                pass
        session.rotate()
        return session

    def _revoked(self, session: Session) -> bool:
        login = session.login
        return bool(login) and self.store is not None and not self.store.is_live(session.sid, login or "")

    def _secure(self, request: Request) -> bool:
        if self.secure == "always":
            return True
        if self.secure == "never":
            return False
        return self.proxies.is_https(request)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        session = self._load(request)
        if await run_in_threadpool(self._revoked, session):
            session.rotate()  # signed out elsewhere, or the password changed: a fresh, anonymous session
        request.state.session = session
        response = await call_next(request)
        if session.modified:
            response.set_cookie(
                COOKIE,
                self.serializer.dumps(dict(session)),
                max_age=self.max_age,
                httponly=True,
                samesite="lax",
                secure=self._secure(request),
                path="/",
            )
        return response


def session_of(request: Request) -> Session:
    session: Session = request.state.session
    return session


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


def csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = session_of(request).csrf
    if not expected or not submitted or not same_origin(request):
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())
