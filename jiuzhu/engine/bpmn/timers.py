"""Bounds on timers: a cycle fires at most once a second, and no duration reaches past 100 years.

``R/PT0.001S`` on a non-interrupting boundary fires without end and starves every command;
``P999999999Y`` makes SpiffWorkflow step through a billion years. Literal timers are refused at
deploy (INVALID_ARGUMENT naming the element); FEEL-computed ones raise an incident on the timer.
"""

from __future__ import annotations

import re
from datetime import timedelta

from jiuzhu.engine.expressions import ExpressionError

MIN_CYCLE_INTERVAL = timedelta(seconds=1)
MAX_DURATION = timedelta(days=100 * 366)
_DURATION = re.compile(
    r"^-?P(?:(?P<Y>\d+)Y)?(?:(?P<Mo>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<H>\d+)H)?(?:(?P<Mi>\d+)M)?(?:(?P<S>\d+(?:[.,]\d+)?)S)?)?$"
)
# seconds in the longest each unit can be, so the bound never undercounts a calendar duration
_DAY = 86_400
_UNIT = {"Y": 366 * _DAY, "Mo": 31 * _DAY, "W": 7 * _DAY, "D": _DAY, "H": 3_600, "Mi": 60, "S": 1}
_SHORTEST_UNIT = {"Y": 365 * _DAY, "Mo": 28 * _DAY}


def _span(text: str, longest: bool) -> timedelta:
    match = _DURATION.match(text.strip().upper())
    if match is None or text.strip().upper() in ("P", "PT", "-P", "-PT"):
        raise ExpressionError(f"'{text}' is not an ISO 8601 duration such as P10D or PT1H")
    seconds = 0.0
    for unit, amount in match.groupdict().items():
        if amount is None:
            continue
        if len(amount.split(".")[0].split(",")[0]) > 12:  # far beyond any bound, before arithmetic
            raise too_long(text)
        size = _UNIT[unit] if longest else _SHORTEST_UNIT.get(unit, _UNIT[unit])
        seconds += size * float(amount.replace(",", "."))
        if seconds > MAX_DURATION.total_seconds():
            raise too_long(text)
    total = timedelta(seconds=seconds)
    return -total if text.strip().startswith("-") else total


def too_long(text: str) -> ExpressionError:
    return ExpressionError(f"the timer duration '{text}' is longer than 100 years")


def check_duration(text: str) -> None:
    _span(text, longest=True)


def check_delta(delta: timedelta, shown: str) -> None:
    if delta > MAX_DURATION:
        raise too_long(shown)


def check_cycle_interval(delta: timedelta, shown: str) -> None:
    if delta < MIN_CYCLE_INTERVAL:
        raise ExpressionError(
            f"the timer cycle '{shown}' repeats more often than every {MIN_CYCLE_INTERVAL.total_seconds():g} s"
        )
    check_delta(delta, shown)


def check_cycle(text: str) -> None:
    """A literal ``R<n>/<duration>`` or ``R<n>/<start>/<duration>`` within the bounds."""
    parts = text.strip().split("/")
    if not parts[0].upper().startswith("R") or len(parts) not in (2, 3):
        raise ExpressionError(f"'{text}' is not an ISO 8601 repeating interval such as R3/PT10M")
    count = parts[0][1:]
    if count not in ("", "-1") and not count.isdigit():
        raise ExpressionError(f"'{text}' has a repetition count that is not a number")
    check_cycle_interval(_span(parts[-1], longest=False), text)
    check_duration(parts[-1])
