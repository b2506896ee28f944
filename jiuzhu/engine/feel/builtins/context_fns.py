"""Context built-ins."""

from __future__ import annotations

from typing import Any

from ._registry import ArgError, builtin, ctx_arg, lst, text


@builtin("get value", "context, key")
def get_value(context: Any, key: Any) -> Any:
    c = ctx_arg(context)
    if type(key) is list:
        cur: Any = c
        for k in key:
            if type(cur) is not dict:
                return None
            cur = cur.get(text(k))
        return cur
    return c.get(text(key))


@builtin("get entries", "context")
def get_entries(context: Any) -> list[dict[str, Any]]:
    return [{"key": k, "value": v} for k, v in ctx_arg(context).items()]


def _put(c: dict[str, Any], keys: list[str], value: Any) -> dict[str, Any]:
    out = dict(c)
    if len(keys) == 1:
        out[keys[0]] = value
        return out
    inner = out.get(keys[0])
    out[keys[0]] = _put(inner if type(inner) is dict else {}, keys[1:], value)
    return out


@builtin("context put", "context, key, value")
def context_put(context: Any, key: Any, value: Any) -> dict[str, Any]:
    keys = [text(k) for k in lst(key)] if type(key) is list else [text(key)]
    if not keys:
        raise ArgError("keys must not be empty")
    return _put(ctx_arg(context), keys, value)


@builtin("context merge", "contexts", varargs=True)
def context_merge(*contexts: Any) -> dict[str, Any]:
    items = contexts[0] if len(contexts) == 1 and type(contexts[0]) is list else contexts
    out: dict[str, Any] = {}
    for c in items:
        out.update(ctx_arg(c))
    return out


@builtin("put all", "contexts", varargs=True)
def put_all(*contexts: Any) -> dict[str, Any]:
    return context_merge(*contexts)
