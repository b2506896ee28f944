"""How the clients inside ``jiuzhu up`` (its workers and task list) reach the engine they run in:
by loopback, with the engine's own generated clients, over TLS when the engine serves it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from jiuzhu.engine.auth.credentials import TOKEN_PATH, EngineCredentials
from jiuzhu.oauth import OAuthCredentials, trust


@dataclass(frozen=True)
class LocalAccess:
    http_port: int
    credentials: EngineCredentials | None  # None under --insecure
    tls_cert: Path | None = None

    @property
    def host(self) -> str:
        """Over TLS, a name the certificate must carry; plaintext, the loopback address."""
        return "localhost" if self.tls_cert else "127.0.0.1"

    @property
    def url(self) -> str:
        return f"{'https' if self.tls_cert else 'http'}://{self.host}:{self.http_port}"

    @property
    def ca_file(self) -> str | None:
        return str(self.tls_cert) if self.tls_cert else None

    def grpc_address(self, port: int) -> str:
        return f"{self.host}:{port}"

    def client(self, scope: str) -> OAuthCredentials | None:
        """The generated client of ``scope`` as OAuth settings, or None when the engine is insecure."""
        if self.credentials is None:
            return None
        client = self.credentials.for_scope(scope)
        return OAuthCredentials(f"{self.url}{TOKEN_PATH}", client.client_id, client.client_secret, ca_file=self.ca_file)

    def tls_problem(self) -> str | None:
        """The in-process clients check the certificate like any client: say so at start if they
        cannot, rather than let them fail call after call."""
        if self.tls_cert is None:
            return None
        try:
            httpx.get(f"{self.url}/healthz", verify=trust(self.ca_file), timeout=5)
        except httpx.HTTPError as err:
            return (
                f"the in-process workers and task list cannot verify {self.tls_cert} for 'localhost' ({err}); "
                "the certificate must also name localhost (subjectAltName DNS:localhost)"
            )
        return None
