"""The engine clock: wall time by default, pinnable and advanceable for tests and demos.

Zeebe exposes the same idea as its controlled clock (`PUT /v2/clock`): a 10-working-day SLA path
must run in seconds in a test, so nothing in the engine reads `datetime.now()` directly.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """Wall-clock time in UTC; `pin`/`advance` switch it to controlled time."""

    def __init__(self, controlled: bool = False, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._pinned: datetime | None = None
        if controlled:
            self._pinned = _aware(start) if start else datetime.now(UTC)
        self._listeners: list = []

    @property
    def controlled(self) -> bool:
        return self._pinned is not None or self._offset != timedelta(0)

    def now(self) -> datetime:
        with self._lock:
            if self._pinned is not None:
                return self._pinned
            return datetime.now(UTC) + self._offset

    def millis(self) -> int:
        return int(self.now().timestamp() * 1000)

    def pin(self, instant: datetime) -> None:
        with self._lock:
            self._pinned = _aware(instant)
        self._changed()

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            if self._pinned is not None:
                self._pinned += delta
                now = self._pinned
            else:
                self._offset += delta
                now = datetime.now(UTC) + self._offset
        self._changed()
        return now

    def reset(self) -> None:
        with self._lock:
            self._pinned = None
            self._offset = timedelta(0)
        self._changed()

    def on_change(self, callback) -> None:
        """Called after every pin/advance/reset: the scheduler re-checks due timers."""
        self._listeners.append(callback)

    def _changed(self) -> None:
        for callback in list(self._listeners):
            callback()


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)
