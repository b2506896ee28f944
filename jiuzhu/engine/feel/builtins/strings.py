"""String built-ins."""

from __future__ import annotations

import base64
import re
import uuid as _uuid
from typing import Any

import regex

from ..context import EvalContext
from ._registry import builtin, integer, lst, text

# XPath regex flags (s, m, i, x) as regex flags; `q` (literal) is handled by escaping.
# Patterns run on the `regex` engine because it takes a timeout: `^(a|aa)+$` on a short input
# backtracks for ever in `re`, which cannot be stopped and would hold the engine lock.
_FLAGS = {"i": regex.IGNORECASE, "s": regex.DOTALL, "m": regex.MULTILINE, "x": regex.VERBOSE}


def _regex(pattern: str, flags: str | None) -> Any:
    f = 0
    for c in flags or "":
        if c == "q":
            pattern = regex.escape(pattern)
        elif c in _FLAGS:
            f |= _FLAGS[c]
        else:
            raise ValueError(f"unknown regex flag {c!r}")
    try:
        return regex.compile(pattern, f)
    except regex.error as err:
        raise ValueError(f"invalid regular expression: {err}") from None


def _bounded(ctx: EvalContext, run: Any) -> Any:
    try:
        return run(ctx.budget.regex_timeout())
    except TimeoutError:
        raise ctx.budget.regex_timed_out() from None


def _codepoints(s: str) -> int:
    return len(s)


@builtin("substring", "string, start position, length?")
def substring(string: Any, start: Any, length: Any = None) -> str:
    s = text(string)
    n = len(s)
    i = integer(start)
    begin = i - 1 if i > 0 else n + i
    begin = max(begin, 0)
    if length is None:
        return s[begin:]
    size = integer(length)
    if size < 0:
        raise ValueError("length must not be negative")
    return s[begin : begin + size]


@builtin("string length", "string")
def string_length(string: Any) -> int:
    return _codepoints(text(string))


@builtin("upper case", "string")
def upper_case(string: Any) -> str:
    return text(string).upper()


@builtin("lower case", "string")
def lower_case(string: Any) -> str:
    return text(string).lower()


@builtin("substring before", "string, match")
def substring_before(string: Any, match: Any) -> str:
    s, m = text(string), text(match)
    i = s.find(m)
    return s[:i] if i >= 0 else ""


@builtin("substring after", "string, match")
def substring_after(string: Any, match: Any) -> str:
    s, m = text(string), text(match)
    i = s.find(m)
    return s[i + len(m) :] if i >= 0 else ""


@builtin("replace", "input, pattern, replacement, flags?", needs_ctx=True)
def replace(ctx: EvalContext, input: Any, pattern: Any, replacement: Any, flags: Any = None) -> str:
    rx = _regex(text(pattern), None if flags is None else text(flags))
    # XPath uses $1 for groups; Python uses \1
    repl = re.sub(r"\$(\d+)", r"\\g<\1>", text(replacement).replace("\\", "\\\\"))
    return str(_bounded(ctx, lambda t: rx.sub(repl, text(input), timeout=t)))


@builtin("contains", "string, match")
def contains(string: Any, match: Any) -> bool:
    return text(match) in text(string)


@builtin("starts with", "string, match")
def starts_with(string: Any, match: Any) -> bool:
    return text(string).startswith(text(match))


@builtin("ends with", "string, match")
def ends_with(string: Any, match: Any) -> bool:
    return text(string).endswith(text(match))


@builtin("matches", "input, pattern, flags?", needs_ctx=True)
def matches(ctx: EvalContext, input: Any, pattern: Any, flags: Any = None) -> bool:
    rx = _regex(text(pattern), None if flags is None else text(flags))
    return _bounded(ctx, lambda t: rx.search(text(input), timeout=t)) is not None


@builtin("split", "string, delimiter", needs_ctx=True)
def split(ctx: EvalContext, string: Any, delimiter: Any) -> list[str]:
    rx = _regex(text(delimiter), None)
    return list(_bounded(ctx, lambda t: rx.split(text(string), timeout=t)))


@builtin("extract", "string, pattern", needs_ctx=True)
def extract(ctx: EvalContext, string: Any, pattern: Any) -> list[str]:
    rx = _regex(text(pattern), None)
    return [m.group(0) for m in _bounded(ctx, lambda t: list(rx.finditer(text(string), timeout=t)))]


@builtin("string join", "list, delimiter?, prefix?, suffix?")
def string_join(items: Any, delimiter: Any = None, prefix: Any = None, suffix: Any = None) -> str:
    parts = [text(x) for x in lst(items) if x is not None]
    d = "" if delimiter is None else text(delimiter)
    p = "" if prefix is None else text(prefix)
    s = "" if suffix is None else text(suffix)
    return p + d.join(parts) + s


@builtin("trim", "string")
def trim(string: Any) -> str:
    return text(string).strip()


@builtin("uuid")
def uuid() -> str:
    return str(_uuid.uuid4())


@builtin("to base64", "value")
def to_base64(value: Any) -> str:
    return base64.b64encode(text(value).encode("utf-8")).decode("ascii")


@builtin("is blank", "string")
def is_blank(string: Any) -> bool:
    return text(string).strip() == ""
