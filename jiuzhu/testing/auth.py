"""Test and bench clients of an engine that runs with credentials: read the clients the engine
generated into its data directory and use them as an operator would (token URL, Bearer)."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import httpx

from jiuzhu.engine.auth.credentials import CREDENTIALS_FILE, TOKEN_PATH, read_clients
from jiuzhu.oauth import OAuthCredentials, TokenProvider, zeebe_channel


class BearerAuth(httpx.Auth):
    """httpx auth that sends a client-credentials token and fetches a fresh one on a 401."""

    def __init__(self, tokens: TokenProvider) -> None:
        self.tokens = tokens

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.tokens.token()}"
        response = yield request
        if response.status_code == 401:
            self.tokens.invalidate()
            request.headers["Authorization"] = f"Bearer {self.tokens.token()}"
            yield request


@dataclass
class EngineClients:
    """The clients in ``<data_dir>/credentials.json`` of an engine whose HTTP side is ``http_url``."""

    data_dir: Path
    http_url: str
    ca_file: str | None = None  # the engine's certificate when it serves TLS
    _providers: dict[str, TokenProvider] = field(default_factory=dict)

    @property
    def token_url(self) -> str:
        return f"{self.http_url}{TOKEN_PATH}"

    @property
    def path(self) -> Path:
        return self.data_dir / CREDENTIALS_FILE

    def oauth(self, scope: str = "admin") -> OAuthCredentials:
        for client in read_clients(self.path).values():
            if client.scopes == frozenset({scope}):
                return OAuthCredentials(self.token_url, client.client_id, client.client_secret, ca_file=self.ca_file)
        raise KeyError(f"no {scope} client in {self.path}")

    def tokens(self, scope: str = "admin") -> TokenProvider:
        if scope not in self._providers:
            self._providers[scope] = TokenProvider(self.oauth(scope))
        return self._providers[scope]

    def token(self, scope: str = "admin") -> str:
        return self.tokens(scope).token()

    def headers(self, scope: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(scope)}"}

    def auth(self, scope: str = "admin") -> BearerAuth:
        return BearerAuth(self.tokens(scope))

    def channel(self, address: str, scope: str = "admin", options: Sequence[tuple[str, Any]] = ()) -> grpc.aio.Channel:
        """A pyzeebe-ready channel with the token on every call: TLS with ``ca_file``, else plaintext on loopback."""
        return zeebe_channel(address, self.oauth(scope), options)

    def metadata(self, scope: str = "admin") -> tuple[tuple[str, str], ...]:
        """For raw gRPC stubs: ``stub.Topology(request, metadata=clients.metadata())``."""
        return (("authorization", f"Bearer {self.token(scope)}"),)
