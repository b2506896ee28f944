"""List built-ins."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..context import EvalContext
from ..ops import compare, equal
from ..values import D128, FeelFunction, is_number
from ._registry import ArgError, boolean, builtin, integer, items_or_varargs, lst, num


def _contains(items: list[Any], x: Any) -> bool:
    return any(equal(i, x) is True for i in items)


@builtin("list contains", "list, element")
def list_contains(items: Any, element: Any) -> bool:
    return _contains(lst(items), element)


@builtin("count", "list")
def count(items: Any) -> int:
    return len(lst(items))


def _extreme(args: tuple[Any, ...], sign: int) -> Any:
    items = items_or_varargs(args)
    if not items:
        return None
    best = items[0]
    for x in items[1:]:
        c = compare(x, best)
        if c is None:
            raise ArgError("values are not comparable")
        if c * sign > 0:
            best = x
    if compare(best, best) is None:
        raise ArgError("values are not comparable")
    return best


@builtin("min", "list", varargs=True)
def min_(*args: Any) -> Any:
    return _extreme(args, -1)


@builtin("max", "list", varargs=True)
def max_(*args: Any) -> Any:
    return _extreme(args, 1)


def _numbers(args: tuple[Any, ...]) -> list[Any]:
    return [num(x) for x in items_or_varargs(args)]


@builtin("sum", "list", varargs=True)
def sum_(*args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    total: Any = 0
    for x in items:
        total = total + x if type(total) is int and type(x) is int else D128.add(total, x)
    return total


@builtin("product", "list", varargs=True)
def product(*args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    total: Any = 1
    for x in items:
        total = total * x if type(total) is int and type(x) is int else D128.multiply(total, x)
    return total


@builtin("mean", "list", varargs=True)
def mean(*args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    total = sum_(items)
    return D128.divide(total, len(items))


@builtin("median", "list", varargs=True)
def median(*args: Any) -> Any:
    items = sorted(_numbers(args))
    if not items:
        return None
    mid = len(items) // 2
    if len(items) % 2:
        return items[mid]
    return D128.divide(D128.add(items[mid - 1], items[mid]), 2)


@builtin("stddev", "list", varargs=True)
def stddev(*args: Any) -> Any:
    items = _numbers(args)
    if len(items) < 2:
        return None
    m = D128.divide(sum_(items), len(items))
    sq = Decimal(0)
    for x in items:
        d = D128.subtract(x, m)
        sq = D128.add(sq, D128.multiply(d, d))
    return D128.sqrt(D128.divide(sq, len(items) - 1))


@builtin("mode", "list", varargs=True)
def mode(*args: Any) -> list[Any]:
    items = _numbers(args)
    counts: dict[Any, int] = {}
    for x in items:
        counts[x] = counts.get(x, 0) + 1
    if not counts:
        return []
    top = max(counts.values())
    return sorted(k for k, c in counts.items() if c == top)


def _all(args: tuple[Any, ...]) -> Any:
    items = items_or_varargs(args)
    if any(x is False for x in items):
        return False
    if all(x is True for x in items):
        return True
    return None


def _any(args: tuple[Any, ...]) -> Any:
    items = items_or_varargs(args)
    if any(x is True for x in items):
        return True
    if all(x is False for x in items):
        return False
    return None


@builtin("all", "list", varargs=True)
def all_(*args: Any) -> Any:
    return _all(args)


@builtin("and", "list", varargs=True)
def and_(*args: Any) -> Any:
    return _all(args)


@builtin("any", "list", varargs=True)
def any_(*args: Any) -> Any:
    return _any(args)


@builtin("or", "list", varargs=True)
def or_(*args: Any) -> Any:
    return _any(args)


@builtin("sublist", "list, start position, length?")
def sublist(items: Any, start: Any, length: Any = None) -> list[Any]:
    xs = lst(items)
    i = integer(start)
    n = len(xs)
    if i == 0 or abs(i) > n:
        raise IndexError("start position out of range")
    begin = i - 1 if i > 0 else n + i
    if length is None:
        return xs[begin:]
    size = integer(length)
    if size < 0 or begin + size > n:
        raise IndexError("length out of range")
    return xs[begin : begin + size]


@builtin("append", "list, items", varargs=True)
def append(items: Any, *more: Any) -> list[Any]:
    return [*lst(items), *more]


@builtin("concatenate", "lists", varargs=True)
def concatenate(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for x in lists:
        out.extend(lst(x))
    return out


@builtin("insert before", "list, position, newItem")
def insert_before(items: Any, position: Any, new_item: Any) -> list[Any]:
    xs = list(lst(items))
    i = integer(position)
    n = len(xs)
    if i == 0 or abs(i) > n:
        raise IndexError("position out of range")
    xs.insert(i - 1 if i > 0 else n + i, new_item)
    return xs


@builtin("remove", "list, position")
def remove(items: Any, position: Any) -> list[Any]:
    xs = list(lst(items))
    i = integer(position)
    n = len(xs)
    if i == 0 or abs(i) > n:
        raise IndexError("position out of range")
    del xs[i - 1 if i > 0 else n + i]
    return xs


@builtin("reverse", "list")
def reverse(items: Any) -> list[Any]:
    return list(reversed(lst(items)))


@builtin("index of", "list, match")
def index_of(items: Any, match: Any) -> list[int]:
    return [i + 1 for i, x in enumerate(lst(items)) if equal(x, match) is True]


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if not _contains(out, x):
            out.append(x)
    return out


@builtin("union", "lists", varargs=True)
def union(*lists: Any) -> list[Any]:
    return _distinct(concatenate(*lists))


@builtin("distinct values", "list")
def distinct_values(items: Any) -> list[Any]:
    return _distinct(lst(items))


@builtin("duplicate values", "list")
def duplicate_values(items: Any) -> list[Any]:
    xs = lst(items)
    out: list[Any] = []
    for i, x in enumerate(xs):
        if _contains(xs[i + 1 :], x) and not _contains(out, x):
            out.append(x)
    return out


def _flatten(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if type(x) is list:
            out.extend(_flatten(x))
        else:
            out.append(x)
    return out


@builtin("flatten", "list")
def flatten(items: Any) -> list[Any]:
    return _flatten(lst(items))


@builtin("sort", "list, precedes", needs_ctx=True)
def sort(ctx: EvalContext, items: Any, precedes: Any) -> list[Any]:
    from functools import cmp_to_key

    from . import call_function

    xs = lst(items)
    if not isinstance(precedes, FeelFunction):
        raise ArgError("expected a function as 'precedes'")

    def cmp(a: Any, b: Any) -> int:
        if call_function(ctx, precedes, [a, b], None) is True:
            return -1
        if call_function(ctx, precedes, [b, a], None) is True:
            return 1
        return 0

    return sorted(xs, key=cmp_to_key(cmp))


@builtin("sort", "list")
def sort_natural(items: Any) -> list[Any]:
    from functools import cmp_to_key

    xs = lst(items)

    def cmp(a: Any, b: Any) -> int:
        c = compare(a, b)
        if c is None:
            raise ArgError("values are not comparable")
        return c

    return sorted(xs, key=cmp_to_key(cmp))


@builtin("is empty", "list")
def is_empty(items: Any) -> bool:
    return len(lst(items)) == 0


@builtin("partition", "list, size")
def partition(items: Any, size: Any) -> list[list[Any]]:
    xs = lst(items)
    n = integer(size)
    if n <= 0:
        raise ValueError("size must be positive")
    return [xs[i : i + n] for i in range(0, len(xs), n)]


__all__ = ["boolean", "is_number"]
