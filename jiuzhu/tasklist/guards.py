"""Request guards: who is signed in, and whether a state-changing request carries the CSRF token."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request

from jiuzhu.tasklist.caserecord import principal_for
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.roles import Principal
from jiuzhu.tasklist.sessions import CSRF_FIELD, CSRF_HEADER, csrf_ok, session_of


class SignInRequired(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class Forbidden(Exception):
    """A refused request; ``status`` 403 for CSRF, 404 for things outside one's scope."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def current_principal(request: Request) -> Principal:
    """Re-read from the staff table on every request: a deactivated account loses access at once."""
    login = session_of(request).login
    principal = principal_for(tasklist_of(request).db, login) if login else None
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(quote(target, safe="/?=&"))
    return principal


async def require_csrf(request: Request) -> None:
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if not csrf_ok(request, submitted):
        raise Forbidden(403, "请求已过期或来源不明（CSRF 校验失败），请刷新页面后重试")
