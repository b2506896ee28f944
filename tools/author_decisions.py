"""The DMN decisions in ``workflows/`` (first version; see ``author_workflows.py``)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
    'xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" '
    'xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" '
    'xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
    'id="{id}" name={name} namespace="http://jiuzhu.example/dmn" '
    'exporter="Camunda Modeler" exporterVersion="5.40.0" '
    'modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">\n'
)


def table(
    definitions_id: str,
    definitions_name: str,
    decision_id: str,
    decision_name: str,
    doc: str,
    inputs: list[tuple[str, str, str]],  # (label, expression, typeRef)
    outputs: list[tuple[str, str, str]],  # (label, name, typeRef)
    rules: list[tuple[list[str], list[str], str]],  # (input entries, output entries, annotation)
) -> str:
    out = [HEADER.format(id=definitions_id, name=quoteattr(definitions_name))]
    out.append(f'  <decision id="{decision_id}" name={quoteattr(decision_name)}>\n')
    out.append(f"    <description>{escape(doc)}</description>\n")
    out.append(f'    <decisionTable id="DecisionTable_{decision_id}" hitPolicy="FIRST">\n')
    for i, (label, expression, type_ref) in enumerate(inputs, 1):
        out.append(f'      <input id="Input_{i}" label={quoteattr(label)}>\n')
        out.append(f'        <inputExpression id="InputExpression_{i}" typeRef="{type_ref}">\n')
        out.append(f"          <text>{escape(expression)}</text>\n        </inputExpression>\n      </input>\n")
    for i, (label, name, type_ref) in enumerate(outputs, 1):
        out.append(f'      <output id="Output_{i}" label={quoteattr(label)} name="{name}" typeRef="{type_ref}" />\n')
    for r, (entries, results, note) in enumerate(rules, 1):
        out.append(f'      <rule id="Rule_{r}">\n        <description>{escape(note)}</description>\n')
        for i, entry in enumerate(entries, 1):
            out.append(f'        <inputEntry id="InputEntry_{r}_{i}"><text>{escape(entry)}</text></inputEntry>\n')
        for i, result in enumerate(results, 1):
            out.append(f'        <outputEntry id="OutputEntry_{r}_{i}"><text>{escape(result)}</text></outputEntry>\n')
        out.append("      </rule>\n")
    out.append("    </decisionTable>\n  </decision>\n")
    out.append(
        f'  <dmndi:DMNDI>\n    <dmndi:DMNDiagram id="DMNDiagram_{decision_id}">\n'
        f'      <dmndi:DMNShape id="DMNShape_{decision_id}" dmnElementRef="{decision_id}">\n'
        '        <dc:Bounds height="80" width="180" x="160" y="100" />\n'
        "      </dmndi:DMNShape>\n    </dmndi:DMNDiagram>\n  </dmndi:DMNDI>\n"
    )
    out.append("</definitions>\n")
    return "".join(out)


APPLICATION_PROCEDURE = table(
    "Definitions_application_procedure",
    "办理程序（政策配置）",
    "application-procedure",
    "确定办理程序",
    "按政策配置（policyProfile）确定低保、特困、临时救助的办理程序。县级改革程序为默认："
    "取消审核阶段公示和民主评议，乡镇审批；全国程序：初审公示7天，有异议时民主评议，县级确认。"
    "disputeWindow 是申请人对核对结果提出异议的等待期（占位值，DOMAIN.md 未规定）。",
    [("政策配置", "policyProfile", "string")],
    [
        ("程序", "path", "string"),
        ("审核阶段公示", "reviewStagePublicity", "boolean"),
        ("审批层级", "approvalLevel", "string"),
        ("初审公示天数", "firstReviewPublicityDays", "number"),
        ("核对异议期", "disputeWindow", "string"),
    ],
    [
        (['"national"'], ['"national"', "true", '"county"', "7", '"P15D"'], "全国程序（最低生活保障审核确认办法）"),
        (["-"], ['"county"', "false", '"township"', "null", '"P15D"'], "县级改革程序（默认）"),
    ],
)

TEMPORARY_ROUTE = table(
    "Definitions_temporary_assistance_route",
    "临时救助审批权限",
    "temporary-assistance-route",
    "临时救助审批权限",
    "拟救助金额不超过月低保标准的若干倍（县级改革程序4倍，全国程序示例10倍；占位值，按当地规定调整）"
    "由乡镇审批，超过的报县级一事一议。",
    [("办理程序", "procedure.path", "string"), ("拟救助金额 / 月低保标准", "proposedAmount / standard", "number")],
    [("审批权限", "route", "string"), ("审批层级", "approvalLevel", "string")],
    [
        (['"national"', "<= 10"], ['"township"', '"乡镇（街道）审批"'], "全国程序：10倍以内乡镇审批"),
        (['"national"', "> 10"], ['"county"', '"县级一事一议"'], "全国程序：超过10倍县级一事一议"),
        (["-", "<= 4"], ['"township"', '"乡镇（街道）审批"'], "县级改革程序：4倍以内乡镇审批"),
        (["-", "> 4"], ['"county"', '"县级一事一议"'], "县级改革程序：超过4倍县级一事一议"),
    ],
)

DECISIONS = {
    "application-procedure.dmn": APPLICATION_PROCEDURE,
    "temporary-assistance-route.dmn": TEMPORARY_ROUTE,
}
