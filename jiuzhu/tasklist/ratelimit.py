"""Sign-in throttling: too many failures for one login or from one address lock it for a while."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SignInLimiter:
    def __init__(self, max_failures: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        window = self._failures.setdefault(key, deque())
        while window and now - window[0] > self.window_s:
            window.popleft()
        return window

    def retry_after(self, *keys: str) -> int:
        """Seconds until another attempt is allowed for any of ``keys``; 0 when allowed now."""
        now = self.clock()
        with self._lock:
            waits = []
            for key in keys:
                window = self._recent(key, now)
                if len(window) >= self.max_failures:
                    waits.append(int(self.window_s - (now - window[0])) + 1)
            return max(waits, default=0)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, login_key: str) -> None:
        with self._lock:
            self._failures.pop(login_key, None)
