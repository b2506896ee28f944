"""jiuzhu's pyzeebe job workers: one module per area, each exposing ``router``.

    worker = build_worker(channel, WorkerSettings())    # every job type of schemas.contracts.JOB_TYPES
    await worker.work()

``run(address)`` is ``jiuzhu workers --address host:port``; ``start_background`` runs the workers
in a thread of another process (``jiuzhu up``, against the embedded engine's gRPC port).
"""

import asyncio
import logging
import signal
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import grpc
from pyzeebe import ZeebeTaskRouter, ZeebeWorker

from jiuzhu.calendar_admin import load_calendar
from jiuzhu.oauth import OAuthCredentials, zeebe_channel
from schemas.db import make_engine
from workers import (
    application,
    approval,
    case,
    dynamic,
    eligibility,
    notice,
    payment,
    publicity,
    referral,
    sla,
    supervision,
    verification,
    visit,
)
from workers.documents import DocumentRenderer
from workers.notifications import dispatch_until
from workers.runtime import Services, bind, unbind
from workers.settings import WorkerSettings
from workers.verification.platform import EconomicCheckProvider, LocalRegistryProvider

__all__ = ["WorkerSettings", "all_routers", "build_services", "build_worker", "run", "start_background"]

log = logging.getLogger("workers")

_AREAS = (
    application,
    sla,
    verification,
    eligibility,
    visit,
    approval,
    supervision,
    publicity,
    notice,
    payment,
    referral,
    dynamic,
    case,
)


def all_routers() -> list[ZeebeTaskRouter]:
    return [area.router for area in _AREAS]


def system_clock() -> datetime:
    return datetime.now(UTC)


def make_platform(settings: WorkerSettings) -> EconomicCheckProvider:
    if settings.platform == "provincial":
        if not settings.platform_url:
            raise ValueError("JIUZHU_PLATFORM=provincial needs JIUZHU_PLATFORM_URL")
        from workers.verification.provincial import ProvincialPlatformClient

        return ProvincialPlatformClient(
            settings.platform_url,
            timeout_s=settings.platform_timeout_s,
            retries=settings.platform_retries,
            token=settings.platform_token,
        )
    return LocalRegistryProvider(settings.resolved_registry_file(), extracts_dir=settings.resolved_extracts_dir())


def build_services(
    settings: WorkerSettings,
    *,
    clock: Callable[[], datetime] | None = None,
    platform: EconomicCheckProvider | None = None,
) -> Services:
    return Services(
        settings=settings,
        db=make_engine(settings.resolved_database_url()),
        clock=clock or system_clock,
        calendar=load_calendar(settings.data_dir),
        platform=platform or make_platform(settings),
        documents=DocumentRenderer(settings.data_dir, pdf=settings.notice_pdf),
    )


def build_worker(
    channel: grpc.aio.Channel,
    settings: WorkerSettings | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    platform: EconomicCheckProvider | None = None,
    **worker_options: Any,
) -> ZeebeWorker:
    """A worker with every job type's handler. ``clock`` defaults to the system clock (pass the
    embedded engine's clock when it is controlled); ``worker_options`` go to ``ZeebeWorker``."""
    settings = settings or WorkerSettings()
    services = build_services(settings, clock=clock, platform=platform)
    # Jobs find their services by the worker's name, so each worker gets its own.
    name = f"{settings.worker_name}-{uuid.uuid4().hex[:8]}"
    worker_options.setdefault("request_timeout", settings.request_timeout_ms)
    # pyzeebe counts gateway errors (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL) over the worker's whole
    # life and, at its default of 10, closes the channel for good: one engine restart or one stalled
    # minute with 24 pollers would stop every job silently. A worker keeps retrying (5 s apart) instead.
    worker_options.setdefault("max_connection_retries", -1)
    worker = ZeebeWorker(channel, name=name, **worker_options)
    for router in all_routers():
        worker.include_router(router)
    bind(name, services)
    return worker


def release(worker: ZeebeWorker) -> None:
    """Forget a worker's services (after ``worker.stop()``)."""
    unbind(worker.name)


def make_channel(
    address: str, credentials: OAuthCredentials | None = None, *, use_env: bool = True
) -> grpc.aio.Channel:
    """OAuth client credentials given, or (``use_env``) from ZEEBE_CLIENT_ID/SECRET/AUTHORIZATION_SERVER_URL;
    with neither, the plaintext channel of an unprotected gateway."""
    return zeebe_channel(address, credentials or (OAuthCredentials.from_env() if use_env else None))


async def run(
    address: str,
    settings: WorkerSettings | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    stop: asyncio.Event | None = None,
    migrate: bool = True,
    credentials: OAuthCredentials | None = None,
    use_env: bool = True,
) -> None:
    """``jiuzhu workers --address host:port``: migrate the case record, work until ``stop`` is set
    (or SIGINT/SIGTERM when running in the main thread), then stop cleanly."""
    settings = settings or WorkerSettings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        from schemas.migrate import upgrade

        await asyncio.to_thread(upgrade, settings.resolved_database_url())
    channel = make_channel(address, credentials, use_env=use_env)
    worker = build_worker(channel, settings, clock=clock)
    stop = stop or asyncio.Event()
    if threading.current_thread() is threading.main_thread():
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    working = asyncio.create_task(worker.work())
    log.info("workers %s polling %s for %d job types", worker.name, address, len(worker.tasks))
    # The outbox is sent beside the jobs that fill it, on the same business clock.
    outbox_db = make_engine(settings.resolved_database_url())
    dispatching = asyncio.create_task(dispatch_until(stop, outbox_db, settings, clock or system_clock))
    waiting = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({working, waiting}, return_when=asyncio.FIRST_COMPLETED)
    try:
        if working in done:
            working.result()  # the worker gave up (e.g. the gateway is gone): raise why
    finally:
        waiting.cancel()
        stop.set()
        await asyncio.gather(dispatching, return_exceptions=True)
        outbox_db.dispose()
        await worker.stop()
        working.cancel()
        release(worker)
        await channel.close()


class BackgroundWorkers:
    """Workers on their own event loop in a daemon thread (``start_background``), next to an engine in
    this process: they use the credentials given (none: a plaintext engine), never ZEEBE_CLIENT_*."""

    def __init__(
        self,
        address: str,
        settings: WorkerSettings,
        clock: Callable[[], datetime] | None,
        credentials: OAuthCredentials | None = None,
    ) -> None:
        self._credentials = credentials
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._main, args=(address, settings, clock), name="jiuzhu-workers", daemon=True
        )

    def _main(self, address: str, settings: WorkerSettings, clock: Callable[[], datetime] | None) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(
                run(address, settings, clock=clock, stop=self._stop, credentials=self._credentials, use_env=False)
            )
        except BaseException as error:  # reported by stop()
            self._error = error
            log.exception("workers stopped with an error")
        finally:
            self._drain()
            self._loop.close()

    def _drain(self) -> None:
        """Let what is still pending on the loop (gRPC calls being torn down) end before the loop
        closes, so a stop says nothing alarming ("Task was destroyed but it is pending")."""
        pending = [task for task in asyncio.all_tasks(self._loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())

    def start(self) -> "BackgroundWorkers":
        self._thread.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout)

    @property
    def error(self) -> BaseException | None:
        return self._error


def start_background(
    address: str,
    settings: WorkerSettings | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    credentials: OAuthCredentials | None = None,
) -> BackgroundWorkers:
    return BackgroundWorkers(address, settings or WorkerSettings(), clock, credentials).start()
