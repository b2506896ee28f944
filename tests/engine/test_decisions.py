"""DMN on the embedded engine: deployment with versions, EvaluateDecision, business rule tasks."""

import json
from pathlib import Path

import pytest
from pyzeebe import ZeebeClient

from jiuzhu.engine.server import EngineServer
from tests.engine.bpmn_builder import Process
from tests.engine.test_pyzeebe import deploy

pytestmark = pytest.mark.engine

DMN = Path(__file__).resolve().parent.parent / "unit" / "dmn" / "resources" / "dibao.dmn"


def _value(output: object) -> object:
    """pyzeebe hands some decision outputs over already parsed from their JSON text."""
    return json.loads(output) if isinstance(output, str) else output


def rule_task_process() -> Process:
    return (
        Process("amount")
        .start()
        .raw(
            '<bpmn:businessRuleTask id="decide"><bpmn:extensionElements>'
            '<zeebe:calledDecision decisionId="dibao-amount" resultVariable="dibaoAmount"/>'
            "</bpmn:extensionElements></bpmn:businessRuleTask>"
        )
        .service("pay", "payment.schedule")
        .end()
        .chain("start", "decide", "pay", "end")
    )


async def test_deploy_dmn_reports_decisions_and_versions(client: ZeebeClient, tmp_path: Path) -> None:
    first = await deploy(client, tmp_path, "dibao.dmn", DMN.read_bytes())
    decisions = {d.dmn_decision_id: d for d in first.deployments if hasattr(d, "dmn_decision_id")}
    assert set(decisions) == {"dibao-standard", "dibao-amount", "assistance-route"}
    assert {d.version for d in decisions.values()} == {1}
    again = await deploy(client, tmp_path, "dibao.dmn", DMN.read_bytes())
    again_keys = {d.decision_key for d in again.deployments if hasattr(d, "decision_key")}
    assert again_keys == {d.decision_key for d in decisions.values()}  # unchanged: same versions
    changed = DMN.read_bytes().replace(b"<text>780</text>", b"<text>790</text>", 1)
    second = await deploy(client, tmp_path, "dibao.dmn", changed)
    versions = {d.dmn_decision_id: d.version for d in second.deployments if hasattr(d, "dmn_decision_id")}
    assert versions == {"dibao-standard": 2, "dibao-amount": 2, "assistance-route": 2}


async def test_evaluate_decision_over_grpc(client: ZeebeClient, tmp_path: Path) -> None:
    await deploy(client, tmp_path, "dibao.dmn", DMN.read_bytes())
    result = await client.evaluate_decision(
        None, "dibao-amount", {"area": "urban", "year": 2023, "income": 900, "members": 3}
    )
    assert _value(result.decision_output) == 1440
    assert [d.decision_id for d in result.evaluated_decisions] == ["dibao-standard", "dibao-amount"]
    standard = result.evaluated_decisions[0]
    assert _value(standard.decision_output) == 780
    assert standard.matched_rules and standard.matched_rules[0].rule_index >= 1
    assert result.failure_message == ""


def test_business_rule_task_stores_the_result(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy([("dibao.dmn", DMN.read_bytes()), ("amount.bpmn", rule_task_process().xml())])
    instance = engine.create_instance("amount", {"area": "urban", "year": 2023, "income": 900, "members": 3})
    [activated] = engine.activate_jobs("payment.schedule", "w", 60_000, 1, [], -1)
    assert activated.variables["dibaoAmount"] == 1440
    assert activated.job.instance_key == instance.key


def test_failed_decision_is_an_incident_and_resolves(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy([("amount.bpmn", rule_task_process().xml())])
    instance = engine.create_instance("amount", {"area": "urban", "year": 2023, "income": 900, "members": 3})
    [incident] = [i for i in engine.incidents.values() if i.instance_key == instance.key]
    assert incident.error_type == "DECISION_EVALUATION_ERROR" and "dibao-amount" in incident.message
    engine.deploy([("dibao.dmn", DMN.read_bytes())])  # the designer deploys the missing table
    engine.resolve_incident(incident.key)
    assert [j.type for j in engine.jobs.values() if j.instance_key == instance.key] == ["payment.schedule"]


def test_broken_dmn_is_refused_with_line(server: EngineServer) -> None:
    from jiuzhu.engine.errors import EngineError

    broken = DMN.read_bytes().replace(
        b'<requiredDecision href="#dibao-standard" />', b'<requiredDecision href="#nope" />', 1
    )
    with pytest.raises(EngineError) as err:
        server.engine.deploy([("broken.dmn", broken)])
    assert err.value.code == "INVALID_ARGUMENT" and "line" in err.value.message
