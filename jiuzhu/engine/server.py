"""Wires the embedded engine together: store, engine, scheduler, gRPC gateway and HTTP."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import grpc
import uvicorn
from fastapi import APIRouter, FastAPI
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from jiuzhu.engine.auth import EngineCredentials, TokenIssuer, load_or_create
from jiuzhu.engine.auth.cache import CachedVerifier
from jiuzhu.engine.auth.credentials import TOKEN_PATH
from jiuzhu.engine.auth.grpc_guard import BearerInterceptor
from jiuzhu.engine.auth.http_guard import V2Guard, token_router
from jiuzhu.engine.auth.oidc import AnyOf, OidcVerifier
from jiuzhu.engine.auth.person import Person
from jiuzhu.engine.auth.tokens import Verifier
from jiuzhu.engine.clock import Clock
from jiuzhu.engine.gateway.service import GatewayService
from jiuzhu.engine.http import build_app
from jiuzhu.engine.observer import EngineObserver
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.scheduler import Scheduler
from jiuzhu.engine.store.repository import Store, database_url, open_database
from jiuzhu.engine_rest import build_v2_router
from jiuzhu.engine_rest.acting import PersonRules

log = logging.getLogger(__name__)
# Long polls and job streams each hold a thread while they wait.
GRPC_THREADS = 256
GIL_SWITCH_INTERVAL_S = 0.0005


@dataclass
class EngineConfig:
    grpc_port: int = 26500
    http_port: int = 8080
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    database_url: str | None = None
    controlled_clock: bool = False
    clock_start: datetime | None = None  # where a controlled clock starts (default: now)
    forms_dir: Path | None = None  # Camunda Forms served for user tasks (default: workflows/forms)
    # No credentials on gRPC and /v2: local development only (`--insecure`), never the default.
    insecure: bool = False
    # TLS on gRPC and HTTP from PEM files (both or neither); plaintext otherwise.
    tls_cert: Path | None = None
    tls_key: Path | None = None
    # Also accept RS256 access tokens of this OpenID Connect issuer (Keycloak), for this audience.
    oidc_issuer: str | None = None
    oidc_audience: str = "zeebe-api"
    # A provider token with this claim (e.g. preferred_username) acts for that staff login, looked up
    # in `ServerPlugins.people`; unknown logins are refused (jiuzhu/engine/auth/oidc.py).
    oidc_person_claim: str | None = None
    # How long a Python thread may keep the interpreter while another waits (CPython's default is
    # 5 ms). Every job pushed on a stream waits for gRPC's poller thread and then the stream's own
    # thread to get the interpreter back from busy command threads; one stream sends one job at a
    # time, so under load each push queues behind those before it. 0.5 ms cut the streaming pickup
    # p99 about threefold in bench/engine.py for ~15% more engine CPU. Process-wide; None keeps it.
    gil_switch_interval_s: float | None = GIL_SWITCH_INTERVAL_S


@dataclass
class ServerPlugins:
    """What the application adds to the engine's server: the engine knows none of it by name
    (jiuzhu's metrics are one such set, `jiuzhu.engine_plugins.metrics_plugins`)."""

    observer: EngineObserver | None = None  # told of engine events once committed
    interceptors: Sequence[grpc.ServerInterceptor] = ()  # on every gRPC call, before authentication
    routers: Sequence[APIRouter] = ()  # extra HTTP routes (e.g. GET /metrics)
    on_engine: Sequence[Callable[[Engine], None]] = field(default_factory=list)  # once the engine exists
    person_rules: PersonRules | None = None  # /v2 for a person's token (None: such tokens are refused)
    people: Callable[[str], Person | None] | None = None  # staff login -> the person (OIDC sign-in)


class EngineServer:
    def __init__(self, config: EngineConfig, app: FastAPI | None = None, plugins: ServerPlugins | None = None) -> None:
        plugins = plugins or ServerPlugins()
        self.config = config
        self.clock = Clock(controlled=config.controlled_clock, start=config.clock_start)
        self.db_url = database_url(config.data_dir, config.database_url)
        self.engine = Engine(Store(open_database(self.db_url)), self.clock, observer=plugins.observer)
        self.scheduler = Scheduler(self.engine)
        self.credentials: EngineCredentials | None = None
        self.credentials_created = False
        issuer: TokenIssuer | None = None
        verifier: Verifier | None = None
        interceptors: list[grpc.ServerInterceptor] = list(plugins.interceptors)
        if not config.insecure:
            self.credentials, self.credentials_created = load_or_create(config.data_dir)
            issuer = TokenIssuer(self.credentials.signing_key)
            verifier = issuer
            if config.oidc_issuer:
                oidc = OidcVerifier(
                    config.oidc_issuer,
                    config.oidc_audience,
                    person_claim=config.oidc_person_claim,
                    people=plugins.people,
                )
                verifier = AnyOf(issuer, oidc)
            # gRPC and /v2 check each token's signature once, not on every call (auth/cache.py)
            verifier = CachedVerifier(verifier)
            interceptors.append(BearerInterceptor(verifier))  # after metrics: refusals are counted
        self.grpc = grpc.server(
            futures.ThreadPoolExecutor(max_workers=GRPC_THREADS, thread_name_prefix="gateway"),
            interceptors=interceptors,
        )
        for hook in plugins.on_engine:
            hook(self.engine)
        pb_grpc.add_GatewayServicer_to_server(GatewayService(self.engine, config.host, config.grpc_port), self.grpc)
        self.health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.grpc)
        listen = f"{config.host}:{config.grpc_port}"
        if config.tls_cert and config.tls_key:
            pair = (config.tls_key.read_bytes(), config.tls_cert.read_bytes())
            self.grpc_port = self.grpc.add_secure_port(listen, grpc.ssl_server_credentials([pair]))
        else:
            self.grpc_port = self.grpc.add_insecure_port(listen)
        if self.grpc_port == 0:
            raise OSError(f"cannot listen for gRPC on {config.host}:{config.grpc_port}: the port is in use")
        # The engine's own routes (/healthz, /v2, /metrics) come first; an optional app (the task
        # list) is mounted at "/" after them and serves everything else.
        self.app = build_app(self.engine, allow_clock=config.controlled_clock)
        self.app.state.person_rules = plugins.person_rules
        self.app.add_middleware(V2Guard, issuer=verifier)
        if self.credentials is not None and issuer is not None:
            self.app.include_router(token_router(self.credentials, issuer))
        for router in plugins.routers:
            self.app.include_router(router)
        token_url = None if config.insecure else TOKEN_PATH
        self.app.include_router(build_v2_router(self.engine, forms_dir=config.forms_dir, oauth_token_url=token_url))
        if app is not None:
            self.app.mount("/", app)
        self._http = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host=config.host,
                port=config.http_port,
                log_level="warning",
                lifespan="off",
                # The peer is the client: the task list believes X-Forwarded-* only from its configured
                # proxies (JIUZHU_TASKLIST_TRUSTED_PROXIES), not uvicorn's loopback default.
                proxy_headers=False,
                ssl_certfile=str(config.tls_cert) if config.tls_cert else None,
                ssl_keyfile=str(config.tls_key) if config.tls_key else None,
            )
        )
        self._http_thread = threading.Thread(target=self._http.run, name="jiuzhu-http", daemon=True)

    @property
    def token_url(self) -> str:
        """Where this process's own clients (workers, task list) fetch tokens."""
        host = "127.0.0.1" if self.config.host in ("0.0.0.0", "::", "") else self.config.host
        scheme = "https" if self.config.tls_cert else "http"
        return f"{scheme}://{host}:{self.config.http_port}{TOKEN_PATH}"

    def start(self) -> None:
        if self.config.gil_switch_interval_s is not None:
            sys.setswitchinterval(self.config.gil_switch_interval_s)
        self.scheduler.start()
        self.grpc.start()
        self._http_thread.start()
        self.app.state.ready = True
        for name in ("", "gateway_protocol.Gateway"):
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)

    def wait_http(self, timeout: float = 10.0) -> bool:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._http.started:
                return True
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        for name in ("", "gateway_protocol.Gateway"):
            self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        self.grpc.stop(grace=2).wait(3)
        self._http.should_exit = True
        self.scheduler.stop()
        self._http_thread.join(timeout=5)
