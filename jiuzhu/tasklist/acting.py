"""Every request of a signed-in person calls the engine on their behalf.

Pure ASGI, inside the session middleware: it reads the session's login, looks the person up as the
guards do (an inactive account acts for nobody) and sets ``client.acting_for`` around the request, so
every ``/v2`` call the views make — in the event loop or the thread pool — carries that person's token.
"""

from __future__ import annotations

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from jiuzhu.tasklist.caserecord import principal_for
from jiuzhu.tasklist.client import acting_for
from jiuzhu.tasklist.sessions import Session


class ActingForMiddleware:
    def __init__(self, app: ASGIApp, db: Engine) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("state", {}).get("session") if scope["type"] == "http" else None
        login = session.login if isinstance(session, Session) else None
        principal = await run_in_threadpool(principal_for, self.db, login) if login else None
        with acting_for(principal):
            await self.app(scope, receive, send)
