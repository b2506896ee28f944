"""Decision requirements graphs, literal expressions, DMN versions and the response shape."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pyzeebe.proto import gateway_pb2

sys.path.insert(0, str(Path(__file__).parent))
from dmn_support import load

from jiuzhu.engine.dmn import DecisionType, evaluate_decision, json_text, parse_dmn
from jiuzhu.engine.errors import Code, EngineError

pytestmark = pytest.mark.unit


# -- a two-level DRG (DMN 1.5): eligibility-category requires a literal and a table ---------------

HOUSEHOLDS: list[tuple[dict[str, Any], Any]] = [
    ({"income": 600, "members": 3, "area": "urban"}, {"category": "低保", "eligible": True}),
    ({"income": 2400, "members": 3, "area": "urban"}, {"category": "低保边缘", "eligible": False}),
    ({"income": 3000, "members": 3, "area": "rural"}, {"category": "低保边缘", "eligible": False}),
    # the empty output entry gives null
    ({"income": 6000, "members": 3, "area": "rural"}, {"category": "不符合", "eligible": None}),
    # unknown area: the standard is null, the ratio is null, no rule matches
    ({"income": 600, "members": 3, "area": "abroad"}, None),
]


@pytest.mark.parametrize(("household", "expected"), HOUSEHOLDS)
def test_two_level_drg(household: dict[str, Any], expected: Any) -> None:
    result = evaluate_decision(load("eligibility.dmn"), "eligibility-category", {"household": household})
    assert not result.failed
    assert result.decision_output == expected
    assert result.decision_requirements_id == "jiuzhu-eligibility"
    assert [d.decision_id for d in result.evaluated_decisions] == [
        "per-capita-income",
        "local-standard",
        "eligibility-category",
    ]
    assert [d.decision_type for d in result.evaluated_decisions] == [
        "LITERAL_EXPRESSION",
        "DECISION_TABLE",
        "DECISION_TABLE",
    ]


def test_required_results_are_visible_under_variable_name_or_id() -> None:
    """A literal's result is seen under its variable name, a table's under the decision id."""
    result = evaluate_decision(
        load("eligibility.dmn"), "eligibility-category", {"household": {"income": 600, "members": 3, "area": "urban"}}
    )
    per_capita, standard, top = result.evaluated_decisions
    assert per_capita.decision_output == 200
    assert per_capita.evaluated_inputs == () and per_capita.matched_rules == ()
    assert standard.decision_output == 780
    [ratio] = top.evaluated_inputs
    assert ratio.input_name == "人均收入/低保标准"
    assert float(ratio.input_value) == pytest.approx(200 / 780)
    graph = load("eligibility.dmn")
    per_capita_decision = graph.decision("per-capita-income")
    standard_decision = graph.decision("local-standard")
    assert per_capita_decision is not None and per_capita_decision.result_name == "perCapitaIncome"
    assert standard_decision is not None and standard_decision.result_name == "local-standard"


def test_failure_in_a_required_decision_names_it() -> None:
    household = {"income": 600, "members": 3, "area": "county-town"}  # matches two rules of a UNIQUE table
    result = evaluate_decision(load("eligibility.dmn"), "eligibility-category", {"household": household})
    assert result.failed
    assert result.failed_decision_id == "local-standard"
    assert result.failure_message == (
        "Expected to evaluate decision 'eligibility-category', but multiple values aren't allowed for UNIQUE "
        "hit policy. found: '[780, 780]'"
    )
    assert result.decision_id == "eligibility-category"
    assert result.decision_output is None
    assert [d.decision_id for d in result.evaluated_decisions] == ["per-capita-income", "local-standard"]
    assert result.evaluated_decisions[-1].decision_output is None
    assert [r.rule_index for r in result.evaluated_decisions[-1].matched_rules] == [1, 3]


def test_required_decision_evaluated_alone() -> None:
    result = evaluate_decision(load("eligibility.dmn"), "local-standard", {"household": {"area": "rural"}})
    assert result.decision_output == 755
    assert [d.decision_id for d in result.evaluated_decisions] == ["local-standard"]


DIAMOND = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="diamond" name="Diamond"
  namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="top" name="Top">
    <variable id="v_top" name="top" />
    <informationRequirement id="ir1"><requiredDecision href="#left" /></informationRequirement>
    <informationRequirement id="ir2"><requiredDecision href="#right" /></informationRequirement>
    <literalExpression id="le_top"><text>left + right</text></literalExpression>
  </decision>
  <decision id="left" name="Left">
    <variable id="v_left" name="left" />
    <informationRequirement id="ir3"><requiredDecision href="#base" /></informationRequirement>
    <literalExpression id="le_left"><text>base * 2</text></literalExpression>
  </decision>
  <decision id="right" name="Right">
    <variable id="v_right" name="right" />
    <informationRequirement id="ir4"><requiredDecision href="#base" /></informationRequirement>
    <literalExpression id="le_right"><text>base * 3 + (if left = null then 0 else 1000)</text></literalExpression>
  </decision>
  <decision id="base" name="Base">
    <variable id="v_base" name="base" />
    <literalExpression id="le_base"><text>x + 1</text></literalExpression>
  </decision>
</definitions>
"""


def test_shared_required_decision_is_evaluated_per_requirement_like_zeebe() -> None:
    """Depth-first, each requirement against the caller's variables (siblings do not see each other)."""
    result = evaluate_decision(parse_dmn(DIAMOND.encode(), "diamond.dmn"), "top", {"x": 1})
    assert result.decision_output == 2 * 2 + 2 * 3
    assert [d.decision_id for d in result.evaluated_decisions] == ["base", "left", "base", "right", "top"]


# -- literal expressions (DMN 1.4) ------------------------------------------------------------------

LITERALS: list[tuple[str, dict[str, Any], Any]] = [
    ("near-poor-line", {"standard": 780}, 1170),
    ("near-poor-line", {"standard": 755}, 1132.5),
    ("near-poor-line", {}, None),
    ("publicity-end", {"publicityStart": "2024-05-20"}, date(2024, 5, 27)),
    ("notice-text", {"income": 1200, "standard": 780}, "核对显示家庭月人均收入 ¥1200，高于当地低保标准 ¥780"),
    ("empty-literal", {}, None),
]


@pytest.mark.parametrize(("decision", "variables", "expected"), LITERALS)
def test_literal_expression(decision: str, variables: dict[str, Any], expected: Any) -> None:
    result = evaluate_decision(load("literals-dmn14.dmn"), decision, variables)
    assert not result.failed
    assert result.decision_output == expected
    [evaluated] = result.evaluated_decisions
    assert evaluated.decision_type == DecisionType.LITERAL_EXPRESSION
    assert evaluated.decision_output == expected


LITERAL_FAILURES: list[tuple[str, dict[str, Any], str]] = [
    ("typed-wrong", {}, """expected 'number' but found '"七百八十"'"""),
    ("checked-income", {}, "failed to evaluate expression: The condition is not fulfilled"),
]


@pytest.mark.parametrize(("decision", "variables", "reason"), LITERAL_FAILURES)
def test_literal_expression_failures(decision: str, variables: dict[str, Any], reason: str) -> None:
    result = evaluate_decision(load("literals-dmn14.dmn"), decision, variables)
    assert result.failed_decision_id == decision
    assert result.failure_message is not None
    assert result.failure_message.startswith(f"Expected to evaluate decision '{decision}', but {reason}")


def test_literal_expression_uses_the_given_clock() -> None:
    text = DIAMOND.replace("<text>x + 1</text>", "<text>today()</text>")
    graph = parse_dmn(text.encode(), "diamond.dmn")
    result = evaluate_decision(graph, "base", {}, now=datetime(2024, 2, 29, 9, 0, tzinfo=UTC))
    assert result.decision_output == date(2024, 2, 29)
    assert json_text(result.decision_output) == '"2024-02-29"'


# -- DMN versions and what the graph exposes ----------------------------------------------------------

VERSIONS: list[tuple[str, str, dict[str, Any], Any]] = [
    ("legacy-dmn11.dmn", "household-size", {"members": 1}, "单人户"),
    ("legacy-dmn11.dmn", "household-size", {"members": 4}, "普通户"),
    ("legacy-dmn11.dmn", "household-size", {"members": 6}, "大户"),  # an empty input entry matches anything
    ("dibao.dmn", "dibao-standard", {"area": "rural", "year": 2023}, 755),  # DMN 1.3
    ("literals-dmn14.dmn", "near-poor-line", {"standard": 600}, 900),  # DMN 1.4
    ("eligibility.dmn", "local-standard", {"household": {"area": "urban"}}, 780),  # DMN 1.5
]


@pytest.mark.parametrize(("resource", "decision", "variables", "expected"), VERSIONS)
def test_dmn_versions(resource: str, decision: str, variables: dict[str, Any], expected: Any) -> None:
    assert evaluate_decision(load(resource), decision, variables).decision_output == expected


def test_graph_summary() -> None:
    graph = load("dibao.dmn")
    assert graph.id == "jiuzhu-dibao"
    assert graph.name == "低保标准与临时救助审批"
    assert graph.resource_name == "dibao.dmn"
    assert graph.decision_ids == ("dibao-standard", "dibao-amount", "assistance-route")
    assert graph.input_data_names == ("area", "year", "income", "members", "amount")
    kinds = {d.id: (d.decision_type, d.required_decisions, d.name) for d in graph.decisions}
    assert kinds == {
        "dibao-standard": (DecisionType.DECISION_TABLE, (), "低保标准"),
        "dibao-amount": (DecisionType.LITERAL_EXPRESSION, ("dibao-standard",), "低保金额（差额）"),
        "assistance-route": (DecisionType.DECISION_TABLE, ("dibao-standard",), "临时救助审批层级"),
    }
    route = graph.decision("assistance-route")
    assert route is not None and route.required_inputs == ("InputData_amount",)
    assert graph.warnings == ()


def test_unknown_decision_is_not_found() -> None:
    with pytest.raises(EngineError) as caught:
        evaluate_decision(load("dibao.dmn"), "dibao", {})
    assert caught.value.code is Code.NOT_FOUND
    assert "no decision found for id 'dibao'" in caught.value.message


# -- table details: empty input expression, default output entries, input names -----------------------

DETAILS = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="details" name="Details"
  namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="table" name="Table">
    <decisionTable id="dt">
      <input id="in_empty">
        <inputExpression id="ie_empty" typeRef="string"><text></text></inputExpression>
      </input>
      <input id="in_long">
        <inputExpression id="ie_long" typeRef="number">
          <text>household.members + household.dependants + household.others</text>
        </inputExpression>
      </input>
      <output id="out_level" name="level" typeRef="string">
        <defaultOutputEntry id="d1"><text>"none"</text></defaultOutputEntry>
      </output>
      <output id="out_note" label="Note" name="note" typeRef="string" />
      <rule id="r1">
        <inputEntry id="e1"><text>null</text></inputEntry>
        <inputEntry id="e2"><text>&gt; 3</text></inputEntry>
        <outputEntry id="o1"><text>"big"</text></outputEntry>
        <outputEntry id="o2"><text>"members: " + string(household.members)</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_empty_input_expression_is_null_and_input_names_fall_back_to_the_expression() -> None:
    graph = parse_dmn(DETAILS.encode(), "details.dmn")
    household = {"members": 2, "dependants": 1, "others": 1}
    result = evaluate_decision(graph, "table", {"household": household})
    assert result.decision_output == {"level": "big", "note": "members: 2"}
    [evaluated] = result.evaluated_decisions
    assert [(i.input_id, i.input_name, i.input_value) for i in evaluated.evaluated_inputs] == [
        ("in_empty", "", None),
        ("in_long", "household.members + household.", 4),  # cut at 30 characters like Zeebe
    ]
    [rule] = evaluated.matched_rules
    assert [o.output_name for o in rule.evaluated_outputs] == ["level", "Note"]  # label, else name


def test_default_output_entries_apply_when_nothing_matches() -> None:
    graph = parse_dmn(DETAILS.encode(), "details.dmn")
    result = evaluate_decision(graph, "table", {"household": {"members": 1, "dependants": 0, "others": 0}})
    assert result.decision_output == "none"  # only one output has a default: the bare value
    assert result.evaluated_decisions[0].matched_rules == ()


# -- the response shape matches Zeebe's gateway protocol ---------------------------------------------


def test_record_fits_the_evaluate_decision_response() -> None:
    result = evaluate_decision(load("dibao.dmn"), "assistance-route", {"area": "urban", "year": 2023, "amount": 5000})
    record = result.to_record()
    json.dumps(record, ensure_ascii=False)  # JSON-serialisable as is
    response = gateway_pb2.EvaluateDecisionResponse(
        decisionId=record["decisionId"],
        decisionName=record["decisionName"],
        decisionRequirementsId=record["decisionRequirementsId"],
        decisionOutput=json_text(result.decision_output),
        failedDecisionId=record["failedDecisionId"],
        failureMessage=record["failureMessage"],
        evaluatedDecisions=[
            gateway_pb2.EvaluatedDecision(
                decisionId=d["decisionId"],
                decisionName=d["decisionName"],
                decisionType=d["decisionType"],
                decisionOutput=json.dumps(d["decisionOutput"], ensure_ascii=False),
                evaluatedInputs=[
                    gateway_pb2.EvaluatedDecisionInput(
                        inputId=i["inputId"], inputName=i["inputName"], inputValue=json.dumps(i["inputValue"])
                    )
                    for i in d["evaluatedInputs"]
                ],
                matchedRules=[
                    gateway_pb2.MatchedDecisionRule(
                        ruleId=r["ruleId"],
                        ruleIndex=r["ruleIndex"],
                        evaluatedOutputs=[
                            gateway_pb2.EvaluatedDecisionOutput(
                                outputId=o["outputId"],
                                outputName=o["outputName"],
                                outputValue=json.dumps(o["outputValue"], ensure_ascii=False),
                            )
                            for o in r["evaluatedOutputs"]
                        ],
                    )
                    for r in d["matchedRules"]
                ],
            )
            for d in record["evaluatedDecisions"]
        ],
    )
    assert json.loads(response.decisionOutput) == {"route": "county", "approval": "县民政局一事一议"}
    assert [d.decisionId for d in response.evaluatedDecisions] == ["dibao-standard", "assistance-route"]
    assert response.evaluatedDecisions[1].matchedRules[0].ruleIndex == 2
    assert response.evaluatedDecisions[1].evaluatedInputs[1].inputValue == "780"
    assert response.failureMessage == ""
