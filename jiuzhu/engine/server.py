"""Wires the embedded engine together: store, engine, scheduler, gRPC gateway and HTTP."""

from __future__ import annotations

import logging
import threading
from concurrent import futures
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import grpc
import uvicorn
from fastapi import FastAPI
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from jiuzhu import metrics
from jiuzhu.engine.auth import EngineCredentials, TokenIssuer, load_or_create
from jiuzhu.engine.auth.credentials import TOKEN_PATH
from jiuzhu.engine.auth.grpc_guard import BearerInterceptor
from jiuzhu.engine.auth.http_guard import V2Guard, token_router
from jiuzhu.engine.auth.oidc import AnyOf, OidcVerifier
from jiuzhu.engine.auth.tokens import Verifier
from jiuzhu.engine.clock import Clock
from jiuzhu.engine.gateway.service import GatewayService
from jiuzhu.engine.http import build_app
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.scheduler import Scheduler
from jiuzhu.engine.store.repository import Store, database_url, open_database
from jiuzhu.engine_rest import build_v2_router

log = logging.getLogger(__name__)
# Long polls and job streams each hold a thread while they wait.
GRPC_THREADS = 256


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


class EngineServer:
    def __init__(self, config: EngineConfig, app: FastAPI | None = None) -> None:
        self.config = config
        self.clock = Clock(controlled=config.controlled_clock, start=config.clock_start)
        self.db_url = database_url(config.data_dir, config.database_url)
        self.engine = Engine(Store(open_database(self.db_url)), self.clock)
        self.scheduler = Scheduler(self.engine)
        self.credentials: EngineCredentials | None = None
        self.credentials_created = False
        issuer: TokenIssuer | None = None
        verifier: Verifier | None = None
        interceptors: list[grpc.ServerInterceptor] = [metrics.grpc_interceptor()]
        if not config.insecure:
            self.credentials, self.credentials_created = load_or_create(config.data_dir)
            issuer = TokenIssuer(self.credentials.signing_key)
            verifier = issuer
            if config.oidc_issuer:
                verifier = AnyOf(issuer, OidcVerifier(config.oidc_issuer, config.oidc_audience))
            interceptors.append(BearerInterceptor(verifier))  # after metrics: refusals are counted
        self.grpc = grpc.server(
            futures.ThreadPoolExecutor(max_workers=GRPC_THREADS, thread_name_prefix="gateway"),
            interceptors=interceptors,
        )
        metrics.register_engine_stats(self.engine)
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
        self.app.add_middleware(V2Guard, issuer=verifier)
        if self.credentials is not None and issuer is not None:
            self.app.include_router(token_router(self.credentials, issuer))
        self.app.include_router(metrics.router())
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
