"""The parsed DMN model: immutable, FEEL already compiled, ready to evaluate many times."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from jiuzhu.engine.feel import CompiledExpression, CompiledUnaryTests


class DecisionType(StrEnum):
    """The values of Zeebe's `EvaluatedDecision.decisionType`."""

    DECISION_TABLE = "DECISION_TABLE"
    LITERAL_EXPRESSION = "LITERAL_EXPRESSION"


class HitPolicy(StrEnum):
    """`decisionTable@hitPolicy` as written in the XML (default UNIQUE)."""

    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"

    @property
    def single_result(self) -> bool:
        return self in (HitPolicy.UNIQUE, HitPolicy.FIRST, HitPolicy.PRIORITY, HitPolicy.ANY)


class Aggregation(StrEnum):
    """`decisionTable@aggregation`, only used with hit policy COLLECT."""

    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"
    COUNT = "COUNT"


@dataclass(frozen=True)
class Input:
    """A decision-table input column."""

    id: str
    label: str | None
    expression_text: str
    expression: CompiledExpression | None  # None: empty input expression, evaluates to null
    type_ref: str | None
    input_values_text: str | None
    input_values: CompiledUnaryTests | None  # None when absent or not valid FEEL (see graph.warnings)

    @property
    def display_name(self) -> str:
        """What Zeebe reports as `inputName`: the label, else the expression cut at 30 characters."""
        return self.label if self.label is not None else self.expression_text[:30]


@dataclass(frozen=True)
class Output:
    """A decision-table output column."""

    id: str
    name: str | None
    label: str | None
    type_ref: str | None
    output_values_text: str | None
    priorities: tuple[str, ...]  # outputValues split as Zeebe does it for PRIORITY / OUTPUT ORDER
    default_entry: CompiledExpression | None

    @property
    def display_name(self) -> str:
        """What Zeebe reports as `outputName`: the label, else the name (like the Modeler)."""
        if self.label is not None:
            return self.label
        return self.name or ""


@dataclass(frozen=True)
class Rule:
    id: str
    index: int  # 1-based, as Zeebe's `ruleIndex`
    input_entries: tuple[CompiledUnaryTests | None, ...]  # None: `-` or empty, matches anything
    output_entries: tuple[CompiledExpression | None, ...]  # None: empty, yields null
    line: int


@dataclass(frozen=True)
class DecisionTable:
    id: str | None
    hit_policy: HitPolicy
    aggregation: Aggregation | None  # only set together with COLLECT
    inputs: tuple[Input, ...]
    outputs: tuple[Output, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class LiteralExpression:
    id: str | None
    text: str
    expression: CompiledExpression | None  # None: empty text, evaluates to null


@dataclass(frozen=True)
class Decision:
    id: str
    name: str
    logic: DecisionTable | LiteralExpression
    required_decisions: tuple[str, ...]  # ids, in the order of the informationRequirement elements
    required_inputs: tuple[str, ...]  # inputData ids
    result_name: str  # the variable name dependent decisions see: `variable@name`, else the id
    type_ref: str | None  # `variable@typeRef`, checked against the result like Zeebe does
    line: int

    @property
    def decision_type(self) -> DecisionType:
        if isinstance(self.logic, DecisionTable):
            return DecisionType.DECISION_TABLE
        return DecisionType.LITERAL_EXPRESSION


@dataclass(frozen=True)
class InputData:
    id: str
    name: str


@dataclass(frozen=True)
class DecisionRequirementsGraph:
    """One deployed `.dmn` resource: a `definitions` element and its decisions."""

    id: str  # decisionRequirementsId
    name: str
    namespace: str | None
    resource_name: str
    decisions: tuple[Decision, ...]
    input_data: tuple[InputData, ...]
    warnings: tuple[str, ...] = ()  # accepted (as Zeebe accepts them) but suspicious
    _by_id: dict[str, Decision] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {d.id: d for d in self.decisions})

    @property
    def input_data_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.input_data)

    @property
    def decision_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.decisions)

    def decision(self, decision_id: str) -> Decision | None:
        return self._by_id.get(decision_id)
