"""The clock `now()` and `today()` read. The engine swaps it for its controllable clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


_clock: Clock = system_clock


def set_clock(clock: Clock | None) -> None:
    """Make `now()`/`today()` read `clock()` (an aware datetime); None restores the system clock."""
    global _clock
    _clock = clock or system_clock


def get_clock() -> Clock:
    return _clock
