"""Evaluation state: variable scopes and the per-evaluation context (clock, strictness, warnings)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from .errors import EvalFailure
from .limits import Budget
from .values import to_feel

MISSING: Any = object()


class EvalContext:
    __slots__ = ("budget", "now", "strict", "warnings")

    def __init__(self, now: Callable[[], datetime], strict: bool = False) -> None:
        self.now = now
        self.strict = strict
        self.warnings: list[str] = []
        self.budget = Budget()

    def fail(self, message: str) -> None:
        """A failure feel-scala suppresses into null (and reports as a warning)."""
        if self.strict:
            raise EvalFailure(message)
        self.warnings.append(message)


class Scope:
    """A chain of variable maps. The root map holds the caller's (JSON-like) variables."""

    __slots__ = ("ctx", "parent", "vars")

    def __init__(self, variables: Mapping[str, Any], parent: Scope | None, ctx: EvalContext) -> None:
        self.vars = variables
        self.parent = parent
        self.ctx = ctx

    def lookup(self, name: str) -> Any:
        s: Scope | None = self
        while s is not None:
            v = s.vars.get(name, MISSING)
            if v is not MISSING:
                return v if s.parent is not None else to_feel(v)
            s = s.parent
        return MISSING

    def child(self, variables: Mapping[str, Any]) -> Scope:
        return Scope(variables, self, self.ctx)
