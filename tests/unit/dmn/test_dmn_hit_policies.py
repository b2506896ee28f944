"""Every hit policy and aggregation, as Zeebe's DMN engine (dmn-scala) shapes the result."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from dmn_support import load

from jiuzhu.engine.dmn import evaluate_decision

pytestmark = pytest.mark.unit

ELDERLY_DISABLED = {"age": 70, "disabled": True, "seriouslyIll": False}
NOBODY = {"age": 30, "disabled": False, "seriouslyIll": False}
EVERYTHING = {"age": 70, "disabled": True, "seriouslyIll": True}

# decision, variables, expected decision output, expected matched rule indexes (1-based)
CASES: list[tuple[str, dict[str, Any], Any, list[int]]] = [
    # UNIQUE: at most one rule; the single output column gives the bare value
    ("unique", {"age": 10}, "minor", [1]),
    ("unique", {"age": 18}, "adult", [2]),
    ("unique", {"age": 60}, "elderly", [3]),
    ("unique", {"age": None}, None, []),
    ("unique", {}, None, []),  # a missing variable is null, no rule matches
    ("unique-overlap", {"age": 30}, "adult", [1]),
    # FIRST: the first matching rule in table order; only that rule is reported as matched
    ("first", {"age": 70}, "elderly", [1]),
    ("first", {"age": 30}, "adult", [2]),
    ("first", {"age": 3}, "minor", [3]),
    # PRIORITY: the match whose output comes first in outputValues "high","medium","low"
    ("priority", {"income": 200, "members": 5}, "high", [1, 2, 3]),
    ("priority", {"income": 500, "members": 5}, "medium", [1, 2]),
    ("priority", {"income": 500, "members": 2}, "low", [1]),
    # ANY: several matches are fine when they agree
    ("any", {"age": 85, "disabled": True}, "重点关注", [1, 2]),
    ("any", {"age": 50, "disabled": True}, "重点关注", [2]),
    ("any", {"age": 50, "disabled": False}, None, []),
    # COLLECT without aggregation: a list of the outputs in rule order
    ("collect", ELDERLY_DISABLED, [234, 156], [1, 2]),
    ("collect", EVERYTHING, [234, 156, 156], [1, 2, 3]),
    ("collect", {"age": 12, "disabled": False, "seriouslyIll": False}, [156], [4]),
    ("collect", NOBODY, None, []),  # no match is null, not [] (dmn-scala)
    # COLLECT with aggregation over the single numeric output column
    ("collect-sum", ELDERLY_DISABLED, 390, [1, 2]),
    ("collect-sum", EVERYTHING, 546, [1, 2, 3]),
    ("collect-sum", NOBODY, None, []),
    ("collect-min", ELDERLY_DISABLED, 156, [1, 2]),
    ("collect-min", {"age": 65, "disabled": False, "seriouslyIll": False}, 234, [1]),
    ("collect-min", NOBODY, None, []),
    ("collect-max", ELDERLY_DISABLED, 234, [1, 2]),
    ("collect-max", {"age": 12, "disabled": True, "seriouslyIll": False}, 156, [2, 4]),
    ("collect-max", NOBODY, None, []),
    ("collect-count", ELDERLY_DISABLED, 2, [1, 2]),
    ("collect-count", EVERYTHING, 3, [1, 2, 3]),
    ("collect-count", NOBODY, None, []),  # no match: null, not 0 (dmn-scala)
    # RULE ORDER with two output columns: a list of contexts by output name
    (
        "rule-order",
        EVERYTHING,
        [
            {"code": "ELDERLY", "text": "按老年人加发"},
            {"code": "DISABLED", "text": "按重度残疾加发"},
            {"code": "ILL", "text": "按重病加发"},
        ],
        [1, 2, 3],
    ),
    ("rule-order", {"age": 20, "disabled": False, "seriouslyIll": True}, [{"code": "ILL", "text": "按重病加发"}], [3]),
    ("rule-order", NOBODY, None, []),
    # OUTPUT ORDER: all matches, sorted by outputValues "特困","低保","临时救助"
    ("output-order", {"age": 12, "disabled": True, "seriouslyIll": False}, ["低保", "临时救助"], [1, 2]),
    ("output-order", {"age": 70, "disabled": True, "seriouslyIll": True}, ["特困", "低保"], [2, 3]),
    ("output-order", NOBODY, None, []),
]


@pytest.mark.parametrize(("decision", "variables", "expected", "rules"), CASES)
def test_hit_policy(decision: str, variables: dict[str, Any], expected: Any, rules: list[int]) -> None:
    result = evaluate_decision(load("hit-policies.dmn"), decision, variables)
    assert result.failure_message is None
    assert result.failed_decision_id is None
    assert result.decision_output == expected
    [evaluated] = result.evaluated_decisions
    assert evaluated.decision_type == "DECISION_TABLE"
    assert evaluated.decision_output == expected
    assert [rule.rule_index for rule in evaluated.matched_rules] == rules


# decision, variables, the reason after "Expected to evaluate decision '<id>', but "
FAILURES: list[tuple[str, dict[str, Any], str]] = [
    (
        "unique-overlap",
        {"age": 70},
        """multiple values aren't allowed for UNIQUE hit policy. found: '["adult", "elderly"]'""",
    ),
    ("any", {"age": 100, "disabled": True}, "different values aren't allowed for ANY hit policy. found: "),
    ("collect-sum-text", {"age": 85}, """expected number but found '"老年人"'"""),
    ("collect-sum-text", {"age": 65}, """expected number but found '"老年人"'"""),
]


@pytest.mark.parametrize(("decision", "variables", "reason"), FAILURES)
def test_hit_policy_failures_are_reported_not_raised(decision: str, variables: dict[str, Any], reason: str) -> None:
    result = evaluate_decision(load("hit-policies.dmn"), decision, variables)
    assert result.failed
    assert result.failed_decision_id == decision
    assert result.failure_message is not None
    assert result.failure_message.startswith(f"Expected to evaluate decision '{decision}', but {reason}")
    assert result.decision_output is None
    [evaluated] = result.evaluated_decisions
    assert evaluated.decision_output is None
    assert evaluated.matched_rules  # the rules that matched are still reported, as in Zeebe's audit log


def test_any_failure_names_the_distinct_values() -> None:
    result = evaluate_decision(load("hit-policies.dmn"), "any", {"age": 100, "disabled": True})
    assert result.failure_message is not None
    assert '"重点关注"' in result.failure_message
    assert '"百岁老人"' in result.failure_message
    assert [r.rule_index for r in result.evaluated_decisions[0].matched_rules] == [1, 2, 3]


def test_matched_rules_report_outputs_with_ids_and_labels() -> None:
    result = evaluate_decision(load("hit-policies.dmn"), "rule-order", ELDERLY_DISABLED)
    [evaluated] = result.evaluated_decisions
    first = evaluated.matched_rules[0]
    assert first.rule_id == "Rule_rule_order_1"
    assert [(o.output_id, o.output_name, o.output_value) for o in first.evaluated_outputs] == [
        ("Output_code_rule_order", "代码", "ELDERLY"),
        ("Output_text_rule_order", "告知内容", "按老年人加发"),
    ]
    assert [(i.input_id, i.input_name, i.input_value) for i in evaluated.evaluated_inputs] == [
        ("Input_age_rule_order", "年龄", 70),
        ("Input_disabled_rule_order", "重度残疾", True),
        ("Input_ill_rule_order", "重病", False),
    ]


def test_table_attributes_are_parsed() -> None:
    graph = load("hit-policies.dmn")
    policies = {}
    for decision in graph.decisions:
        logic = decision.logic
        assert hasattr(logic, "hit_policy")
        policies[decision.id] = (str(logic.hit_policy), logic.aggregation and str(logic.aggregation))
    assert policies["unique"] == ("UNIQUE", None)
    assert policies["rule-order"] == ("RULE ORDER", None)
    assert policies["output-order"] == ("OUTPUT ORDER", None)
    assert policies["collect-count"] == ("COLLECT", "COUNT")
    assert graph.warnings == ()
