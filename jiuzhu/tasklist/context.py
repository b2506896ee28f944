"""What every task-list request needs: settings, the REST client, the case record, templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from jiuzhu.policy import CST
from jiuzhu.tasklist.client import V2Client
from jiuzhu.tasklist.proxies import TrustedProxies
from jiuzhu.tasklist.ratelimit import SignInLimiter
from jiuzhu.tasklist.roles import Principal
from jiuzhu.tasklist.session_store import SessionStore
from jiuzhu.tasklist.sessions import session_of
from jiuzhu.tasklist.settings import TasklistSettings


def local_time(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Instants shown in China time (UTC+8), whatever zone they were stored or sent in."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(CST).strftime(fmt)
    return str(value)


@dataclass
class Tasklist:
    settings: TasklistSettings
    client: V2Client
    db: Engine
    templates: Jinja2Templates
    limiter: SignInLimiter
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    sessions: SessionStore | None = None  # server-side sessions (sign-out revokes)
    proxies: TrustedProxies = field(default_factory=TrustedProxies)

    def render(
        self,
        request: Request,
        template: str,
        principal: Principal | None = None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        base = {"principal": principal, "csrf_token": session_of(request).csrf, "now": self.now()}
        return self.templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)


def tasklist_of(request: Request) -> Tasklist:
    tasklist: Tasklist = request.app.state.tasklist
    return tasklist
