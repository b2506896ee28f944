"""Turns the syntax tree into nested Python closures once, so evaluation is plain function calls."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from . import ast as A
from . import ops
from .builtins import call_function, resolve_builtin
from .context import MISSING, Scope
from .limits import MAX_ITEMS, LimitExceeded, check_size
from .properties import get_property
from .values import FeelFunction, Range, is_number, kind

Eval = Callable[[Scope], Any]

_TYPE_ALIASES = {"Any": "any", "Null": "null", "days and time duration": "days and time duration"}


def compile_node(node: A.Node) -> Eval:
    method = _COMPILERS.get(type(node))
    if method is None:  # pragma: no cover - the parser only builds known nodes
        raise TypeError(f"unknown node {type(node).__name__}")
    return method(node)


def _lit(node: A.Lit) -> Eval:
    value = node.value
    return lambda s: value


def _name(node: A.Name) -> Eval:
    name = node.name

    def ev(s: Scope) -> Any:
        v = s.lookup(name)
        if v is MISSING:
            s.ctx.fail(f"no variable found for name '{name}'")
            return None
        return v

    return ev


def _input(node: A.InputValue) -> Eval:
    return _name(A.Name(node.pos, "?"))


def _neg(node: A.Neg) -> Eval:
    f = compile_node(node.operand)
    return lambda s: ops.negate(f(s))


def _arith(node: A.Arith) -> Eval:
    op = ops.ARITHMETIC[node.op]
    left, right = compile_node(node.left), compile_node(node.right)
    symbol = node.op

    def ev(s: Scope) -> Any:
        a = left(s)
        b = right(s)
        try:
            r = op(a, b)
        except (ArithmeticError, ValueError, OverflowError):
            r = None
        if r is None and (a is not None and b is not None):
            s.ctx.fail(f"can't apply '{symbol}' to {kind(a)} and {kind(b)}")
        return check_size(r)

    return ev


def _compare(node: A.Compare) -> Eval:
    op = ops.COMPARISONS[node.op]
    left, right = compile_node(node.left), compile_node(node.right)
    if node.op in ("<", ">", "<=", ">=") and type(node.right) is A.Lit and is_number(node.right.value):
        # fast path for the typical gateway condition `amount > 1000`
        const = node.right.value
        sym = node.op

        def ev_const(s: Scope) -> Any:
            a = left(s)
            t = type(a)
            if t is int or t is Decimal:
                if sym == ">":
                    return a > const
                if sym == "<":
                    return a < const
                if sym == ">=":
                    return a >= const
                return a <= const
            return None

        return ev_const
    return lambda s: op(left(s), right(s))


def _and(node: A.And) -> Eval:
    left, right = compile_node(node.left), compile_node(node.right)

    def ev(s: Scope) -> Any:
        a = left(s)
        if a is False:
            return False
        b = right(s)
        if b is False:
            return False
        if a is True and b is True:
            return True
        return None

    return ev


def _or(node: A.Or) -> Eval:
    left, right = compile_node(node.left), compile_node(node.right)

    def ev(s: Scope) -> Any:
        a = left(s)
        if a is True:
            return True
        b = right(s)
        if b is True:
            return True
        if a is False and b is False:
            return False
        return None

    return ev


def _if(node: A.If) -> Eval:
    c, t, e = compile_node(node.cond), compile_node(node.then), compile_node(node.other)
    return lambda s: t(s) if c(s) is True else e(s)


def _iteration_values(s: Scope, value: Any) -> list[Any] | None:
    if type(value) is list:
        return value
    if type(value) is Range:
        if type(value.start) is int and type(value.end) is int:
            lo, hi = value.start, value.end
            step = 1 if hi >= lo else -1
            if not value.start_incl:
                lo += step
            if not value.end_incl:
                hi -= step
            if abs(hi - lo) >= MAX_ITEMS:
                raise LimitExceeded(f"a range of more than {MAX_ITEMS} items to iterate")
            s.ctx.budget.spend(abs(hi - lo) + 1)
            return list(range(lo, hi + step, step))
        s.ctx.fail("can only iterate over a range of integers")
        return None
    if value is None:
        s.ctx.fail("can't iterate over null")
        return None
    return [value]


def _for(node: A.For) -> Eval:
    names = [n for n, _ in node.iterators]
    domains = [compile_node(d) for _, d in node.iterators]
    body = compile_node(node.body)

    def ev(s: Scope) -> Any:
        results: list[Any] = []

        def loop(i: int, scope: Scope) -> bool:
            if i == len(names):
                s.ctx.budget.spend()
                results.append(body(scope.child({"partial": results})))
                check_size(results)
                return True
            values = _iteration_values(scope, domains[i](scope))
            if values is None:
                return False
            return all(loop(i + 1, scope.child({names[i]: v})) for v in values)

        return results if loop(0, s) else None

    return ev


def _quantified(node: A.Quantified) -> Eval:
    names = [n for n, _ in node.iterators]
    domains = [compile_node(d) for _, d in node.iterators]
    cond = compile_node(node.cond)
    every = node.every

    def ev(s: Scope) -> Any:
        outcomes: list[Any] = []

        def loop(i: int, scope: Scope) -> bool:
            if i == len(names):
                s.ctx.budget.spend()
                outcomes.append(cond(scope))
                return True
            values = _iteration_values(scope, domains[i](scope))
            if values is None:
                return False
            return all(loop(i + 1, scope.child({names[i]: v})) for v in values)

        if not loop(0, s):
            return None
        if every:
            return all(o is True for o in outcomes)
        return any(o is True for o in outcomes)

    return ev


def _between(node: A.Between) -> Eval:
    v, lo, hi = compile_node(node.value), compile_node(node.low), compile_node(node.high)

    def ev(s: Scope) -> Any:
        x = v(s)
        a = ops.less_eq(lo(s), x)
        b = ops.less_eq(x, hi(s))
        if a is False or b is False:
            return False
        if a is True and b is True:
            return True
        return None

    return ev


def instance_of(value: Any, type_name: str) -> bool:
    t = _TYPE_ALIASES.get(type_name, type_name)
    if t == "any":
        return value is not None
    return kind(value) == t


def _instance_of(node: A.InstanceOf) -> Eval:
    v = compile_node(node.value)
    t = node.type_name
    return lambda s: instance_of(v(s), t)


def _path(node: A.Path) -> Eval:
    target = compile_node(node.target)
    key = node.key

    def get(s: Scope, value: Any) -> Any:
        t = type(value)
        if t is dict:
            r = value.get(key, MISSING)
            if r is MISSING:
                s.ctx.fail(f"no context entry found with key '{key}'")
                return None
            return r
        if t is list:
            # a path on a list maps over its items (feel-scala), reaching into nested lists
            s.ctx.budget.spend(len(value))
            return [get(s, item) for item in value]
        if value is None:
            return None
        r = get_property(value, key)
        if r is MISSING:
            s.ctx.fail(f"no property found with name '{key}' of value {kind(value)}")
            return None
        return r

    return lambda s: get(s, target(s))


def _static_index(node: A.Node) -> int | Decimal | None:
    if type(node) is A.Lit and is_number(node.value):
        return node.value
    return None


def _index(lst: list[Any], i: Any) -> Any:
    if type(i) is Decimal:
        if i != i.to_integral_value():
            return None
        i = int(i)
    n = len(lst)
    if 1 <= i <= n:
        return lst[i - 1]
    if -n <= i <= -1:
        return lst[n + i]
    return None


def _filter(node: A.Filter) -> Eval:
    target = compile_node(node.target)
    cond = compile_node(node.cond)
    static = _static_index(node.cond)

    def item_scope(s: Scope, item: Any) -> Scope:
        base = s.child(item) if type(item) is dict else s
        return base.child({"item": item})

    def ev(s: Scope) -> Any:
        lst = target(s)
        if lst is None:
            return None
        if type(lst) is not list:
            lst = [lst]
        if static is not None:
            return _index(lst, static)
        if not lst:
            return []
        s.ctx.budget.spend(len(lst))
        first = cond(item_scope(s, lst[0]))
        if is_number(first):
            return _index(lst, first)
        out = [lst[0]] if first is True else []
        for item in lst[1:]:
            if cond(item_scope(s, item)) is True:
                out.append(item)
        return out

    return ev


def _call(node: A.Call) -> Eval:
    args = [compile_node(a) for a in node.args]
    named = [(k, compile_node(v)) for k, v in node.named] if node.named is not None else None
    fn_node = node.function
    if type(fn_node) is A.Name:
        name = fn_node.name
        builtin = resolve_builtin(name)

        def ev_named(s: Scope) -> Any:
            fn = s.lookup(name) if name != "@" else MISSING
            if fn is MISSING or not isinstance(fn, FeelFunction):
                if builtin is None:
                    s.ctx.fail(f"no function found with name '{name}'")
                    return None
                fn = builtin
            return call_function(
                s.ctx, fn, [a(s) for a in args], None if named is None else [(k, v(s)) for k, v in named]
            )

        return ev_named
    target = compile_node(fn_node)

    def ev(s: Scope) -> Any:
        fn = target(s)
        if not isinstance(fn, FeelFunction):
            s.ctx.fail(f"expected a function but found {kind(fn)}")
            return None
        return call_function(s.ctx, fn, [a(s) for a in args], None if named is None else [(k, v(s)) for k, v in named])

    return ev


def _function_def(node: A.FunctionDef) -> Eval:
    params = list(node.params)
    body = compile_node(node.body)

    def ev(s: Scope) -> Any:
        def impl(ctx: Any, call_args: list[Any]) -> Any:
            ctx.budget.spend()  # recursion through user functions is paid for too
            return body(s.child(dict(zip(params, call_args, strict=False))))

        return FeelFunction(params, impl)

    return ev


def _list(node: A.ListLit) -> Eval:
    items = [compile_node(i) for i in node.items]

    def ev(s: Scope) -> Any:
        s.ctx.budget.spend(len(items))
        return [i(s) for i in items]

    return ev


def _context(node: A.ContextLit) -> Eval:
    entries = [(k, compile_node(v)) for k, v in node.entries]

    def ev(s: Scope) -> Any:
        out: dict[str, Any] = {}
        inner = s.child(out)  # later entries may refer to earlier ones
        for k, f in entries:
            out[k] = f(inner)
        return out

    return ev


def _range(node: A.RangeLit) -> Eval:
    start = compile_node(node.start) if node.start is not None else None
    end = compile_node(node.end) if node.end is not None else None
    si, ei = node.start_incl, node.end_incl

    def ev(s: Scope) -> Any:
        a = start(s) if start is not None else None
        b = end(s) if end is not None else None
        if a is not None and b is not None and kind(a) != kind(b):
            s.ctx.fail(f"range bounds must have the same type, got {kind(a)} and {kind(b)}")
            return None
        return Range(a, b, si, ei)

    return ev


def _test(node: A.Node, unary: bool) -> Callable[[Scope, Any], Any]:
    """A single positive unary test, as a predicate on the input value."""
    if type(node) is A.UCompare:
        op = ops.COMPARISONS[node.op]
        operand = compile_node(node.operand)
        return lambda s, x: op(x, operand(s))
    assert type(node) is A.UExpr
    expr = compile_node(node.expr)

    def test(s: Scope, x: Any) -> Any:
        v = expr(s)
        tv = type(v)
        if tv is bool and unary and type(x) is not bool:
            return v
        if tv is list:
            if type(x) is list and ops.equal(x, v) is True:
                return True
            return any(ops.equal(x, item) is True for item in v)
        if tv is Range:
            return ops.in_range(v, x)
        return ops.equal(x, v)

    return test


def _in(node: A.In) -> Eval:
    value = compile_node(node.value)
    tests = [_test(t, node.unary) for t in node.tests]
    unary = node.unary

    def ev(s: Scope) -> Any:
        x = value(s)
        if unary:
            s = s.child({"?": x})
        result: Any = False
        for t in tests:
            r = t(s, x)
            if r is True:
                return True
            if r is None:
                result = None
        return result

    return ev


def _unot(node: A.UNot) -> Eval:
    inner = _in(A.In(node.pos, A.InputValue(node.pos), node.tests, True))

    def ev(s: Scope) -> Any:
        r = inner(s)
        return None if r is None else not r

    return ev


def _uany(node: A.UAny) -> Eval:
    return lambda s: True


_COMPILERS: dict[type, Callable[[Any], Eval]] = {
    A.Lit: _lit,
    A.Name: _name,
    A.InputValue: _input,
    A.Neg: _neg,
    A.Arith: _arith,
    A.Compare: _compare,
    A.And: _and,
    A.Or: _or,
    A.If: _if,
    A.For: _for,
    A.Quantified: _quantified,
    A.Between: _between,
    A.InstanceOf: _instance_of,
    A.Path: _path,
    A.Filter: _filter,
    A.Call: _call,
    A.FunctionDef: _function_def,
    A.ListLit: _list,
    A.ContextLit: _context,
    A.RangeLit: _range,
    A.In: _in,
    A.UNot: _unot,
    A.UAny: _uany,
}
