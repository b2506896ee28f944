"""Bounds on one FEEL evaluation, so no expression can hold the engine lock without end.

An expression runs under the engine's command lock; a designer's typo or a hostile deployment must
not freeze every case. Each evaluation gets a step budget (loop iterations, filter items, calls,
range items), caps on the size of any list or string it builds, and a time budget for regular
expressions (matched by the ``regex`` engine with a timeout, as Python's ``re`` cannot be stopped).
Exceeding a bound fails the evaluation (an incident on the element), never yields null silently.

Those bounds are per evaluation; a caller that evaluates many expressions in one go (the engine, for
one element's mappings, script and conditions) sets a CPU budget over all of them with
`cpu_budget`: every evaluation on that thread fails once the budget's CPU time has passed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from .errors import EvalFailure

MAX_STEPS = 100_000
MAX_ITEMS = 100_000  # of one list (or range iterated)
MAX_STRING = 1_000_000  # characters of one string
REGEX_BUDGET_S = 0.1  # all regular expressions of one evaluation together (the engine may overshoot it)


CPU_CHECK_EVERY = 64  # steps between looks at the CPU clock (a look is a system call)
cpu_clock = time.thread_time  # the CPU time of the evaluating thread


class LimitExceeded(EvalFailure):
    pass


@dataclass(frozen=True)
class CpuDeadline:
    at: float  # cpu_clock() value after which evaluations fail
    seconds: float
    what: str

    def exceeded(self) -> LimitExceeded:
        return LimitExceeded(f"{self.what} took more than the CPU budget of {self.seconds:g} s")


_deadline: ContextVar[CpuDeadline | None] = ContextVar("feel_cpu_deadline", default=None)


@contextlib.contextmanager
def cpu_budget(seconds: float, what: str = "the expressions") -> Iterator[CpuDeadline]:
    """Evaluations on this thread within the block fail once `seconds` of CPU have passed from now
    (together, not each); `what` names them in the failure."""
    deadline = CpuDeadline(cpu_clock() + seconds, seconds, what)
    token = _deadline.set(deadline)
    try:
        yield deadline
    finally:
        _deadline.reset(token)


class Budget:
    __slots__ = ("cpu_bound", "cpu_deadline", "regex_deadline", "steps", "until_cpu_check")

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.regex_deadline: float | None = None
        self.cpu_deadline = _deadline.get()
        self.until_cpu_check = 0  # the first step looks: a budget already spent fails at once
        self.cpu_bound = False  # the last regex timeout was the CPU budget's, not the regex budget's

    def spend(self, steps: int = 1) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise LimitExceeded(f"the expression needs more than {MAX_STEPS} evaluation steps")
        if self.cpu_deadline is not None:
            self.until_cpu_check -= steps
            if self.until_cpu_check < 0:
                self.until_cpu_check = CPU_CHECK_EVERY
                if cpu_clock() > self.cpu_deadline.at:
                    raise self.cpu_deadline.exceeded()

    def regex_timeout(self) -> float:
        """Seconds left for regular expressions in this evaluation (the clock starts at the first),
        and within the CPU budget if one is set (CPU seconds are at most wall seconds)."""
        now = time.monotonic()
        if self.regex_deadline is None:
            self.regex_deadline = now + REGEX_BUDGET_S
        left = self.regex_deadline - now
        if left <= 0:
            raise regex_exhausted()
        if self.cpu_deadline is not None:
            cpu_left = self.cpu_deadline.at - cpu_clock()
            if cpu_left <= 0:
                raise self.cpu_deadline.exceeded()
            self.cpu_bound = cpu_left < left
            left = min(left, cpu_left)
        return left

    def regex_timed_out(self) -> LimitExceeded:
        """The failure for a regular expression that ran out of the time `regex_timeout` gave it."""
        if self.cpu_bound and self.cpu_deadline is not None:
            return self.cpu_deadline.exceeded()
        return regex_exhausted()


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
