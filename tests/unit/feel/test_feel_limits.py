"""Bounded FEEL: the probes that froze the engine now fail fast with a FeelError (an incident)."""

from __future__ import annotations

import pytest

from jiuzhu.engine.feel import FeelError, evaluate
from jiuzhu.engine.feel.limits import MAX_ITEMS, MAX_STEPS, MAX_STRING, cpu_budget

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("count(for x in 1..1000000, y in 1..1000000 return 1)", "range of more than"),
        ("count(for x in 1..1000, y in 1..1000 return 1)", f"more than {MAX_STEPS} evaluation steps"),
        ("every x in 1..1000, y in 1..1000 satisfies x > 0", "evaluation steps"),
        ('for i in 1..40 return if i = 1 then "ab" else partial[-1] + partial[-1]', f"longer than {MAX_STRING}"),
        (
            "for i in 1..40 return if i = 1 then [1] else concatenate(partial[-1], partial[-1])",
            f"more than {MAX_ITEMS}",
        ),
        ('matches("' + "a" * 40 + '!", "^(a|aa)+$")', "regular expressions took longer"),
        ('count(for i in 1..1000 return matches("' + "a" * 30 + '!", "^(a|aa)+$"))', "regular expressions"),
    ],
)
def test_unbounded_work_fails_with_a_feel_error(expression: str, says: str) -> None:
    with pytest.raises(FeelError) as err:
        evaluate(expression)
    assert says in str(err.value)


def test_a_self_recursive_function_fails_instead_of_running_away() -> None:
    with pytest.raises(FeelError):
        evaluate("{f: function(n) if n = 0 then 0 else 1 + f(n - 1), r: f(100000)}.r")


def test_ordinary_work_within_the_bounds_is_unchanged() -> None:
    assert evaluate("count(for x in 1..200, y in 1..200 return 1)") == 40_000
    assert evaluate('matches("' + "a" * 26 + '!", "^(a+)+$")') is False  # the probe: now fast
    assert evaluate('string length(string join(for i in 1..10000 return "救助"))') == 20_000
    assert evaluate("sum(members.income)", {"members": [{"income": 100}, {"income": 250}]}) == 350
    assert evaluate('replace("2026-03-02", "(\\d+)-(\\d+)-(\\d+)", "$3/$2/$1")') == "02/03/2026"
    assert evaluate('split("a, b,c", ",\\s*")') == ["a", "b", "c"]
    assert evaluate('extract("甲1乙22丙333", "\\d+")') == ["1", "22", "333"]


def test_each_evaluation_has_its_own_budget() -> None:
    expression = "count(for x in 1..200, y in 1..200 return 1)"
    assert [evaluate(expression) for _ in range(5)] == [40_000] * 5


HEAVY = "count(for x in 1..200, y in 1..200 return 1)"  # within the step bound on its own


@pytest.mark.parametrize("expression", [HEAVY, 'matches("' + "a" * 24 + '!", "^(a|aa)+$")'], ids=["steps", "regex"])
def test_a_cpu_budget_spans_evaluations_and_names_what_it_bounds(expression: str) -> None:
    assert evaluate(expression) is not None  # no budget: the evaluation's own bounds only
    with cpu_budget(0.0, "the probe's expressions"), pytest.raises(FeelError) as err:
        evaluate(expression)
    assert "the probe's expressions took more than the CPU budget of 0 s" in str(err.value)


def test_a_cpu_budget_ends_with_its_block() -> None:
    with cpu_budget(60.0):
        assert evaluate(HEAVY) == 40_000
    assert evaluate(HEAVY) == 40_000
    with cpu_budget(0.0), pytest.raises(FeelError):
        evaluate(HEAVY)
    assert evaluate(HEAVY) == 40_000
