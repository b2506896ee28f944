"""Filter properties, sorting and pages as Camunda 8.8 search endpoints define them.

A filter property is a plain value (equality) or an operator object: ``$eq``, ``$neq``,
``$exists``, ``$in``, ``$notIn``, ``$like`` (``*`` and ``?`` wildcards) and, for numbers and
dates, ``$gt``/``$gte``/``$lt``/``$lte``. On a list field (candidate groups) a property matches when
any element does. Pages take ``from`` + ``limit`` or a cursor (``after``/``before``) taken from a
previous answer's ``endCursor``/``startCursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from jiuzhu.engine_rest.problems import bad_request
from jiuzhu.engine_rest.shapes import PageRequest, SortField

Kind = Literal["str", "int", "key", "date"]
_ORDERED = {"$gt", "$gte", "$lt", "$lte"}


def parse_instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise bad_request(f"'{value}' is not an ISO 8601 date-time") from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _normalise(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind == "key" or kind == "int":
        if isinstance(value, bool):
            raise bad_request(f"expected a number, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError) as err:
            raise bad_request(f"expected a number, got {value!r}") from err
    if kind == "date":
        return parse_instant(value)
    return str(value)


def _like(pattern: str) -> re.Pattern[str]:
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts), re.DOTALL)


def _one(op: str, expected: Any, actual: Any, kind: Kind) -> bool:
    if op == "$exists":
        return (actual is not None) == bool(expected)
    if actual is None:
        return op in ("$neq", "$notIn")
    if op == "$eq":
        return bool(actual == _normalise(expected, kind))
    if op == "$neq":
        return bool(actual != _normalise(expected, kind))
    if op in ("$in", "$notIn"):
        if not isinstance(expected, list):
            raise bad_request(f"{op} takes a list")
        found = actual in [_normalise(v, kind) for v in expected]
        return found if op == "$in" else not found
    if op == "$like":
        return _like(str(expected)).fullmatch(str(actual)) is not None
    if op in _ORDERED:
        if kind == "str":
            raise bad_request(f"{op} applies to numbers and dates only")
        bound = _normalise(expected, kind)
        return bool(
            {"$gt": actual > bound, "$gte": actual >= bound, "$lt": actual < bound, "$lte": actual <= bound}[op]
        )
    raise bad_request(f"unknown filter operator {op}")


def matches(prop: Any, actual: Any, kind: Kind = "str") -> bool:
    """Does ``actual`` (a value, None, or a list of values) satisfy the filter property?"""
    if prop is None:
        return True
    if kind == "str" and not isinstance(prop, dict):  # plain equality on text: the common case, kept cheap
        expected = str(prop)
        if isinstance(actual, list):
            return any(v is not None and str(v) == expected for v in actual)
        return actual is not None and str(actual) == expected
    ops: dict[str, Any] = prop if isinstance(prop, dict) else {"$eq": prop}
    if isinstance(actual, list):
        values = [_normalise(v, kind) for v in actual]
        result = True
        for op, expected in ops.items():
            if op == "$exists":
                result &= bool(values) == bool(expected)
            elif op in ("$neq", "$notIn"):
                result &= all(_one(op, expected, v, kind) for v in values)
            else:
                result &= any(_one(op, expected, v, kind) for v in values)
        return result
    value = _normalise(actual, kind)
    return all(_one(op, expected, value, kind) for op, expected in ops.items())


# ---------------------------------------------------------------------------------- sort & page


@dataclass(frozen=True)
class SortSpec:
    fields: list[tuple[str, bool]]  # (field, descending)

    @classmethod
    def build(cls, sort: Sequence[SortField], allowed: set[str], tiebreak: str) -> SortSpec:
        fields = []
        for item in sort:
            if item.field not in allowed:
                raise bad_request(f"cannot sort by '{item.field}'; allowed: {', '.join(sorted(allowed))}")
            fields.append((item.field, item.order.upper() == "DESC"))
        fields.append((tiebreak, False))
        return cls(fields)


def _cmp_values(a: Any, b: Any, descending: bool) -> int:
    # Missing values sort last in either direction.
    if a is None or b is None:
        return 0 if a is b else (1 if a is None else -1)
    if a == b:
        return 0
    less = a < b
    return (-1 if less else 1) * (-1 if descending else 1)


def _comparator(spec: SortSpec) -> Callable[[list[Any], list[Any]], int]:
    def compare(a: list[Any], b: list[Any]) -> int:
        for (_, descending), x, y in zip(spec.fields, a, b, strict=True):
            result = _cmp_values(x, y, descending)
            if result:
                return result
        return 0

    return compare


def _encode_cursor(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, ensure_ascii=False).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, spec: SortSpec, kinds: dict[str, Kind]) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as err:
        raise bad_request("the page cursor is not valid") from err
    if not isinstance(raw, list) or len(raw) != len(spec.fields):
        raise bad_request("the page cursor does not belong to this sort order")
    return [_normalise(v, kinds.get(name, "str")) for (name, _), v in zip(spec.fields, raw, strict=True)]


def sort_pairs(pairs: list[tuple[list[Any], Any]], spec: SortSpec) -> list[tuple[list[Any], Any]]:
    """Sort (sort values, row) pairs by ``spec``: one stable pass per field, last field first.

    Equivalent to sorting with ``_comparator`` (missing values last in either direction), but with
    key functions instead of a Python comparison per pair: 10,000 rows sort in milliseconds.
    """
    ordered = list(pairs)
    for index in reversed(range(len(spec.fields))):
        if spec.fields[index][1]:
            ordered.sort(key=lambda kv: (kv[0][index] is not None, kv[0][index]), reverse=True)
        else:
            ordered.sort(key=lambda kv: (kv[0][index] is None, kv[0][index]))
    return ordered


@dataclass
class Page:
    items: list[Any]
    total: int
    start_cursor: str | None
    end_cursor: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "page": {
                "totalItems": self.total,
                "startCursor": self.start_cursor,
                "endCursor": self.end_cursor,
                "hasMoreTotalItems": False,
            },
        }


def paginate(
    rows: Sequence[Any],
    sort_values: Callable[[Any], list[Any]],
    spec: SortSpec,
    page: PageRequest,
    kinds: dict[str, Kind],
    render: Callable[[Any], Any] = lambda r: r,
) -> Page:
    """Sort ``rows`` by ``spec`` and cut one page: offset (``from``) or cursor (``after``/``before``).

    Only the rows of the page are passed to ``render``."""
    if page.after and page.before:
        raise bad_request("page.after and page.before are mutually exclusive")
    if page.from_ is not None and (page.after or page.before):
        raise bad_request("page.from cannot be combined with page.after or page.before")
    compare = _comparator(spec)
    keyed = sort_pairs([(sort_values(r), r) for r in rows], spec)
    if page.after is not None:
        mark = _decode_cursor(page.after, spec, kinds)
        chosen = [kv for kv in keyed if compare(kv[0], mark) > 0][: page.limit]
    elif page.before is not None:
        mark = _decode_cursor(page.before, spec, kinds)
        chosen = [kv for kv in keyed if compare(kv[0], mark) < 0][-page.limit :]
    else:
        start = page.from_ or 0
        chosen = keyed[start : start + page.limit]
    return Page(
        items=[render(r) for _, r in chosen],
        total=len(rows),
        start_cursor=_encode_cursor(chosen[0][0]) if chosen else None,
        end_cursor=_encode_cursor(chosen[-1][0]) if chosen else None,
    )
