"""Access tokens from an external OpenID Connect provider (Keycloak, Camunda Identity): RS256 JWTs
checked against the issuer's published keys (JWKS), its ``iss``, the configured audience and ``exp``.

The scopes a token carries are the jiuzhu scopes (admin, worker, tasklist) found in its ``scope``
claim or among its Keycloak roles (``realm_access.roles``, ``resource_access.*.roles``): give the
service accounts a client scope or a role with that name.

A person signed in at the provider (the task list's staff, through Keycloak) names no township or
role the engine could scope by. With ``person_claim`` (e.g. ``preferred_username``) and a staff
directory (``people``: login → ``Person``, the application's case record), a task-list token that
carries that claim acts for the staff member of that login, exactly as a token the task list asks
for ``on_behalf_of`` them; a login the directory does not know (or no longer lists as active) is
refused. A token without the claim, or a Keycloak service account (``service-account-…``), stays a
client of its scopes.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from jiuzhu.engine.auth.person import Person
from jiuzhu.engine.auth.rsa import verify_rs256
from jiuzhu.engine.auth.scopes import SCOPES
from jiuzhu.engine.auth.tokens import Principal

log = logging.getLogger(__name__)
REFRESH_AT_MOST_EVERY_S = 60.0  # an unknown key id refetches the keys, but not on every bad token
LEEWAY_S = 30
SERVICE_ACCOUNT_PREFIX = "service-account-"  # how Keycloak names the user behind a client's service account


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int(text: str) -> int:
    return int.from_bytes(_unb64(text), "big")


def _scopes(claims: dict[str, Any]) -> frozenset[str]:
    names = set(str(claims.get("scope", "")).split())
    realm = claims.get("realm_access")
    if isinstance(realm, dict):
        names.update(str(r) for r in realm.get("roles") or [])
    resources = claims.get("resource_access")
    if isinstance(resources, dict):
        for access in resources.values():
            if isinstance(access, dict):
                names.update(str(r) for r in access.get("roles") or [])
    return frozenset(names & set(SCOPES))


class OidcVerifier:
    def __init__(
        self,
        issuer: str,
        audience: str,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
        person_claim: str | None = None,
        people: Callable[[str], Person | None] | None = None,
    ) -> None:
        if person_claim and people is None:
            raise ValueError("an OIDC person claim needs a staff directory to look the logins up in")
        self.person_claim = person_claim
        self.people = people
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self._http = http or httpx.Client(timeout=10)
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[int, int]] = {}
        self._fetched_at = -REFRESH_AT_MOST_EVERY_S

    def _refresh(self) -> None:
        """(Re)reads the issuer's keys; kept as they were if the issuer cannot be reached."""
        now = time.monotonic()
        if now - self._fetched_at < REFRESH_AT_MOST_EVERY_S:
            return
        self._fetched_at = now
        try:
            config = self._http.get(f"{self.issuer}/.well-known/openid-configuration").raise_for_status().json()
            document = self._http.get(str(config["jwks_uri"])).raise_for_status().json()
        except (httpx.HTTPError, ValueError, KeyError) as err:
            log.error("cannot read the signing keys of OIDC issuer %s: %s", self.issuer, err)
            return
        keys = {}
        for jwk in document.get("keys", []):
            if jwk.get("kty") == "RSA" and jwk.get("use", "sig") == "sig" and "kid" in jwk:
                keys[str(jwk["kid"])] = (_int(jwk["n"]), _int(jwk["e"]))
        self._keys = keys

    def _key(self, kid: str) -> tuple[int, int] | None:
        with self._lock:
            if kid not in self._keys:
                self._refresh()
            return self._keys.get(kid)

    def verify(self, token: str) -> Principal | None:
        parts = token.split(".")
        if len(parts) != 3:
            return None
        try:
            header = json.loads(_unb64(parts[0]))
            claims = json.loads(_unb64(parts[1]))
            signature = _unb64(parts[2])
        except ValueError:
            return None
        if not isinstance(header, dict) or header.get("alg") != "RS256" or not isinstance(claims, dict):
            return None  # RS256 only: never "none", never a symmetric algorithm with a public key
        key = self._key(str(header.get("kid", "")))
        if key is None or not verify_rs256(key[0], key[1], f"{parts[0]}.{parts[1]}".encode("ascii"), signature):
            return None
        if str(claims.get("iss", "")).rstrip("/") != self.issuer:
            return None
        audiences = claims.get("aud")
        audiences = audiences if isinstance(audiences, list) else [audiences]
        if self.audience not in audiences:
            return None
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or expires + LEEWAY_S <= self._clock():
            return None
        subject = claims.get("azp") or claims.get("client_id") or claims.get("sub") or ""
        scopes = _scopes(claims)
        login = claims.get(self.person_claim) if self.person_claim else None
        if "tasklist" not in scopes or not isinstance(login, str) or login.startswith(SERVICE_ACCOUNT_PREFIX):
            return Principal(str(subject), scopes)
        assert self.people is not None
        person = self.people(login) if login else None
        if person is None:
            log.warning("OIDC token of issuer %s refused: %r is not an active staff login", self.issuer, login)
            return None
        return Principal(str(subject), scopes, person)


class AnyOf:
    """The engine's own tokens first, then the external provider's."""

    def __init__(self, *verifiers: Any) -> None:
        self.verifiers = verifiers

    def verify(self, token: str) -> Principal | None:
        for verifier in self.verifiers:
            principal = verifier.verify(token)
            if principal is not None:
                return principal
        return None
