"""Sign-in throttling by increasing delays, never a wall that shuts the real user out.

Every key (an address, a login from one address, a login from anywhere) gets some free failures;
after that each failure doubles the wait before the next attempt, up to that key's cap. The caps
differ on purpose: a guesser's own address and its login@address pair slow down to many minutes,
but a login from anywhere waits at most ``account_cap_s`` — so someone guessing a leader's password
from elsewhere costs the leader seconds, not a 24-hour deadline. Failures are forgotten after
``forget_s`` without one; a successful sign-in clears that login's keys.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    free: int  # failures without any wait
    base_s: float  # the wait after the first failure beyond them
    cap_s: float  # the longest wait

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return float(min(self.cap_s, self.base_s * 2 ** (failures - self.free)))


@dataclass
class _Record:
    failures: int
    last: float


class SignInLimiter:
    def __init__(
        self,
        free_failures: int = 5,
        cap_s: float = 900,
        account_cap_s: float = 15,
        forget_s: float = 3600,
        base_s: float = 2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.address = Backoff(free_failures * 2, base_s, cap_s)  # an office NAT shares one address
        self.pair = Backoff(free_failures, base_s, cap_s)
        self.account = Backoff(free_failures, base_s, account_cap_s)
        self.forget_s = forget_s
        self.clock = clock
        self._lock = threading.Lock()
        self._records: dict[str, _Record] = {}

    @staticmethod
    def keys(login: str, address: str) -> tuple[str, str, str]:
        return (f"ip:{address}", f"pair:{login}@{address}", f"login:{login}")

    def _policy(self, key: str) -> Backoff:
        kind = key.split(":", 1)[0]
        return {"ip": self.address, "pair": self.pair}.get(kind, self.account)

    def _record(self, key: str, now: float) -> _Record | None:
        record = self._records.get(key)
        if record is not None and now - record.last > self.forget_s:
            del self._records[key]
            return None
        return record

    def retry_after(self, *keys: str) -> int:
        """Whole seconds until another attempt is allowed for all of ``keys``; 0 when allowed now."""
        now = self.clock()
        with self._lock:
            waits = [0.0]
            for key in keys:
                record = self._record(key, now)
                if record is not None:
                    waits.append(record.last + self._policy(key).delay(record.failures) - now)
            wait = max(waits)
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                record = self._record(key, now)
                if record is None:
                    self._records[key] = _Record(1, now)
                else:
                    record.failures += 1
                    record.last = now

    def succeeded(self, *keys: str) -> None:
        """Clears the login's keys; an address keeps its record (other logins may be guessed from it)."""
        with self._lock:
            for key in keys:
                if not key.startswith("ip:"):
                    self._records.pop(key, None)
