"""A bounded memory of verified bearer tokens, in front of any `Verifier`.

A worker sends the same token on every call for as long as it lives (an hour by default), so the
signature check (HMAC for the engine's own tokens, RSA for an OIDC issuer's) need not run again for
each call. Only acceptances are remembered, each until the token's own ``exp`` (never longer than
``max_age_s``): a refused token is checked afresh every time, so a refusal is never remembered at
all, and an expired token is refused exactly when the verifier itself would start refusing it or
earlier, never later. Keyed by the whole token string, so a token differing in any character is a
different entry and is verified on its own.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Callable

from jiuzhu.engine.auth.tokens import Principal, Verifier

MAX_ENTRIES = 4096  # distinct live tokens remembered; beyond it the oldest make room
MAX_AGE_S = 300.0  # a token is verified again at least this often
MAX_TOKEN_CHARS = 16_384  # longer strings are verified every time, never kept


def _expires(token: str) -> float | None:
    """The ``exp`` claim of a token the verifier accepted (a JWT: header.payload.signature)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    expires = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        return None
    return float(expires)


class CachedVerifier:
    def __init__(
        self,
        inner: Verifier,
        clock: Callable[[], float] = time.time,
        max_entries: int = MAX_ENTRIES,
        max_age_s: float = MAX_AGE_S,
    ) -> None:
        self.inner = inner
        self._clock = clock  # wall time, as the tokens' exp
        self._max_entries = max_entries
        self._max_age_s = max_age_s
        self._entries: dict[str, tuple[float, Principal]] = {}  # token -> (good until, principal)
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal | None:
        found = self._entries.get(token)
        if found is not None:
            if self._clock() < found[0]:
                return found[1]
            with self._lock:
                if self._entries.get(token) is found:
                    del self._entries[token]
        principal = self.inner.verify(token)
        if principal is not None and len(token) <= MAX_TOKEN_CHARS:
            expires = _expires(token)
            now = self._clock()
            if expires is not None and expires > now:
                self._remember(token, min(expires, now + self._max_age_s), principal)
        return principal

    def _remember(self, token: str, until: float, principal: Principal) -> None:
        with self._lock:
            entries = self._entries
            if token not in entries and len(entries) >= self._max_entries:
                now = self._clock()
                for key in [k for k, (good_until, _) in entries.items() if good_until <= now]:
                    del entries[key]
                if len(entries) >= self._max_entries:  # all live: the oldest eighth makes room
                    for key in list(itertools.islice(entries, max(1, self._max_entries // 8))):
                        del entries[key]
            entries[token] = (until, principal)

    def __len__(self) -> int:
        return len(self._entries)
