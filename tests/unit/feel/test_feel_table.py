"""Table-driven FEEL suite: expression + variables -> expected Zeebe (feel-scala) result."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from feel_cases import ALL_TABLES, UNARY

from jiuzhu.engine.feel import evaluate, unary_test

pytestmark = pytest.mark.unit

FIXED_NOW = datetime(2024, 5, 20, 9, 30, tzinfo=UTC)

CASES = [
    pytest.param(expr, variables, expected, id=f"{family}:{expr}")
    for family, table in ALL_TABLES.items()
    for expr, variables, expected in table
]


def same(actual: Any, expected: Any) -> bool:
    """Equal values of the same FEEL type (1 == Decimal('1'), but True != 1)."""
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    if isinstance(expected, int | Decimal):
        return type(actual) in (int, Decimal) and actual == expected
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(a, e) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(same(actual[k], expected[k]) for k in expected)
        )
    return type(actual) is type(expected) and actual == expected


def test_table_is_big_enough() -> None:
    assert len(CASES) + len(UNARY) >= 400


@pytest.mark.parametrize(("expression", "variables", "expected"), CASES)
def test_evaluate(expression: str, variables: dict[str, Any], expected: Any) -> None:
    actual = evaluate(expression, variables, now=FIXED_NOW)
    assert same(actual, expected), f"{expression!r} gave {actual!r}, expected {expected!r}"


@pytest.mark.parametrize(
    ("tests", "input_value", "variables", "expected"), UNARY, ids=[f"{t}|{i!r}" for t, i, _, _ in UNARY]
)
def test_unary(tests: str, input_value: Any, variables: dict[str, Any], expected: bool) -> None:
    assert unary_test(tests, input_value, variables) is expected
