"""Built-in function registry and invocation (positional and named arguments, overloads)."""

from __future__ import annotations

import re
from typing import Any

from ..context import EvalContext
from ..errors import EvalFailure
from ..limits import check_size, weight
from ..values import FeelFunction
from ._registry import REGISTRY, Overload


class Builtin(FeelFunction):
    __slots__ = ("overloads",)

    def __init__(self, name: str, overloads: list[Overload]) -> None:
        super().__init__(overloads[0].params, _unused, name)
        self.overloads = overloads


def _unused(ctx: Any, args: list[Any]) -> Any:  # pragma: no cover - Builtin dispatches itself
    return None


_CACHE: dict[str, Builtin] = {}


def resolve_builtin(name: str) -> Builtin | None:
    b = _CACHE.get(name)
    if b is None:
        overloads = REGISTRY.get(name)
        if overloads is None:
            return None
        b = _CACHE[name] = Builtin(name, overloads)
    return b


def _choose(b: Builtin, args: list[Any], named: list[tuple[str, Any]] | None) -> tuple[Overload, list[Any]] | None:
    if named is None:
        n = len(args)
        for o in b.overloads:
            if o.required <= n and (o.varargs or n <= len(o.params)):
                return o, args
        return None
    given = dict(named)
    for o in b.overloads:
        if set(given) <= set(o.params) and all(p in given for p in o.params[: o.required]):
            last = max(o.params.index(k) for k in given) if given else -1
            return o, [given.get(p) for p in o.params[: last + 1]]
    return None


_SUPPRESSED = (
    re.error,
    TypeError,
    ValueError,
    ArithmeticError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    UnicodeError,
    RecursionError,
)


def call_function(ctx: EvalContext, fn: FeelFunction, args: list[Any], named: list[tuple[str, Any]] | None) -> Any:
    if isinstance(fn, Builtin):
        chosen = _choose(fn, args, named)
        if chosen is None:
            ctx.fail(f"no function found with name '{fn.name}' and {len(args or named or [])} parameters")
            return None
        o, values = chosen
        # charge the work before doing it (a join of huge strings), check what was built after
        ctx.budget.spend(1 + weight(values) // 64)
        try:
            return check_size(o.fn(ctx, *values) if o.needs_ctx else o.fn(*values))
        except EvalFailure:
            raise
        except _SUPPRESSED as e:
            ctx.fail(f"failed to invoke function '{fn.name}': {e}")
            return None
    if named is not None:
        unknown = [k for k, _ in named if k not in fn.params]
        if unknown:
            ctx.fail(f"function has no parameter named '{unknown[0]}'")
            return None
        given = dict(named)
        args = [given.get(p) for p in fn.params]
    elif len(args) > len(fn.params):
        ctx.fail(f"expected {len(fn.params)} arguments but got {len(args)}")
        return None
    return fn.impl(ctx, args)


# importing the families fills REGISTRY
from . import (  # noqa: E402
    boolean,
    context_fns,
    conversion,
    lists,
    numeric,
    ranges,
    strings,
    temporal_fns,
)

__all__ = [
    "Builtin",
    "boolean",
    "call_function",
    "context_fns",
    "conversion",
    "lists",
    "numeric",
    "ranges",
    "resolve_builtin",
    "strings",
    "temporal_fns",
]
