"""Access tokens: compact JWTs signed with HS256 under a key only the engine knows.

Self-contained (no store lookup per call) and readable by any JWT tool; the engine is both the
issuer and the only audience that checks them, so a symmetric key is enough.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from jiuzhu.engine.auth.person import Person

ISSUER = "jiuzhu-engine"
DEFAULT_AUDIENCE = "zeebe-api"  # what Camunda self-managed clients send by default
TOKEN_TTL_S = 3600


@dataclass(frozen=True)
class Principal:
    client_id: str
    scopes: frozenset[str]
    person: Person | None = None  # the signed-in person a task-list token acts for


class Verifier(Protocol):
    """Anything that turns a bearer token into who sent it (None: refuse)."""

    def verify(self, token: str) -> Principal | None: ...


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_HEADER = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())


class TokenIssuer:
    def __init__(self, key: bytes, ttl_s: int = TOKEN_TTL_S, clock: Callable[[], float] = time.time) -> None:
        if len(key) < 32:
            raise ValueError("the token signing key must be at least 32 bytes")
        self._key = key
        self.ttl_s = ttl_s
        self._clock = clock  # wall time on purpose: a controlled engine clock must not expire tokens

    def _sign(self, signing_input: str) -> str:
        return _b64(hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest())

    def issue(
        self, client_id: str, scopes: Iterable[str], audience: str | None = None, person: Person | None = None
    ) -> str:
        now = int(self._clock())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": client_id,
            "aud": audience or DEFAULT_AUDIENCE,
            "scope": " ".join(sorted(scopes)),
            "iat": now,
            "exp": now + self.ttl_s,
            "jti": secrets.token_urlsafe(12),
        }
        if person is not None:
            claims["person"] = person.claims()
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{_HEADER}.{payload}.{self._sign(f'{_HEADER}.{payload}')}"

    def verify(self, token: str) -> Principal | None:
        """The token's principal, or None when it is forged, malformed or expired."""
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _HEADER:
            return None
        if not hmac.compare_digest(self._sign(f"{parts[0]}.{parts[1]}"), parts[2]):
            return None
        try:
            claims: Any = json.loads(_unb64(parts[1]))
        except ValueError:
            return None
        if not isinstance(claims, dict) or claims.get("iss") != ISSUER:
            return None
        expires = claims.get("exp")
        if not isinstance(expires, int) or expires <= self._clock():
            return None
        person = Person.from_claims(claims["person"]) if "person" in claims else None
        if "person" in claims and person is None:
            return None
        return Principal(str(claims.get("sub", "")), frozenset(str(claims.get("scope", "")).split()), person)


def bearer(value: str | None) -> str | None:
    """The token in an ``Authorization: Bearer <token>`` value."""
    if not value:
        return None
    kind, _, token = value.partition(" ")
    return token.strip() or None if kind.lower() == "bearer" else None
