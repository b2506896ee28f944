"""Invalid DMN is refused at parse (deploy) time: INVALID_ARGUMENT naming the element and its line."""

from __future__ import annotations

import pytest

from jiuzhu.engine.dmn import parse_dmn
from jiuzhu.engine.errors import Code, EngineError

pytestmark = pytest.mark.unit

BASE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" \
xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="errors" name="错误示例" \
namespace="http://camunda.org/schema/1.0/dmn" modeler:executionPlatform="Camunda Cloud" \
modeler:executionPlatformVersion="8.8.0">
  <decision id="route" name="审批层级">
    <informationRequirement id="InformationRequirement_1">
      <requiredDecision href="#standard" />
    </informationRequirement>
    <decisionTable id="DecisionTable_1" hitPolicy="FIRST">
      <input id="Input_1" label="金额">
        <inputExpression id="InputExpression_1" typeRef="number">
          <text>amount</text>
        </inputExpression>
      </input>
      <output id="Output_1" label="层级" name="level" typeRef="string" />
      <rule id="Rule_1">
        <inputEntry id="UnaryTests_1">
          <text>&lt;= 4 * standard</text>
        </inputEntry>
        <outputEntry id="LiteralExpression_1">
          <text>"township"</text>
        </outputEntry>
      </rule>
      <rule id="Rule_2">
        <inputEntry id="UnaryTests_2">
          <text>-</text>
        </inputEntry>
        <outputEntry id="LiteralExpression_2">
          <text>"county"</text>
        </outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <decision id="standard" name="标准">
    <variable id="InformationItem_1" name="standard" typeRef="number" />
    <literalExpression id="LiteralExpression_3">
      <text>780</text>
    </literalExpression>
  </decision>
  <inputData id="InputData_1" name="amount" />
</definitions>
"""

TWO_OUTPUTS = """<output id="Output_1" label="层级" name="level" typeRef="string" />
      <output id="Output_2" label="说明" typeRef="string" />"""

# name, text to replace, replacement, expected fragment, text marking the reported line (None: no line check)
Edit = str | tuple[str, ...]
CASES: list[tuple[str, Edit, Edit, str, str | None]] = [
    (
        "definitions without id",
        'id="errors" ',
        "",
        "<definitions> at line {line}: the attribute 'id' is missing",
        "<definitions",
    ),
    ("decision without id", 'id="route" ', "", "the attribute 'id' is missing", '<decision name="审批层级">'),
    (
        "rule without id",
        '<rule id="Rule_2">',
        "<rule>",
        "<rule> at line {line}: the attribute 'id' is missing",
        "<rule>",
    ),
    ("input without id", 'input id="Input_1"', "input", "the attribute 'id' is missing", '<input label="金额">'),
    ("output without id", 'output id="Output_1"', "output", "the attribute 'id' is missing", '<output label="层级"'),
    (
        "duplicate decision id",
        '<decision id="standard"',
        '<decision id="route"',
        "the id 'route' is already used at line 3",
        '<decision id="route" name="标准">',
    ),
    (
        "rule with too few input entries",
        """<inputEntry id="UnaryTests_2">
          <text>-</text>
        </inputEntry>""",
        "",
        "<rule id='Rule_2'> at line {line}: the rule has 0 input entries but the table has 1 inputs",
        '<rule id="Rule_2">',
    ),
    (
        "rule with too many output entries",
        '<text>"county"</text>\n        </outputEntry>',
        '<text>"county"</text>\n        </outputEntry>\n        <outputEntry id="X"><text>1</text></outputEntry>',
        "the rule has 2 output entries but the table has 1 outputs",
        '<rule id="Rule_2">',
    ),
    ("unknown hit policy", 'hitPolicy="FIRST"', 'hitPolicy="SOMETIMES"', "unknown hit policy 'SOMETIMES'", "SOMETIMES"),
    (
        "unknown aggregation",
        'hitPolicy="FIRST"',
        'hitPolicy="COLLECT" aggregation="AVG"',
        "<decisionTable id='DecisionTable_1'> at line {line}: unknown aggregation 'AVG'",
        "AVG",
    ),
    (
        "aggregation over two outputs",
        ('hitPolicy="FIRST">', '<output id="Output_1" label="层级" name="level" typeRef="string" />'),
        ('hitPolicy="COLLECT" aggregation="SUM">', TWO_OUTPUTS.replace('label="说明"', 'label="说明" name="note"')),
        "<decisionTable id='DecisionTable_1'> at line {line}: hit policy COLLECT with aggregation SUM needs exactly "
        "one output column",
        "aggregation",
    ),
    (
        "required decision pointing nowhere",
        'href="#standard"',
        'href="#standrad"',
        "<requiredDecision> at line {line}: href '#standrad' points to no decision in this file",
        "standrad",
    ),
    (
        "required decision pointing at input data",
        'href="#standard"',
        'href="#InputData_1"',
        "points to no decision",
        'href="#InputData_1"',
    ),
    (
        "required decision in another model",
        'href="#standard"',
        'href="other.dmn#standard"',
        "imports are not supported",
        "other.dmn",
    ),
    (
        "cycle of required decisions",
        '<variable id="InformationItem_1"',
        '<informationRequirement id="IR_2"><requiredDecision href="#route" /></informationRequirement>\n'
        '    <variable id="InformationItem_1"',
        "the required decisions form a cycle: route -> standard -> route",
        '<decision id="route"',
    ),
    (
        "decision requiring itself",
        'href="#standard"',
        'href="#route"',
        "cycle: route -> route",
        '<decision id="route"',
    ),
    (
        "FEEL syntax error in an input entry",
        "&lt;= 4 * standard",
        "[1..",
        "<inputEntry id='UnaryTests_1'> at line {line}: the input entry for '金额' is not valid FEEL unary tests",
        '<inputEntry id="UnaryTests_1">',
    ),
    (
        "FEEL syntax error in an output entry",
        '<text>"township"</text>',
        '<text>"township</text>',
        "<outputEntry id='LiteralExpression_1'> at line {line}: the output entry for '层级' is not valid FEEL",
        '<outputEntry id="LiteralExpression_1">',
    ),
    (
        "FEEL syntax error in an input expression",
        "<text>amount</text>",
        "<text>amount +</text>",
        "<inputExpression id='InputExpression_1'> at line {line}: the input expression is not valid FEEL",
        "<inputExpression",
    ),
    (
        "FEEL syntax error in a literal expression",
        "<text>780</text>",
        "<text>780 * (1 +</text>",
        "<literalExpression id='LiteralExpression_3'> at line {line}: the literal expression is not valid FEEL",
        "<literalExpression",
    ),
    (
        "literal expression without text",
        '<literalExpression id="LiteralExpression_3">\n      <text>780</text>\n    </literalExpression>',
        '<literalExpression id="LiteralExpression_3" />',
        "the literal expression must not be empty",
        "<literalExpression",
    ),
    (
        "decision without logic",
        '<literalExpression id="LiteralExpression_3">\n      <text>780</text>\n    </literalExpression>',
        "",
        "<decision id='standard'> at line {line}: the decision has no decision logic",
        '<decision id="standard"',
    ),
    (
        "boxed context is not supported",
        '<literalExpression id="LiteralExpression_3">\n      <text>780</text>\n    </literalExpression>',
        '<context id="Context_1" />',
        "the decision logic <context> is not supported",
        "<context",
    ),
    (
        "business knowledge model",
        '<variable id="InformationItem_1"',
        '<knowledgeRequirement id="KR_1"><requiredKnowledge href="#bkm" /></knowledgeRequirement>\n'
        '    <variable id="InformationItem_1"',
        "business knowledge models are not supported",
        "<knowledgeRequirement",
    ),
    (
        "expression language other than FEEL",
        '<inputEntry id="UnaryTests_1">',
        '<inputEntry id="UnaryTests_1" expressionLanguage="juel">',
        "expression language 'juel' is not supported, only FEEL",
        "juel",
    ),
    (
        "second output without a name",
        '<output id="Output_1" label="层级" name="level" typeRef="string" />',
        TWO_OUTPUTS,
        "<output id='Output_2'> at line {line}: the output has no name",
        '<output id="Output_2"',
    ),
    (
        "no output at all",
        '<output id="Output_1" label="层级" name="level" typeRef="string" />',
        "",
        "a decision table needs at least one output",
        "<decisionTable",
    ),
    (
        "a BPMN file deployed as DMN",
        'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"',
        'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"',
        "expected a DMN <definitions> element",
        None,
    ),
    ("not well-formed", "</decisionTable>", "</decisionTabel>", "is not well-formed XML", None),
]


def _line_of(text: str, marker: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"marker {marker!r} not in the document")


@pytest.mark.parametrize(("old", "new", "fragment", "marker"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_dmn_is_refused(old: Edit, new: Edit, fragment: str, marker: str | None) -> None:
    olds = (old,) if isinstance(old, str) else old
    news = (new,) if isinstance(new, str) else new
    text = BASE
    for before, after in zip(olds, news, strict=True):
        assert before in text
        text = text.replace(before, after, 1)
    with pytest.raises(EngineError) as caught:
        parse_dmn(text.encode(), "errors.dmn")
    err = caught.value
    assert err.code is Code.INVALID_ARGUMENT
    assert "errors.dmn" in err.message
    if marker is None:
        assert fragment in err.message
    else:
        line = _line_of(text, marker)
        assert fragment.format(line=line) in err.message
        assert f"at line {line}" in err.message


def test_base_document_is_valid() -> None:
    graph = parse_dmn(BASE.encode(), "errors.dmn")
    assert graph.decision_ids == ("route", "standard")
    assert graph.decision("route") is not None
    assert graph.decision("nope") is None


def test_dtd_is_refused() -> None:
    text = BASE.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?>\n<!DOCTYPE definitions [<!ENTITY x "boom">]>',
    )
    with pytest.raises(EngineError) as caught:
        parse_dmn(text.encode(), "errors.dmn")
    assert caught.value.code is Code.INVALID_ARGUMENT


def test_lenient_where_zeebe_is_lenient() -> None:
    """Zeebe deploys these; we do too, and say what is off in `warnings`."""
    text = BASE.replace(
        '<input id="Input_1" label="金额">',
        '<input id="Input_1" label="金额">\n        <inputValues id="UnaryTests_9"><text>[1..</text></inputValues>',
    ).replace('hitPolicy="FIRST"', 'hitPolicy="FIRST" aggregation="SUM"')
    graph = parse_dmn(text.encode(), "errors.dmn")
    assert len(graph.warnings) == 2
    assert any("aggregation 'SUM' is ignored with hit policy FIRST" in w for w in graph.warnings)
    line = _line_of(text, "<inputValues")
    assert any(f"<inputValues> at line {line}: not valid FEEL unary tests, ignored" in w for w in graph.warnings)
