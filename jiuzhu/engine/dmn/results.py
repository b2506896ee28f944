"""What an evaluation reports: the fields of Zeebe's EvaluateDecisionResponse (gateway.proto).

Values are FEEL results as Python values; `to_record()` gives the JSON-ready shape (values through
`feel.to_json`), and `json_text` the JSON string the gRPC fields `decisionOutput`, `inputValue` and
`outputValue` carry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jiuzhu.engine.feel import to_json


def json_text(value: Any) -> str:
    """A FEEL value as the JSON text Zeebe puts in `decisionOutput` / `inputValue` / `outputValue`."""
    return json.dumps(to_json(value), ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class EvaluatedInput:
    input_id: str
    input_name: str  # the label, else the input expression (cut at 30 characters)
    input_value: Any

    def to_record(self) -> dict[str, Any]:
        return {"inputId": self.input_id, "inputName": self.input_name, "inputValue": to_json(self.input_value)}


@dataclass(frozen=True)
class EvaluatedOutput:
    output_id: str
    output_name: str  # the label, else the name
    output_value: Any

    def to_record(self) -> dict[str, Any]:
        return {
            "outputId": self.output_id,
            "outputName": self.output_name,
            "outputValue": to_json(self.output_value),
        }


@dataclass(frozen=True)
class MatchedRule:
    rule_id: str
    rule_index: int  # 1-based position in the table
    evaluated_outputs: tuple[EvaluatedOutput, ...]

    def to_record(self) -> dict[str, Any]:
        return {
            "ruleId": self.rule_id,
            "ruleIndex": self.rule_index,
            "evaluatedOutputs": [o.to_record() for o in self.evaluated_outputs],
        }


@dataclass(frozen=True)
class EvaluatedDecision:
    decision_id: str
    decision_name: str
    decision_type: str  # "DECISION_TABLE" | "LITERAL_EXPRESSION"
    decision_output: Any  # None when this decision's evaluation failed
    evaluated_inputs: tuple[EvaluatedInput, ...] = ()
    matched_rules: tuple[MatchedRule, ...] = ()

    def to_record(self) -> dict[str, Any]:
        return {
            "decisionId": self.decision_id,
            "decisionName": self.decision_name,
            "decisionType": self.decision_type,
            "decisionOutput": to_json(self.decision_output),
            "evaluatedInputs": [i.to_record() for i in self.evaluated_inputs],
            "matchedRules": [r.to_record() for r in self.matched_rules],
        }


@dataclass(frozen=True)
class DecisionEvaluation:
    """The outcome of `evaluate_decision`; on failure `failed_decision_id`/`failure_message` are set."""

    decision_id: str
    decision_name: str
    decision_requirements_id: str
    decision_output: Any
    evaluated_decisions: tuple[EvaluatedDecision, ...]  # evaluation order, required decisions first
    failed_decision_id: str | None = None
    failure_message: str | None = None

    @property
    def failed(self) -> bool:
        return self.failure_message is not None

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "decisionId": self.decision_id,
            "decisionName": self.decision_name,
            "decisionRequirementsId": self.decision_requirements_id,
            "decisionOutput": to_json(self.decision_output),
            "evaluatedDecisions": [d.to_record() for d in self.evaluated_decisions],
            "failedDecisionId": self.failed_decision_id or "",
            "failureMessage": self.failure_message or "",
        }
        return record
