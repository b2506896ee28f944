"""Bounds on one FEEL evaluation, so no expression can hold the engine lock without end.

An expression runs under the engine's command lock; a designer's typo or a hostile deployment must
not freeze every case. Each evaluation gets a step budget (loop iterations, filter items, calls,
range items), caps on the size of any list or string it builds, and a time budget for regular
expressions (matched by the ``regex`` engine with a timeout, as Python's ``re`` cannot be stopped).
Exceeding a bound fails the evaluation (an incident on the element), never yields null silently.
"""

from __future__ import annotations

import time
from typing import Any

from .errors import EvalFailure

MAX_STEPS = 100_000
MAX_ITEMS = 100_000  # of one list (or range iterated)
MAX_STRING = 1_000_000  # characters of one string
REGEX_BUDGET_S = 0.1  # all regular expressions of one evaluation together (the engine may overshoot it)


class LimitExceeded(EvalFailure):
    pass


class Budget:
    __slots__ = ("regex_deadline", "steps")

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.regex_deadline: float | None = None

    def spend(self, steps: int = 1) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise LimitExceeded(f"the expression needs more than {MAX_STEPS} evaluation steps")

    def regex_timeout(self) -> float:
        """Seconds left for regular expressions in this evaluation (the clock starts at the first)."""
        now = time.monotonic()
        if self.regex_deadline is None:
            self.regex_deadline = now + REGEX_BUDGET_S
        left = self.regex_deadline - now
        if left <= 0:
            raise regex_exhausted()
        return left


def regex_exhausted() -> LimitExceeded:
    return LimitExceeded(f"regular expressions took longer than {REGEX_BUDGET_S} s in one evaluation")


def check_size(value: Any) -> Any:
    """``value`` itself, or LimitExceeded when it is a list or string beyond the caps."""
    t = type(value)
    if t is str and len(value) > MAX_STRING:
        raise LimitExceeded(f"a string longer than {MAX_STRING} characters")
    if t is list and len(value) > MAX_ITEMS:
        raise LimitExceeded(f"a list of more than {MAX_ITEMS} items")
    return value


def weight(args: list[Any]) -> int:
    """A cheap measure of the work a built-in may do with ``args`` (items and characters)."""
    total = 0
    for a in args:
        t = type(a)
        if t is str:
            total += len(a)
        elif t is list:
            total += len(a)
            total += sum(len(x) for x in a if type(x) is str)
    return total
