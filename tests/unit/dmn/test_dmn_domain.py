"""The county's own decisions: 低保 standard by area and year, 临时救助 approval level, 低保 amount."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from dmn_support import load

from jiuzhu.engine.dmn import DecisionTable, evaluate_decision

pytestmark = pytest.mark.unit

# 广德 2023: urban 780, rural 755 (yuan per person per month)
STANDARDS: list[tuple[Any, Any, Any]] = [
    ("urban", 2023, 780),
    ("rural", 2023, 755),
    ("urban", 2024, None),  # not entered yet: no rule, null
    ("suburban", 2023, None),  # outside inputValues: Zeebe does not check them, no rule matches
    (None, 2023, None),
]


@pytest.mark.parametrize(("area", "year", "expected"), STANDARDS)
def test_dibao_standard(area: Any, year: Any, expected: Any) -> None:
    result = evaluate_decision(load("dibao.dmn"), "dibao-standard", {"area": area, "year": year})
    assert not result.failed
    assert result.decision_output == expected


# 临时救助: up to 4x the monthly standard the township approves, above it the county decides 一事一议
ROUTES: list[tuple[str, int, int, str, str]] = [
    ("urban", 2023, 1000, "township", "乡镇人民政府审批"),
    ("urban", 2023, 3120, "township", "乡镇人民政府审批"),  # exactly 4 x 780
    ("urban", 2023, 3121, "county", "县民政局一事一议"),
    ("rural", 2023, 3020, "township", "乡镇人民政府审批"),  # exactly 4 x 755
    ("rural", 2023, 3100, "county", "县民政局一事一议"),  # within the urban limit, above the rural one
    ("rural", 2023, 20000, "county", "县民政局一事一议"),
    ("urban", 2025, 500, "county", "标准缺失，报县民政局"),
]


@pytest.mark.parametrize(("area", "year", "amount", "route", "approval"), ROUTES)
def test_assistance_route(area: str, year: int, amount: int, route: str, approval: str) -> None:
    result = evaluate_decision(load("dibao.dmn"), "assistance-route", {"area": area, "year": year, "amount": amount})
    assert not result.failed
    assert result.decision_output == {"route": route, "approval": approval}
    standard, decision = result.evaluated_decisions
    assert standard.decision_id == "dibao-standard"
    assert decision.decision_id == "assistance-route"
    assert [i.input_value for i in decision.evaluated_inputs] == [amount, standard.decision_output]


# (standard - per-capita income) x members; example from DOMAIN.md: 780, 3 members, 900/month -> 1,440
AMOUNTS: list[tuple[dict[str, Any], Any]] = [
    ({"area": "urban", "year": 2023, "income": 900, "members": 3}, 1440),
    ({"area": "rural", "year": 2023, "income": 0, "members": 1}, 755),
    ({"area": "urban", "year": 2023, "income": 3000, "members": 3}, 0),  # above the standard: nothing
    ({"area": "urban", "year": 2023, "income": 1000, "members": 3}, 1340.0),
    ({"area": "urban", "year": 2030, "income": 900, "members": 3}, None),  # no standard: null
]


@pytest.mark.parametrize(("variables", "expected"), AMOUNTS)
def test_dibao_amount(variables: dict[str, Any], expected: Any) -> None:
    result = evaluate_decision(load("dibao.dmn"), "dibao-amount", variables)
    assert not result.failed
    if expected is None:
        assert result.decision_output is None
    else:
        assert float(result.decision_output) == pytest.approx(expected)


def test_input_values_can_be_enforced_on_request() -> None:
    graph = load("dibao.dmn")
    table = graph.decisions[0].logic
    assert isinstance(table, DecisionTable)
    [area_column, _] = table.inputs
    assert area_column.input_values_text == '"urban","rural"'
    relaxed = evaluate_decision(graph, "assistance-route", {"area": "suburban", "year": 2023, "amount": 100})
    assert relaxed.decision_output == {"route": "county", "approval": "标准缺失，报县民政局"}
    strict = evaluate_decision(
        graph, "assistance-route", {"area": "suburban", "year": 2023, "amount": 100}, check_input_values=True
    )
    assert strict.failed_decision_id == "dibao-standard"
    assert strict.failure_message == (
        "Expected to evaluate decision 'assistance-route', but the value \"suburban\" of input '城乡类别' "
        'is not one of the input values "urban","rural"'
    )
    ok = evaluate_decision(
        graph, "assistance-route", {"area": "urban", "year": 2023, "amount": 100}, check_input_values=True
    )
    assert ok.decision_output == {"route": "township", "approval": "乡镇人民政府审批"}
