"""Where built-in functions register themselves, and argument checks they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..values import Range


@dataclass(slots=True)
class Overload:
    params: list[str]
    required: int
    fn: Callable[..., Any]
    varargs: bool
    needs_ctx: bool


REGISTRY: dict[str, list[Overload]] = {}


def builtin(
    name: str, params: str = "", *, varargs: bool = False, needs_ctx: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `fn` as FEEL built-in `name`. `params` is "a, b, c?" (a trailing ? = optional)."""
    names = [p.strip() for p in params.split(",") if p.strip()]
    required = sum(1 for p in names if not p.endswith("?"))
    clean = [p.rstrip("?") for p in names]

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY.setdefault(name, []).append(Overload(clean, required, fn, varargs, needs_ctx))
        return fn

    return deco


class ArgError(TypeError):
    """An argument of the wrong type: the call yields null (feel-scala suppresses it)."""


def num(v: Any) -> int | Decimal:
    t = type(v)
    if t is int or t is Decimal:
        return v
    raise ArgError(f"expected number but found {v!r}")


def integer(v: Any) -> int:
    n = num(v)
    if type(n) is Decimal:
        if n != n.to_integral_value():
            raise ArgError(f"expected an integer but found {n}")
        return int(n)
    return int(n)


def text(v: Any) -> str:
    if type(v) is str:
        return v
    raise ArgError(f"expected string but found {v!r}")


def lst(v: Any) -> list[Any]:
    if type(v) is list:
        return v
    raise ArgError(f"expected list but found {v!r}")


def boolean(v: Any) -> bool:
    if type(v) is bool:
        return v
    raise ArgError(f"expected boolean but found {v!r}")


def ctx_arg(v: Any) -> dict[str, Any]:
    if type(v) is dict:
        return v
    raise ArgError(f"expected context but found {v!r}")


def rng(v: Any) -> Range:
    if type(v) is Range:
        return v
    raise ArgError(f"expected range but found {v!r}")


def items_or_varargs(args: tuple[Any, ...]) -> list[Any]:
    """`sum([1, 2])` and `sum(1, 2)` both work."""
    if len(args) == 1 and type(args[0]) is list:
        return args[0]
    return list(args)
