"""Zeebe expressions: a value is FEEL when it starts with `=`, otherwise it is a static string.

Everything the engine evaluates goes through here, so no Python is ever evaluated and every
failure surfaces as an `ExpressionError` that the engine turns into an incident.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

Now = Callable[[], datetime]


def _feel() -> Any:
    from jiuzhu.engine import feel  # deferred: static values need no FEEL at all

    return feel


class ExpressionError(Exception):
    """An expression could not be evaluated; the engine raises an incident with this message."""


def is_expression(text: str | None) -> bool:
    return bool(text) and text.lstrip().startswith("=")  # type: ignore[union-attr]


@lru_cache(maxsize=4096)
def _compiled(source: str) -> Any:
    return _feel().compile(source)


def _source(text: str) -> str:
    return text.lstrip()[1:].strip()


def check(text: str) -> None:
    """Parse an expression at deploy time; raise ExpressionError when it is not valid FEEL."""
    if is_expression(text):
        try:
            _compiled(_source(text))
        except _feel().FeelError as err:
            raise ExpressionError(f"invalid FEEL expression '{text}': {err}") from err


class Expressions:
    """Zeebe expressions evaluated against one clock: FEEL's `now()` and `today()` read `now`
    (the engine's clock, controlled or not); None reads the system clock."""

    def __init__(self, now: Now | None = None) -> None:
        self.now = now

    def evaluate(self, text: str, variables: Mapping[str, Any]) -> Any:
        """Evaluate `=expr` as FEEL, return any other text unchanged; result is JSON-compatible."""
        if not is_expression(text):
            return text
        source = _source(text)
        feel = _feel()
        try:
            return feel.to_json(_compiled(source).evaluate(variables, now=self.now))
        except feel.FeelError as err:
            raise ExpressionError(f"failed to evaluate expression '{source}': {err}") from err

    def evaluate_raw(self, text: str, variables: Mapping[str, Any]) -> Any:
        """Like `evaluate` but keeps FEEL values (durations, dates) for timers."""
        if not is_expression(text):
            return text
        source = _source(text)
        try:
            return _compiled(source).evaluate(variables, now=self.now)
        except _feel().FeelError as err:
            raise ExpressionError(f"failed to evaluate expression '{source}': {err}") from err

    def evaluate_bool(self, text: str, variables: Mapping[str, Any]) -> bool:
        """A sequence-flow condition: Zeebe requires a boolean and raises an incident otherwise."""
        result = self.evaluate(text if is_expression(text) else "=" + text, variables)
        if not isinstance(result, bool):
            raise ExpressionError(f"expected the condition '{_source(text)}' to be a boolean, but it was {result!r}")
        return result

    def evaluate_string(self, text: str, variables: Mapping[str, Any], what: str) -> str:
        result = self.evaluate(text, variables)
        if not isinstance(result, str):
            raise ExpressionError(f"expected {what} '{text}' to be a string, but it was {result!r}")
        return result

    def evaluate_int(self, text: str, variables: Mapping[str, Any], what: str) -> int:
        result = self.evaluate(text, variables)
        if isinstance(result, str) and not is_expression(text):
            try:
                return int(result)
            except ValueError:
                pass
        if isinstance(result, bool) or not isinstance(result, int | float) or int(result) != result:
            raise ExpressionError(f"expected {what} '{text}' to be a whole number, but it was {result!r}")
        return int(result)


_SYSTEM = Expressions()
# Against the system clock, for callers without an engine (deploy-time checks, tools).
evaluate = _SYSTEM.evaluate
evaluate_raw = _SYSTEM.evaluate_raw
evaluate_bool = _SYSTEM.evaluate_bool
evaluate_string = _SYSTEM.evaluate_string
evaluate_int = _SYSTEM.evaluate_int
