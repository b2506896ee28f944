"""Boolean built-ins: not, is defined, get or else, assert, is."""

from __future__ import annotations

from typing import Any

from ..context import EvalContext
from ..errors import EvalFailure
from ..ops import equal
from ..values import kind
from ._registry import boolean, builtin


@builtin("not", "negand")
def not_(negand: Any) -> Any:
    return not boolean(negand)


@builtin("is defined", "value")
def is_defined(value: Any) -> bool:
    # feel-scala 1.17+: a missing variable is null, so `is defined` is a null check
    return value is not None


@builtin("get or else", "value, default")
def get_or_else(value: Any, default: Any) -> Any:
    return default if value is None else value


@builtin("assert", "value, condition", needs_ctx=True)
def assert_(ctx: EvalContext, value: Any, condition: Any) -> Any:
    if condition is not True:
        raise EvalFailure("The condition is not fulfilled")
    return value


@builtin("assert", "value, condition, cause", needs_ctx=True)
def assert_cause(ctx: EvalContext, value: Any, condition: Any, cause: Any) -> Any:
    if condition is not True:
        raise EvalFailure(f"The condition is not fulfilled: {cause}")
    return value


@builtin("is", "value1, value2")
def is_(value1: Any, value2: Any) -> bool:
    return kind(value1) == kind(value2) and equal(value1, value2) is True
