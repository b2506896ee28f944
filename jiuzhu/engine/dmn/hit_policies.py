"""From the outputs of the matched rules to the decision table result, per hit policy.

Semantics follow Zeebe's DMN engine (dmn-scala): one output column gives bare values, several give
contexts; single-result policies give one value, multi-result ones a list; aggregations work on a
single numeric column. The no-match case never reaches here (see evaluate.py: it yields null).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal, localcontext
from typing import Any

from jiuzhu.engine.feel import to_json

from .model import Aggregation, DecisionTable, HitPolicy, Output

Row = tuple[Any, ...]  # one matched rule's output values, aligned with the table's outputs


class HitPolicyViolation(Exception):
    """The matched rules do not fit the hit policy (or the aggregation); the decision fails."""


def apply_hit_policy(table: DecisionTable, rows: Sequence[Row]) -> Any:
    """Combine the output rows of the matched rules (in rule order) into the table's result."""
    policy = table.hit_policy
    outputs = table.outputs
    if policy is HitPolicy.FIRST:
        return _single(outputs, rows)
    if policy is HitPolicy.UNIQUE:
        if len(rows) > 1:
            raise HitPolicyViolation(
                f"multiple values aren't allowed for UNIQUE hit policy. found: '{_show(outputs, rows)}'"
            )
        return _single(outputs, rows)
    if policy is HitPolicy.ANY:
        distinct = _distinct(rows)
        if len(distinct) > 1:
            raise HitPolicyViolation(
                f"different values aren't allowed for ANY hit policy. found: '{_show(outputs, distinct)}'"
            )
        return _single(outputs, rows)
    if policy is HitPolicy.PRIORITY:
        return _single(outputs, sort_by_priority(outputs, rows))
    if policy is HitPolicy.OUTPUT_ORDER:
        return _multiple(outputs, sort_by_priority(outputs, rows))
    if policy is HitPolicy.RULE_ORDER:
        return _multiple(outputs, rows)
    # COLLECT
    aggregation = table.aggregation
    if aggregation is None:
        return _multiple(outputs, rows)
    if aggregation is Aggregation.COUNT:
        return len(rows)
    numbers = [_number(row[0]) for row in rows]
    if not numbers:
        return None
    if aggregation is Aggregation.MIN:
        return min(numbers)
    if aggregation is Aggregation.MAX:
        return max(numbers)
    return _sum(numbers)


def as_result(outputs: Sequence[Output], row: Row) -> Any:
    """One row as Zeebe shapes it: the bare value for one column, else a context by output name."""
    if len(outputs) == 1:
        return row[0]
    return {out.name or "": value for out, value in zip(outputs, row, strict=True)}


def sort_by_priority(outputs: Sequence[Output], rows: Sequence[Row]) -> list[Row]:
    """Order rows by the position of their values in each column's outputValues.

    Like dmn-scala: per column the position (or `_` when the value is not listed, or not a string
    or number) is turned into text, the texts are concatenated and rows are sorted stably by that
    string. With fewer than ten listed values per column this is plain priority order.
    """
    ranks = [{value: str(position) for position, value in enumerate(out.priorities)} for out in outputs]

    def key(row: Row) -> str:
        parts = []
        for rank, value in zip(ranks, row, strict=True):
            if isinstance(value, str):
                parts.append(rank.get(value, "_"))
            elif isinstance(value, int | Decimal) and not isinstance(value, bool):
                parts.append(rank.get(str(value), "_"))
            else:
                parts.append("_")
        return "".join(parts)

    return sorted(rows, key=key)


def _single(outputs: Sequence[Output], rows: Sequence[Row]) -> Any:
    return as_result(outputs, rows[0]) if rows else None


def _multiple(outputs: Sequence[Output], rows: Sequence[Row]) -> Any:
    if not rows:
        return None
    return [as_result(outputs, row) for row in rows]


def _distinct(rows: Sequence[Row]) -> list[Row]:
    distinct: list[Row] = []
    for row in rows:
        if not any(_same(row, seen) for seen in distinct):
            distinct.append(row)
    return distinct


def _same(a: Any, b: Any) -> bool:
    # bool is an int in Python but not a number in FEEL: true must not equal 1
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except TypeError:
        return False


def _number(value: Any) -> int | Decimal:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return value
    raise HitPolicyViolation(f"expected number but found '{_text(value)}'")


def _sum(numbers: list[int | Decimal]) -> int | Decimal:
    with localcontext() as ctx:
        ctx.prec = 34  # DECIMAL128, like feel-scala
        total = sum((Decimal(n) for n in numbers), Decimal(0))
    if total == total.to_integral_value():
        return int(total)
    return total


def _text(value: Any) -> str:
    return json.dumps(to_json(value), ensure_ascii=False)


def _show(outputs: Sequence[Output], rows: Sequence[Row]) -> str:
    return _text([as_result(outputs, row) for row in rows])
