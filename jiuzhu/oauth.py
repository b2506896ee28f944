"""OAuth 2.0 client credentials on the client side, as Camunda's SDKs, pyzeebe and zbctl use them.

``ZEEBE_CLIENT_ID`` / ``ZEEBE_CLIENT_SECRET`` / ``ZEEBE_AUTHORIZATION_SERVER_URL`` /
``ZEEBE_TOKEN_AUDIENCE`` (or their ``CAMUNDA_*`` twins) configure a client; ``zeebe_channel``
builds the gRPC channel the workers, ``jiuzhu deploy`` and ``jiuzhu demo`` use.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx


def trust(ca_file: str | None) -> ssl.SSLContext | bool:
    """What httpx verifies servers against: ``ca_file``, or the system's roots."""
    return ssl.create_default_context(cafile=ca_file) if ca_file else True


class TokenRefused(Exception):
    """The authorization server did not hand out a token."""


@dataclass
class OAuthCredentials:
    token_url: str
    client_id: str
    client_secret: str
    audience: str | None = None
    scope: str | None = None
    ca_file: str | None = None  # trusted for the token URL and the gateway (ZEEBE_CA_CERTIFICATE_PATH)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OAuthCredentials | None:
        """The Camunda client variables, or None when no client id is set (an unprotected gateway)."""
        env = os.environ if env is None else env

        def first(*names: str) -> str | None:
            return next((env[n] for n in names if env.get(n)), None)

        client_id = first("ZEEBE_CLIENT_ID", "CAMUNDA_CLIENT_ID")
        if not client_id:
            return None
        secret = first("ZEEBE_CLIENT_SECRET", "CAMUNDA_CLIENT_SECRET")
        url = first("ZEEBE_AUTHORIZATION_SERVER_URL", "CAMUNDA_OAUTH_URL")
        if not secret or not url:
            raise ValueError("ZEEBE_CLIENT_ID is set: also set ZEEBE_CLIENT_SECRET and ZEEBE_AUTHORIZATION_SERVER_URL")
        return cls(
            url,
            client_id,
            secret,
            first("ZEEBE_TOKEN_AUDIENCE", "CAMUNDA_TOKEN_AUDIENCE"),
            first("ZEEBE_TOKEN_SCOPE", "CAMUNDA_TOKEN_SCOPE"),
            first("ZEEBE_CA_CERTIFICATE_PATH"),
        )


MAX_CACHED_PEOPLE = 1000


class TokenProvider:
    """Fetches a client-credentials token, caches it until shortly before it expires.

    ``token(on_behalf_of=…)`` asks for a token that acts for a signed-in person (the jiuzhu engine's
    ``on_behalf_of`` parameter, the person's claims as JSON), cached per person."""

    def __init__(self, credentials: OAuthCredentials, http: httpx.Client | None = None) -> None:
        self.credentials = credentials
        self._http = http or httpx.Client(timeout=10, verify=trust(credentials.ca_file))
        self._lock = threading.Lock()
        self._tokens: dict[str | None, tuple[str, float]] = {}

    def token(self, on_behalf_of: str | None = None) -> str:
        with self._lock:
            cached = self._tokens.get(on_behalf_of)
            if cached and time.monotonic() < cached[1]:
                return cached[0]
            form = {
                "grant_type": "client_credentials",
                "client_id": self.credentials.client_id,
                "client_secret": self.credentials.client_secret,
            }
            if self.credentials.audience:
                form["audience"] = self.credentials.audience
            if self.credentials.scope:
                form["scope"] = self.credentials.scope
            if on_behalf_of is not None:
                form["on_behalf_of"] = on_behalf_of
            try:
                response = self._http.post(self.credentials.token_url, data=form)
            except httpx.HTTPError as err:
                raise TokenRefused(f"the OAuth server {self.credentials.token_url} is unreachable: {err}") from err
            if response.status_code != 200:
                raise TokenRefused(f"the OAuth server refused the client credentials ({response.status_code})")
            body = response.json()
            token = str(body["access_token"])
            if len(self._tokens) >= MAX_CACHED_PEOPLE:
                self._tokens.clear()
            self._tokens[on_behalf_of] = (token, time.monotonic() + max(0.0, float(body.get("expires_in", 300)) - 30))
            return token

    def invalidate(self) -> None:
        with self._lock:
            self._tokens.clear()


class BearerMetadata(grpc.AuthMetadataPlugin):
    """Adds ``authorization: Bearer`` to every call (gRPC runs it off the event loop)."""

    def __init__(self, tokens: TokenProvider) -> None:
        self.tokens = tokens

    def __call__(self, context: grpc.AuthMetadataContext, callback: grpc.AuthMetadataPluginCallback) -> None:
        try:
            callback((("authorization", f"Bearer {self.tokens.token()}"),), None)
        except TokenRefused as err:
            callback((), err)


def _is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def transport_credentials(
    address: str, ca_file: str | None = None, env: Mapping[str, str] | None = None
) -> grpc.ChannelCredentials:
    """TLS (``ca_file``, ``ZEEBE_CA_CERTIFICATE_PATH`` or the system roots), or plaintext on
    loopback only: a token is never sent unencrypted across a network."""
    env = os.environ if env is None else env
    cert = ca_file or env.get("ZEEBE_CA_CERTIFICATE_PATH")
    if cert:
        return grpc.ssl_channel_credentials(root_certificates=Path(cert).read_bytes())
    if _is_loopback(address):
        return grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP)
    return grpc.ssl_channel_credentials()


def zeebe_channel(
    address: str, credentials: OAuthCredentials | None, options: Sequence[tuple[str, Any]] = ()
) -> grpc.aio.Channel:
    """An OAuth channel when there are credentials, else the plaintext channel of an unprotected
    gateway (``jiuzhu engine --insecure``, Camunda with an unprotected API)."""
    from pyzeebe import create_insecure_channel
    from pyzeebe.channel.channel_options import get_channel_options

    if credentials is None:
        return create_insecure_channel(grpc_address=address, channel_options=tuple(options))
    call = grpc.metadata_call_credentials(BearerMetadata(TokenProvider(credentials)))
    composite = grpc.composite_channel_credentials(transport_credentials(address, credentials.ca_file), call)
    return grpc.aio.secure_channel(address, composite, options=get_channel_options(tuple(options)))
