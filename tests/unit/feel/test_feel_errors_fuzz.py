"""Errors: positions and messages, incidents vs null, and fuzzing that only FeelError escapes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.engine.feel import (
    FeelError,
    YearsMonths,
    compile,
    evaluate,
    set_clock,
    to_json,
    unary_test,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("expression", "column", "fragment"),
    [
        ("a + (b))", 8, "unexpected ')'"),
        ("1 +", 4, "end of expression"),
        ('"abc', 1, "unterminated string"),
        ("if x then 1", 12, "expected 'else'"),
        ("[1, 2", 6, "expected ']'"),
        ("{a 1}", 4, "expected ':'"),
        ("x ~ 1", 3, "unexpected character"),
        ("for in [1] return 1", 5, "iteration variable"),
        ("f(a: 1, 2)", 9, "cannot be mixed"),
        ("nums[item mod 2 = 0]", 11, "expected ']'"),
    ],
)
def test_syntax_errors_have_position(expression: str, column: int, fragment: str) -> None:
    with pytest.raises(FeelError) as info:
        evaluate(expression, {})
    err = info.value
    assert err.line == 1
    assert err.column == column, str(err)
    assert fragment in str(err)
    assert expression in str(err)


def test_error_on_second_line_reports_line() -> None:
    with pytest.raises(FeelError) as info:
        evaluate("1 +\n  * 2", {})
    assert (info.value.line, info.value.column, info.value.offset) == (2, 3, 6)


def test_example_message_from_the_issue() -> None:
    with pytest.raises(FeelError, match=r"unexpected '\)' at column 8 in 'a \+ \(b\)\)'"):
        evaluate("a + (b))", {})


def test_assert_failure_is_an_incident() -> None:
    with pytest.raises(FeelError, match="condition is not fulfilled: too small"):
        evaluate('assert(x, x > 10, "too small")', {"x": 1})


def test_null_friendly_failures_and_strict_mode() -> None:
    assert evaluate("nosuch(1)", {}) is None
    assert evaluate('1 + "a"', {}) is None
    with pytest.raises(FeelError, match="no function found with name 'nosuch'"):
        evaluate("nosuch(1)", {}, strict=True)
    with pytest.raises(FeelError, match="no variable found for name 'missing'"):
        evaluate("missing + 1", {}, strict=True)


def test_non_string_expression_is_a_feel_error() -> None:
    with pytest.raises(FeelError):
        evaluate(123, {})  # type: ignore[arg-type]


def test_deep_nesting_is_a_feel_error_not_recursion_error() -> None:
    with pytest.raises(FeelError):
        evaluate("(" * 5000 + "1" + ")" * 5000, {})


def test_compile_is_cached_and_reusable() -> None:
    c = compile('amount > 1000 and status = "approved"')
    assert compile('amount > 1000 and status = "approved"') is c
    assert c.evaluate({"amount": 1500, "status": "approved"}) is True
    assert c.evaluate({"amount": 500, "status": "approved"}) is False
    assert c.evaluate({"status": "approved"}) is None


def test_numbers_arrive_as_int_float_or_decimal() -> None:
    assert evaluate("a + b + c", {"a": 1, "b": 0.1, "c": Decimal("0.2")}) == Decimal("1.3")
    assert evaluate("a = 0.1", {"a": 0.1}) is True
    assert evaluate("a * 2", {"a": 2.0}) == 4 and type(evaluate("a * 2", {"a": 2.0})) is int


def test_clock_is_injectable() -> None:
    fixed = datetime(2024, 2, 29, 23, 0, tzinfo=UTC)
    assert evaluate("today()", {}, now=fixed) == date(2024, 2, 29)
    assert evaluate("now()", {}, now=lambda: fixed) == fixed
    set_clock(lambda: fixed)
    try:
        assert evaluate('today() + duration("P1D")', {}) == date(2024, 3, 1)
    finally:
        set_clock(None)
    assert evaluate("today()", {}) != date(2024, 2, 29) or datetime.now(UTC).date() == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("5"), 5),
        (Decimal("2.5"), 2.5),
        (3, 3),
        (None, None),
        (True, True),
        ("s", "s"),
        (date(2024, 1, 5), "2024-01-05"),
        (datetime(2024, 1, 5, 8, 0), "2024-01-05T08:00:00"),
        (datetime(2024, 1, 5, 8, 0, tzinfo=UTC), "2024-01-05T08:00:00Z"),
        (
            datetime(2024, 1, 5, 8, 0, 1, 500000, tzinfo=timezone(timedelta(hours=8))),
            "2024-01-05T08:00:01.5+08:00",
        ),
        (time(10, 0), "10:00"),
        (time(10, 0, 5), "10:00:05"),
        (timedelta(0), "P0D"),
        (timedelta(days=1, hours=2), "P1DT2H"),
        (YearsMonths(14), "P1Y2M"),
        ([Decimal("1.0"), {"a": date(2024, 1, 1)}], [1, {"a": "2024-01-01"}]),
    ],
)
def test_to_json(value: Any, expected: Any) -> None:
    out = to_json(value)
    assert out == expected and type(out) is type(expected)


def test_to_json_of_evaluation_results() -> None:
    assert to_json(evaluate('{due: date("2024-01-01") + duration("P10D"), n: 10 / 4}', {})) == {
        "due": "2024-01-11",
        "n": 2.5,
    }
    assert to_json(evaluate('date and time("2024-01-01T10:00:00@Asia/Shanghai")', {})) == "2024-01-01T10:00:00+08:00"


# --- fuzzing: nothing but FeelError may escape --------------------------------------------------
TOKENS = [
    "1",
    "2.5",
    '"s"',
    "x",
    "l",
    "c",
    "true",
    "null",
    "+",
    "-",
    "*",
    "/",
    "**",
    "=",
    "!=",
    "<",
    ">=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "..",
    "?",
    "if",
    "then",
    "else",
    "for",
    "in",
    "return",
    "some",
    "every",
    "satisfies",
    "and",
    "or",
    "not",
    "between",
    "instance of",
    "function",
    "date",
    "duration",
    "sum",
    "count",
    "string length",
    "substring",
    "item",
    "@",
    '"2024-01-01"',
    '"P1D"',
    "`x`",
    "[1..3]",
    "-",
    "date and time",
    "partial",
    "is defined",
    "get value",
    "sort",
    "matches",
    '"["',
    "replace",
    "\\",
    "'",
    "#",
    "//",
    "/*",
]
VARS: dict[str, Any] = {"x": 3, "l": [1, 2.5, "a", None, {"k": 1}], "c": {"k": [1, 2]}, "s": "text"}
token_soup = st.lists(st.sampled_from(TOKENS), max_size=14).map(" ".join)
inputs = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
)


def _check(call: Any) -> None:
    try:
        call()
    except FeelError as e:
        assert "internal error" not in str(e), str(e)


@settings(
    derandomize=True,
    max_examples=1500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.one_of(st.text(max_size=30), token_soup))
def test_fuzz_evaluate_only_raises_feel_error(expression: str) -> None:
    _check(lambda: evaluate(expression, VARS))


@settings(
    derandomize=True,
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.one_of(st.text(max_size=30), token_soup), inputs)
def test_fuzz_unary_test_only_raises_feel_error(tests: str, input_value: Any) -> None:
    def run() -> None:
        assert unary_test(tests, input_value, VARS) in (True, False)

    _check(run)
