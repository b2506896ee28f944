"""Variables are checked at the door: a JSON object the engine can store, hand out and evaluate.

Refused with INVALID_ARGUMENT before anything reaches the engine lock: text that is not a JSON
object, NaN and Infinity, numbers outside int64 or the float range (what FEEL and every Zeebe client
round-trip), lone surrogates (they cannot be encoded as UTF-8, so every later ActivateJobs with the
job would fail), documents nested deeper than ``MAX_DEPTH`` or larger than ``MAX_DOCUMENT_BYTES``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from jiuzhu.engine.errors import EngineError, invalid

MAX_DOCUMENT_BYTES = 4 * 1024 * 1024  # Zeebe's default maximum message size
MAX_DEPTH = 64
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_MAX_INT_DIGITS = 20  # a longer literal is outside int64 whatever its digits


class _Refused(ValueError):
    pass


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _Refused(f"the number {text[:24]}… is outside the 64-bit integer range")
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise _Refused(f"the number {text} is outside the 64-bit integer range")
    return value


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text[:24]} is outside the range of a double")
    return value


def _parse_constant(text: str) -> Any:
    raise _Refused(f"{text} is not a JSON number")


def parse_document(text: str, what: str = "variables") -> dict[str, Any]:
    """An empty string or a JSON object (as Zeebe accepts them), checked; else INVALID_ARGUMENT."""
    if not text or not text.strip():
        return {}
    if len(text) > MAX_DOCUMENT_BYTES:  # characters ≤ bytes: a cheap first bound before parsing
        raise _too_large(what)
    try:
        value = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except _Refused as err:
        raise invalid(f"Property '{what}' is invalid: {err}") from None
    except json.JSONDecodeError as err:
        raise invalid(
            f"Property '{what}' is invalid: expected a JSON document, but: {err.msg} at character {err.pos}"
        ) from None
    except RecursionError:
        raise _too_deep(what) from None
    if not isinstance(value, dict):
        shown = text[:60].encode("utf-8", "replace").decode("utf-8")
        raise invalid(f"Property '{what}' is invalid: expected document to be a root level object, but was '{shown}'")
    return check_document(value, what)


def check_document(value: Any, what: str = "variables") -> dict[str, Any]:
    """``value`` (already parsed, e.g. by the REST layer) as a storable JSON object, or INVALID_ARGUMENT."""
    if not isinstance(value, dict):
        raise invalid(f"Property '{what}' is invalid: expected document to be a root level object")
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > MAX_DEPTH:
                raise _too_deep(what)
            for key, inner in item.items():
                if not isinstance(key, str):
                    raise invalid(f"Property '{what}' is invalid: object keys must be strings")
                _check_text(key, what)
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            if depth > MAX_DEPTH:
                raise _too_deep(what)
            stack.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str):
            _check_text(item, what)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                raise invalid(f"Property '{what}' is invalid: a number is outside the 64-bit integer range")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise invalid(f"Property '{what}' is invalid: NaN and Infinity are not JSON numbers")
        else:
            raise invalid(f"Property '{what}' is invalid: {type(item).__name__} is not a JSON value")
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > MAX_DOCUMENT_BYTES:
        raise _too_large(what)
    return value


def _check_text(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(
            f"Property '{what}' is invalid: a string holds a lone surrogate (\\ud800-\\udfff), not Unicode text"
        ) from None


def _too_deep(what: str) -> EngineError:
    return invalid(f"Property '{what}' is invalid: the document nests deeper than {MAX_DEPTH} levels")


def _too_large(what: str) -> EngineError:
    return invalid(f"Property '{what}' is invalid: the document is larger than {MAX_DOCUMENT_BYTES} bytes")
