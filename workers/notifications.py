"""The workers' side of notifications: producers tell through ``notify`` in the job's transaction,
and ``dispatch_until`` sends the outbox (and runs the sweeps) beside the job workers."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from jiuzhu.notify import Dispatcher, NotifySettings, Routes, enqueue, load_routes, unpaid_relief
from schemas.tables import Case
from workers.runtime import JobContext
from workers.settings import WorkerSettings

log = logging.getLogger("workers.notify")
_cache: dict[Path | None, tuple[float, Routes]] = {}


def routes_for(data_dir: Path | None) -> Routes:
    """The county's routes, read again when its file changes."""
    path = data_dir / "notify-routes.json" if data_dir is not None else None
    stamp = path.stat().st_mtime if path is not None and path.is_file() else 0.0
    cached = _cache.get(data_dir)
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_routes(data_dir))
        _cache[data_dir] = cached
    return cached[1]


def notify(ctx: JobContext, event: str, case: Case, occasion: str, **facts: Any) -> list[str]:
    """Queue ``event`` about ``case`` for its recipients; returns the logins told."""
    settings = ctx.services.settings
    return enqueue(
        ctx.session, routes_for(settings.data_dir), event, case=case, occasion=occasion, now=ctx.now,
        link_base=settings.public_url, facts=facts,
    )  # fmt: skip


def _round(dispatcher: Dispatcher, db: Engine, settings: WorkerSettings, clock: Callable[[], datetime]) -> None:
    with Session(db) as session, session.begin():
        unpaid_relief(session, routes_for(settings.data_dir), clock(), settings.public_url)
    dispatcher.run_once()


async def dispatch_until(
    stop: asyncio.Event, db: Engine, settings: WorkerSettings, clock: Callable[[], datetime]
) -> None:
    """Every ``JIUZHU_NOTIFY_INTERVAL_S``: the sweeps, then what the outbox has due. A failing round
    is logged and the next one tries again (the rows stay pending)."""
    channels = NotifySettings()
    dispatcher = Dispatcher(db, channels.channels())
    log.info("notifications: channels %s", ", ".join(["inapp", *dispatcher.channels]) or "-")
    while not stop.is_set():
        try:
            await asyncio.to_thread(_round, dispatcher, db, settings, clock)
        except Exception:
            log.exception("notification round failed; trying again")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=channels.notify_interval_s)
