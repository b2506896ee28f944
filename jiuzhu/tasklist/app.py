"""The task-list web application (FastAPI + Jinja2), mounted at ``/`` beside the REST API."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from jiuzhu.tasklist import (
    messages,
    supervision_report,
    supervisor_desk,
    views_applications,
    views_auth,
    views_cases,
    views_console,
    views_public,
    views_stuck,
    views_tasks,
)
from jiuzhu.tasklist.acting import ActingForMiddleware
from jiuzhu.tasklist.bundle import PACKAGE_DIR, STATIC_DIR, check_bundle
from jiuzhu.tasklist.client import ApiError, V2Client
from jiuzhu.tasklist.context import Tasklist, local_time
from jiuzhu.tasklist.credentials import create_tables
from jiuzhu.tasklist.guards import Forbidden, SignInRequired
from jiuzhu.tasklist.proxies import TrustedProxies
from jiuzhu.tasklist.ratelimit import SignInLimiter
from jiuzhu.tasklist.session_store import SessionStore
from jiuzhu.tasklist.sessions import SessionMiddleware
from jiuzhu.tasklist.settings import TasklistSettings
from jiuzhu.tasklist.static_assets import StaticAssets, static_router
from jiuzhu.tasklist.views_complaints import router as complaints_router
from jiuzhu.tasklist.views_objections import router as objections_router
from jiuzhu.tasklist.views_spotchecks import router as spotchecks_router
from jiuzhu.tasklist.views_sweep import router as sweep_router
from schemas.db import make_engine

log = logging.getLogger(__name__)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # form-js and bpmn-js set inline styles; scripts come only from our own bundle.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
}


def _wants_json(request: Request) -> bool:
    return "json" in request.headers.get("content-type", "") or "json" in request.headers.get("accept", "")


def build_tasklist_app(
    settings: TasklistSettings | None = None,
    client: V2Client | None = None,
    db: Engine | None = None,
    now: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The task list; talks to the engine only through ``client`` (REST API v2)."""
    settings = settings or TasklistSettings()
    static_dir = settings.static_dir or STATIC_DIR
    check_bundle(static_dir)
    database = db or make_engine(settings.database_url)
    create_tables(database)
    secret = settings.secret_key
    if not secret:
        log.warning("JIUZHU_TASKLIST_SECRET_KEY is not set: sessions end when the process stops")
        secret = secrets.token_urlsafe(32)
    templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
    templates.env.filters["local"] = local_time
    assets = StaticAssets(static_dir)
    templates.env.globals["static_url"] = assets.url
    templates.env.globals["asset_version"] = assets.digest("dist/tasklist.js")  # for links not yet on static_url
    templates.env.globals["unread_messages"] = lambda login: messages.unread_count(database, login)

    app = FastAPI(title="jiuzhu 任务列表", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ready = False
    sessions = SessionStore(database, settings.session_max_age_s)
    proxies = TrustedProxies.parse(settings.trusted_proxies)
    limiter = SignInLimiter(
        free_failures=settings.login_max_failures,
        cap_s=settings.login_delay_cap_s,
        account_cap_s=settings.login_account_delay_cap_s,
        forget_s=settings.login_window_s,
    )
    app.state.tasklist = Tasklist(
        settings=settings,
        client=client or V2Client.from_settings(settings),
        db=database,
        templates=templates,
        limiter=limiter,
        now=now or (lambda: datetime.now(UTC)),
        sessions=sessions,
        proxies=proxies,
    )
    app.add_middleware(ActingForMiddleware, db=database)  # inside the sessions: it reads the session
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        max_age=settings.session_max_age_s,
        secure=settings.secure_cookies,
        store=sessions,
        proxies=proxies,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], object]) -> Response:
        response: Response = await call_next(request)  # type: ignore[misc]
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        private = ("/tasks", "/cases", "/applications", "/signin", "/messages", "/supervision")
        if request.url.path.startswith(private) or request.url.path == "/":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(SignInRequired)
    async def to_signin(request: Request, exc: SignInRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"message": "请先登录"}, status_code=401)
        return RedirectResponse(f"/signin?next={exc.next_url}", status_code=303)

    @app.exception_handler(Forbidden)
    async def refused(request: Request, exc: Forbidden) -> Response:
        if _wants_json(request):
            return JSONResponse({"message": exc.message}, status_code=exc.status)
        tasklist: Tasklist = request.app.state.tasklist
        return tasklist.render(request, "error.html", status_code=exc.status, message=exc.message)

    @app.exception_handler(ApiError)
    async def api_failed(request: Request, exc: ApiError) -> Response:
        log.warning("REST API error: %s", exc)
        message = f"流程引擎暂时无法处理请求（{exc.title}）"
        if _wants_json(request):
            return JSONResponse({"message": message}, status_code=502)
        tasklist: Tasklist = request.app.state.tasklist
        return tasklist.render(request, "error.html", status_code=502, message=message)

    app.include_router(static_router(assets))
    for module in (
        views_public,
        views_auth,
        views_tasks,
        views_cases,
        views_applications,
        views_stuck,
        views_console,
        messages,
        supervision_report,
        supervisor_desk,
    ):
        app.include_router(module.router)
    app.include_router(objections_router)
    app.include_router(complaints_router)
    app.include_router(sweep_router)
    app.include_router(spotchecks_router)
    app.state.ready = True
    return app
