"""DMN decisions as Zeebe evaluates them: parse a `.dmn` resource, evaluate a decision.

    graph = parse_dmn(content, "dibao.dmn")          # EngineError INVALID_ARGUMENT when invalid
    result = evaluate_decision(graph, "dibao-standard", {"area": "urban", "year": 2023})
    result.decision_output                            # 780; result.failure_message on failure

Pure: no engine state, no I/O beyond the bytes given. See README.md.
"""

from .evaluate import evaluate_decision
from .hit_policies import HitPolicyViolation
from .model import (
    Aggregation,
    Decision,
    DecisionRequirementsGraph,
    DecisionTable,
    DecisionType,
    HitPolicy,
    Input,
    InputData,
    LiteralExpression,
    Output,
    Rule,
)
from .parser import DMN_NAMESPACES, parse_dmn
from .results import (
    DecisionEvaluation,
    EvaluatedDecision,
    EvaluatedInput,
    EvaluatedOutput,
    MatchedRule,
    json_text,
)

__all__ = [
    "DMN_NAMESPACES",
    "Aggregation",
    "Decision",
    "DecisionEvaluation",
    "DecisionRequirementsGraph",
    "DecisionTable",
    "DecisionType",
    "EvaluatedDecision",
    "EvaluatedInput",
    "EvaluatedOutput",
    "HitPolicy",
    "HitPolicyViolation",
    "Input",
    "InputData",
    "LiteralExpression",
    "MatchedRule",
    "Output",
    "Rule",
    "evaluate_decision",
    "json_text",
    "parse_dmn",
]
