"""Sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from jiuzhu.tasklist.caserecord import principal_for
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.credentials import verify_password
from jiuzhu.tasklist.guards import require_csrf
from jiuzhu.tasklist.sessions import session_of

router = APIRouter()


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/signin")
def signin_page(request: Request, next: str = "/") -> Response:
    return tasklist_of(request).render(request, "signin.html", next=_safe_next(next), error=None)


@router.post("/signin", dependencies=[Depends(require_csrf)])
def signin(
    request: Request,
    login: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    tasklist = tasklist_of(request)
    login = login.strip()
    keys = tasklist.limiter.keys(login, tasklist.proxies.client_address(request))
    wait = tasklist.limiter.retry_after(*keys)
    if wait:
        response = tasklist.render(
            request,
            "signin.html",
            status_code=429,
            next=_safe_next(next),
            error=f"登录失败次数过多，请 {wait} 秒后再试",
        )
        response.headers["Retry-After"] = str(wait)
        return response
    principal = principal_for(tasklist.db, login) if verify_password(tasklist.db, login, password) else None
    if principal is None:
        tasklist.limiter.failed(*keys)
        return tasklist.render(
            request, "signin.html", status_code=401, next=_safe_next(next), error="用户名或密码不正确"
        )
    tasklist.limiter.succeeded(*keys)
    session = session_of(request)
    session.rotate(login=principal.login)  # new session id and CSRF token: no fixation
    if tasklist.sessions is not None:
        tasklist.sessions.open(session.sid, principal.login)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/signout", dependencies=[Depends(require_csrf)])
def signout(request: Request) -> Response:
    session = session_of(request)
    tasklist = tasklist_of(request)
    if tasklist.sessions is not None and session.sid:
        tasklist.sessions.close(session.sid)  # a copy of the cookie dies with it
    session.rotate()
    return RedirectResponse("/signin", status_code=303)
