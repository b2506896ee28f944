"""Evaluate a decision of a parsed DRG the way Zeebe (dmn-scala) does.

Required decisions are evaluated first, depth-first in the order of their informationRequirement
elements, each against the caller's variables; each result is visible to the requiring decision
under the required decision's result name (its `variable@name`, else its id). A required decision
needed twice is evaluated twice, as in Zeebe. The first failure stops everything; it is reported,
not raised, with every decision evaluated so far (the failed one last).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from jiuzhu.engine import feel
from jiuzhu.engine.errors import not_found
from jiuzhu.engine.feel import YearsMonths
from jiuzhu.engine.feel.api import Now

from .hit_policies import HitPolicyViolation, Row, apply_hit_policy
from .model import Decision, DecisionRequirementsGraph, DecisionTable, HitPolicy, LiteralExpression, Rule
from .results import (
    DecisionEvaluation,
    EvaluatedDecision,
    EvaluatedInput,
    EvaluatedOutput,
    MatchedRule,
    json_text,
)


class _Failure(Exception):
    """A decision failed; carries the reason text Zeebe puts after "but "."""


def evaluate_decision(
    graph: DecisionRequirementsGraph,
    decision_id: str,
    variables: Mapping[str, Any],
    *,
    now: Now = None,
    check_input_values: bool = False,
) -> DecisionEvaluation:
    """Evaluate `decision_id` (and what it requires) against `variables`.

    Raises EngineError NOT_FOUND when the graph has no such decision; every other problem comes
    back as a DecisionEvaluation with `failed_decision_id` and `failure_message` set.
    `check_input_values=True` also fails when an input value is outside the column's inputValues
    (Zeebe does not check them; useful for tests and linting).
    """
    decision = graph.decision(decision_id)
    if decision is None:
        raise not_found(
            f"Expected to evaluate decision '{decision_id}', but no decision found for id '{decision_id}' "
            f"in '{graph.resource_name}'"
        )
    run = _Run(graph, dict(variables), now, check_input_values)
    try:
        output = run.decision(decision)
    except _Failure as failure:
        failed = run.audit[-1].decision_id if run.audit else decision_id
        return DecisionEvaluation(
            decision_id=decision.id,
            decision_name=decision.name,
            decision_requirements_id=graph.id,
            decision_output=None,
            evaluated_decisions=tuple(run.audit),
            failed_decision_id=failed,
            failure_message=f"Expected to evaluate decision '{decision_id}', but {failure}",
        )
    return DecisionEvaluation(
        decision_id=decision.id,
        decision_name=decision.name,
        decision_requirements_id=graph.id,
        decision_output=output,
        evaluated_decisions=tuple(run.audit),
    )


class _Run:
    def __init__(self, graph: DecisionRequirementsGraph, variables: dict[str, Any], now: Now, check: bool) -> None:
        self.graph = graph
        self.variables = variables
        self.now = now
        self.check_input_values = check
        self.audit: list[EvaluatedDecision] = []

    def decision(self, decision: Decision) -> Any:
        context = self.variables
        if decision.required_decisions:
            context = dict(self.variables)
            for required_id in decision.required_decisions:
                required = self.graph.decision(required_id)
                assert required is not None  # the parser resolved every reference
                context[required.result_name] = self.decision(required)
        if isinstance(decision.logic, DecisionTable):
            result = self.decision_table(decision, decision.logic, context)
        else:
            result = self.literal_expression(decision, decision.logic, context)
        _check_type(result, decision.type_ref)
        return result

    # -- literal expressions ---------------------------------------------------------------------

    def literal_expression(self, decision: Decision, logic: LiteralExpression, context: dict[str, Any]) -> Any:
        try:
            result = self.eval(logic.expression, context)
        except _Failure:
            self.record(decision, None)
            raise
        self.record(decision, result)
        return result

    # -- decision tables -------------------------------------------------------------------------

    def decision_table(self, decision: Decision, table: DecisionTable, context: dict[str, Any]) -> Any:
        inputs: list[EvaluatedInput] = []
        matched: list[MatchedRule] = []
        try:
            values = [self.eval(column.expression, context) for column in table.inputs]
            inputs = [
                EvaluatedInput(column.id, column.display_name, value)
                for column, value in zip(table.inputs, values, strict=True)
            ]
            if self.check_input_values:
                self.check_allowed(table, values, context)
            rules = [rule for rule in table.rules if self.matches(rule, values, context)]
            if not rules:
                result = self.defaults(table, context)
            else:
                if table.hit_policy is HitPolicy.FIRST:
                    rules = rules[:1]
                rows: list[Row] = [tuple(self.eval(entry, context) for entry in rule.output_entries) for rule in rules]
                matched = [
                    MatchedRule(
                        rule.id,
                        rule.index,
                        tuple(
                            EvaluatedOutput(out.id, out.display_name, value)
                            for out, value in zip(table.outputs, row, strict=True)
                        ),
                    )
                    for rule, row in zip(rules, rows, strict=True)
                ]
                try:
                    result = apply_hit_policy(table, rows)
                except HitPolicyViolation as violation:
                    raise _Failure(str(violation)) from None
        except _Failure:
            self.record(decision, None, inputs, matched)
            raise
        self.record(decision, result, inputs, matched)
        return result

    def matches(self, rule: Rule, values: list[Any], context: dict[str, Any]) -> bool:
        for tests, value in zip(rule.input_entries, values, strict=True):
            if tests is None:
                continue
            try:
                if not tests.test(value, context, now=self.now):
                    return False
            except feel.FeelError as err:
                raise _Failure(str(err)) from None
        return True

    def defaults(self, table: DecisionTable, context: dict[str, Any]) -> Any:
        """No rule matched: the outputs' default entries, if any, else null."""
        found = {out.name or "": self.eval(out.default_entry, context) for out in table.outputs if out.default_entry}
        if not found:
            return None
        if len(found) == 1:
            return next(iter(found.values()))
        return found

    def check_allowed(self, table: DecisionTable, values: list[Any], context: dict[str, Any]) -> None:
        for column, value in zip(table.inputs, values, strict=True):
            if column.input_values is None:
                continue
            try:
                allowed = column.input_values.test(value, context, now=self.now)
            except feel.FeelError as err:
                raise _Failure(str(err)) from None
            if not allowed:
                raise _Failure(
                    f"the value {json_text(value)} of input '{column.display_name}' "
                    f"is not one of the input values {column.input_values_text}"
                )

    # -- shared ----------------------------------------------------------------------------------

    def eval(self, expression: feel.CompiledExpression | None, context: dict[str, Any]) -> Any:
        if expression is None:
            return None
        try:
            return expression.evaluate(context, now=self.now)
        except feel.FeelError as err:
            raise _Failure(str(err)) from None

    def record(
        self,
        decision: Decision,
        output: Any,
        inputs: list[EvaluatedInput] | None = None,
        matched: list[MatchedRule] | None = None,
    ) -> None:
        self.audit.append(
            EvaluatedDecision(
                decision_id=decision.id,
                decision_name=decision.name,
                decision_type=decision.decision_type.value,
                decision_output=output,
                evaluated_inputs=tuple(inputs or ()),
                matched_rules=tuple(matched or ()),
            )
        )


_TYPE_CHECKS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "number": (int, Decimal),
    "time": (time,),
    "date": (date,),
    "dateTime": (datetime,),
    "dayTimeDuration": (timedelta,),
    "yearMonthDuration": (YearsMonths,),
}


def _check_type(value: Any, type_ref: str | None) -> None:
    """The decision variable's typeRef, checked as dmn-scala's TypeChecker does (null always passes)."""
    if not type_ref or value is None:
        return
    name = type_ref.replace("feel:", "")
    accepted = _TYPE_CHECKS.get(name)
    if accepted is None:
        return  # other types are not checked
    ok = isinstance(value, accepted)
    if name == "number" and isinstance(value, bool):
        ok = False
    if name == "date" and isinstance(value, datetime):
        ok = False
    if not ok:
        raise _Failure(f"expected '{name}' but found '{json_text(value)}'")
