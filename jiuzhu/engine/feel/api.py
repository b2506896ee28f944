"""Public entry points: compile once (cached per expression string), evaluate many times."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from .clock import get_clock
from .context import EvalContext, Scope
from .errors import EvalFailure, FeelError
from .interpreter import Eval, compile_node
from .parser import parse_expression, parse_unary_tests
from .values import export, to_feel

Now = datetime | Callable[[], datetime] | None
_EMPTY: Mapping[str, Any] = {}


def _clock(now: Now) -> Callable[[], datetime]:
    if now is None:
        return get_clock()
    if isinstance(now, datetime):
        return lambda: now
    return now


def _run(
    expression: str,
    fn: Eval,
    variables: Mapping[str, Any],
    now: Now,
    strict: bool,
    extra: Mapping[str, Any] | None = None,
) -> Any:
    ctx = EvalContext(_clock(now), strict)
    scope = Scope(variables, None, ctx)
    if extra is not None:
        scope = scope.child(extra)
    try:
        return fn(scope)
    except EvalFailure as e:
        raise FeelError(f"failed to evaluate expression: {e}", expression) from None
    except RecursionError:
        raise FeelError("expression nests too deeply to evaluate", expression) from None
    except FeelError:
        raise
    except Exception as e:  # a bug in this package; still surface it as a FEEL failure
        raise FeelError(f"internal error while evaluating: {type(e).__name__}: {e}", expression) from e


def _parse(expression: str, parse: Callable[[str], Any]) -> Eval:
    if not isinstance(expression, str):
        raise FeelError(f"expected the expression as a string, got {type(expression).__name__}")
    try:
        return compile_node(parse(expression))
    except RecursionError:
        raise FeelError("expression nests too deeply", expression) from None


class CompiledExpression:
    """A parsed FEEL expression; `evaluate` can be called any number of times."""

    __slots__ = ("_fn", "expression")

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self._fn = _parse(expression, parse_expression)

    def evaluate(self, variables: Mapping[str, Any] | None = None, *, now: Now = None, strict: bool = False) -> Any:
        return export(_run(self.expression, self._fn, variables if variables is not None else _EMPTY, now, strict))

    def __repr__(self) -> str:
        return f"CompiledExpression({self.expression!r})"


class CompiledUnaryTests:
    """Parsed DMN input entry (unary tests)."""

    __slots__ = ("_fn", "tests")

    def __init__(self, tests: str) -> None:
        self.tests = tests
        self._fn = _parse(tests, parse_unary_tests)

    def test(
        self,
        input_value: Any,
        variables: Mapping[str, Any] | None = None,
        *,
        now: Now = None,
        strict: bool = False,
    ) -> bool:
        try:
            value = to_feel(input_value)
        except RecursionError:
            raise FeelError("input value nests too deeply", self.tests) from None
        result = _run(self.tests, self._fn, variables if variables is not None else _EMPTY, now, strict, {"?": value})
        return result is True


@lru_cache(maxsize=4096)
def compile(expression: str) -> CompiledExpression:
    """Parse `expression` (without the leading `=`) once; repeated calls hit the cache."""
    return CompiledExpression(expression)


@lru_cache(maxsize=4096)
def compile_unary_tests(tests: str) -> CompiledUnaryTests:
    return CompiledUnaryTests(tests)


def evaluate(
    expression: str, variables: Mapping[str, Any] | None = None, *, now: Now = None, strict: bool = False
) -> Any:
    """Evaluate a FEEL expression against JSON-like variables.

    Returns Python values: None, bool, str, int/Decimal, list, dict, date/time/datetime,
    timedelta (days-time duration), YearsMonths, Range. Raises FeelError on syntax errors and on
    failures Zeebe turns into incidents (`assert`); other failures yield None, as in feel-scala.
    With ``strict=True`` those suppressed failures raise FeelError too.
    ``now`` overrides the clock for `now()`/`today()` (a datetime or a callable).
    """
    return compile(expression).evaluate(variables, now=now, strict=strict)


def unary_test(
    tests: str,
    input_value: Any,
    variables: Mapping[str, Any] | None = None,
    *,
    now: Now = None,
    strict: bool = False,
) -> bool:
    """Does `input_value` satisfy the DMN input entry `tests` (`< 10`, `[1..5]`, `"a","b"`, `-`)?"""
    return compile_unary_tests(tests).test(input_value, variables, now=now, strict=strict)
