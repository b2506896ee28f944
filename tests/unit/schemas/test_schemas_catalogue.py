"""The job-type catalogue: complete, well named, described, and exportable as JSON Schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from schemas.contracts import JOB_TYPES, JobInput, JobOutput, catalogue_json_schema, contract_for
from schemas.contracts.export import main as export_main
from schemas.contracts.registry import _registry

pytestmark = pytest.mark.unit

# The steps DOMAIN.md describes for the reform and national paths, and the job that does each.
EXPECTED = {
    "application.accept",
    "case.close",
    "sla.compute-deadlines",
    "sla.escalate",
    "verification.check-economic-status",
    "verification.recheck",
    "eligibility.assess",
    "eligibility.assess-self-care",
    "visit.schedule",
    "visit.record",
    "approval.record",
    "supervision.select-spot-check",
    "publicity.publish",
    "publicity.record-objection",
    "publicity.close",
    "publicity.resolve-objections",
    "notice.issue-rejection",
    "notice.issue-decision",
    "notice.record-delivery",
    "payment.schedule",
    "payment.pay-monthly",
    "payment.pay-emergency",
    "referral.create",
    "dynamic.schedule-recheck",
    "dynamic.record-recheck",
}


def test_catalogue_has_the_expected_job_types() -> None:
    assert set(JOB_TYPES) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_job_type_has_models_and_descriptions(name: str) -> None:
    contract = JOB_TYPES[name]
    assert contract.type == name
    assert issubclass(contract.input, JobInput)
    assert issubclass(contract.output, JobOutput)
    assert contract.input.model_config.get("extra") == "ignore"
    assert contract.input.model_config.get("populate_by_name") is True
    assert contract.output.model_config.get("extra") == "forbid"
    assert re.search(r"[\u4e00-\u9fff]", contract.zh), "zh description must be Chinese"
    assert re.match(r"[A-Z]", contract.en), "en description must be English"


def test_one_model_per_job_type() -> None:
    models = [c.input for c in JOB_TYPES.values()] + [c.output for c in JOB_TYPES.values()]
    assert len(set(models)) == len(models)


def test_error_codes_are_upper_snake_case_and_consistent() -> None:
    seen: dict[str, str] = {}
    for contract in JOB_TYPES.values():
        for error in contract.errors:
            assert re.fullmatch(r"[A-Z][A-Z_]+", error.code)
            assert error.zh and error.en
            assert seen.setdefault(error.code, error.zh) == error.zh
    assert "ECONOMIC_CHECK_FAILED" in seen
    assert [e.code for e in JOB_TYPES["verification.check-economic-status"].errors] == [
        "CHECK_NOT_AUTHORISED",
        "ECONOMIC_CHECK_FAILED",
    ]


def test_unknown_job_type_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown job type 'visit\.recrod'.*visit\.record"):
        contract_for("visit.recrod")


def test_registry_refuses_bad_names_and_duplicates() -> None:
    contract = JOB_TYPES["case.close"]
    with pytest.raises(ValueError, match="defined twice"):
        _registry([contract, contract])
    with pytest.raises(ValueError, match=r"not <area>\.<action>"):
        _registry([type(contract)("Case_Close", contract.input, contract.output, "结案", "close it")])


def test_json_schema_export_covers_every_job_type_with_bpmn_names() -> None:
    catalogue = catalogue_json_schema()
    assert catalogue["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(catalogue["jobTypes"]) == EXPECTED
    accept = catalogue["jobTypes"]["application.accept"]
    assert accept["area"] == "application"
    assert accept["description"]["zh"].startswith("受理申请")
    assert {e["code"] for e in accept["errors"]} == {"APPLICATION_INCOMPLETE", "DUPLICATE_APPLICATION"}
    assert {"caseType", "channel", "members", "receivedAt"} <= set(accept["input"]["required"])
    assert "proxyAssistantId" in accept["input"]["properties"]
    assert "case_type" not in accept["input"]["properties"]
    enum_values = json.dumps(accept["input"]["$defs"], ensure_ascii=False)
    assert "帮办代办" in enum_values and "急难型临时救助" in enum_values


def test_json_schema_shows_money_as_a_number_on_output() -> None:
    output = catalogue_json_schema()["jobTypes"]["payment.pay-emergency"]["output"]
    assert output["properties"]["paymentId"]["type"] == "integer"
    schedule = catalogue_json_schema()["jobTypes"]["payment.schedule"]["input"]
    amount = schedule["properties"]["monthlyAmount"]
    assert {"type": "number"} in amount["anyOf"] or amount.get("type") == "number"
    eligibility = catalogue_json_schema()["jobTypes"]["eligibility.assess"]["output"]
    assert eligibility["properties"]["perCapitaIncome"]["type"] == "number"


def test_export_writes_json_file(tmp_path: Path) -> None:
    target = tmp_path / "catalogue.json"
    assert export_main([str(target)]) == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert set(data["jobTypes"]) == EXPECTED
    assert "受理申请" in target.read_text(encoding="utf-8")  # not \u-escaped: readable for designers
