"""DMN 1.1–1.5 XML (as Camunda Modeler 8 writes it) -> DecisionRequirementsGraph.

Every problem is reported as INVALID_ARGUMENT naming the resource, the element and its line.
FEEL is compiled here, once, so a deployment with a broken cell is refused at deploy time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeAlias

from lxml import etree

from jiuzhu.engine import feel
from jiuzhu.engine.bpmn.xml import describe, element_error, parse_xml
from jiuzhu.engine.errors import EngineError, invalid

from .model import (
    Aggregation,
    Decision,
    DecisionRequirementsGraph,
    DecisionTable,
    HitPolicy,
    Input,
    InputData,
    LiteralExpression,
    Output,
    Rule,
)

DMN_NAMESPACES = frozenset(
    {
        "http://www.omg.org/spec/DMN/20151101/dmn.xsd",  # 1.1
        "http://www.omg.org/spec/DMN/20151101/dmn11.xsd",  # 1.1 (alternative)
        "http://www.omg.org/spec/DMN/20180521/MODEL/",  # 1.2
        "https://www.omg.org/spec/DMN/20191111/MODEL/",  # 1.3
        "http://www.omg.org/spec/DMN/20191111/MODEL/",  # 1.3 (http)
        "https://www.omg.org/spec/DMN/20211108/MODEL/",  # 1.4
        "https://www.omg.org/spec/DMN/20230324/MODEL/",  # 1.5
    }
)

# expressionLanguage values that mean FEEL (Zeebe accepts these and nothing else)
_FEEL_LANGUAGES = frozenset(
    {
        "feel",
        "http://www.omg.org/spec/feel/20140401",
        "http://www.omg.org/spec/dmn/20180521/feel/",
        "https://www.omg.org/spec/dmn/20191111/feel/",
        "https://www.omg.org/spec/dmn/20211108/feel/",
        "https://www.omg.org/spec/dmn/20230324/feel/",
        "https://www.omg.org/spec/dmn/20230324/model/",
    }
)

_UNSUPPORTED_LOGIC = ("context", "relation", "list", "invocation", "functionDefinition", "conditional", "filter")

Element: TypeAlias = etree._Element


def parse_dmn(content: bytes, resource_name: str) -> DecisionRequirementsGraph:
    """Parse and validate a DMN resource; raise EngineError(INVALID_ARGUMENT) on any problem."""
    root = parse_xml(content, resource_name)
    return _Parser(root, resource_name).parse()


def _local(element: Element) -> str:
    return etree.QName(element).localname


class _Parser:
    def __init__(self, root: Element, resource_name: str) -> None:
        self.root = root
        self.resource = resource_name
        self.warnings: list[str] = []
        self.ns = ""

    # -- helpers -------------------------------------------------------------------------------

    def error(self, element: Element, message: str) -> EngineError:
        return element_error(element, self.resource, message)

    def children(self, element: Element, name: str | None = None) -> Iterator[Element]:
        """Child elements in the DMN namespace (comments, DI and extensions skipped)."""
        for child in element:
            if not isinstance(child.tag, str) or etree.QName(child).namespace != self.ns:
                continue
            if name is None or _local(child) == name:
                yield child

    def child(self, element: Element, name: str) -> Element | None:
        return next(self.children(element, name), None)

    def required_id(self, element: Element) -> str:
        value = (element.get("id") or "").strip()
        if not value:
            raise self.error(element, "the attribute 'id' is missing")
        return value

    def check_language(self, element: Element) -> None:
        language = element.get("expressionLanguage")
        if language is not None and language.strip().lower() not in _FEEL_LANGUAGES:
            raise self.error(element, f"expression language '{language}' is not supported, only FEEL")

    def text_of(self, element: Element) -> str | None:
        """The `<text>` child's content; None when there is no `<text>` element at all."""
        text = self.child(element, "text")
        if text is None:
            return None
        return "".join(text.itertext())

    def expression(self, element: Element, text: str, what: str) -> feel.CompiledExpression | None:
        if not text.strip():
            return None
        try:
            return feel.compile(text)
        except feel.FeelError as err:
            raise self.error(element, f"{what} is not valid FEEL: {err}") from None

    def unary_tests(self, element: Element, text: str, what: str) -> feel.CompiledUnaryTests | None:
        stripped = text.strip()
        if not stripped or stripped == "-":
            return None
        try:
            return feel.compile_unary_tests(text)
        except feel.FeelError as err:
            raise self.error(element, f"{what} is not valid FEEL unary tests: {err}") from None

    # -- definitions -----------------------------------------------------------------------------

    def parse(self) -> DecisionRequirementsGraph:
        root = self.root
        self.ns = etree.QName(root).namespace or ""
        if _local(root) != "definitions" or self.ns not in DMN_NAMESPACES:
            raise invalid(
                f"'{self.resource}': expected a DMN <definitions> element (DMN 1.1-1.5), "
                f"found <{_local(root)}> in namespace '{self.ns}' at line {root.sourceline}"
            )
        definitions_id = self.required_id(root)
        seen: dict[str, Element] = {}
        input_data: list[InputData] = []
        decision_elements: list[Element] = []
        for element in self.children(root):
            tag = _local(element)
            if tag not in ("decision", "inputData"):
                continue  # businessKnowledgeModel, knowledgeSource, textAnnotation, association, ...
            element_id = self.required_id(element)
            if element_id in seen:
                first = seen[element_id]
                raise self.error(element, f"the id '{element_id}' is already used at line {first.sourceline}")
            seen[element_id] = element
            if tag == "decision":
                decision_elements.append(element)
            else:
                input_data.append(InputData(element_id, element.get("name") or element_id))
        decisions = [self.decision(element, seen) for element in decision_elements]
        self.check_cycles(decisions, {e.get("id", ""): e for e in decision_elements})
        return DecisionRequirementsGraph(
            id=definitions_id,
            name=root.get("name") or definitions_id,
            namespace=root.get("namespace"),
            resource_name=self.resource,
            decisions=tuple(decisions),
            input_data=tuple(input_data),
            warnings=tuple(self.warnings),
        )

    def check_cycles(self, decisions: list[Decision], elements: dict[str, Element]) -> None:
        requires = {d.id: d.required_decisions for d in decisions}
        done: set[str] = set()

        def visit(decision_id: str, path: list[str]) -> None:
            if decision_id in done:
                return
            if decision_id in path:
                cycle = [*path[path.index(decision_id) :], decision_id]
                raise self.error(elements[decision_id], "the required decisions form a cycle: " + " -> ".join(cycle))
            path.append(decision_id)
            for required in requires[decision_id]:
                visit(required, path)
            path.pop()
            done.add(decision_id)

        for decision in decisions:
            visit(decision.id, [])

    # -- decisions -------------------------------------------------------------------------------

    def decision(self, element: Element, drg: dict[str, Element]) -> Decision:
        decision_id = self.required_id(element)
        required_decisions: list[str] = []
        required_inputs: list[str] = []
        for requirement in self.children(element, "informationRequirement"):
            for reference in self.children(requirement):
                kind = _local(reference)
                if kind not in ("requiredDecision", "requiredInput"):
                    continue
                target = self.reference(reference, drg, "decision" if kind == "requiredDecision" else "inputData")
                (required_decisions if kind == "requiredDecision" else required_inputs).append(target)
        for requirement in self.children(element, "knowledgeRequirement"):
            raise self.error(requirement, "business knowledge models are not supported")

        logic: DecisionTable | LiteralExpression | None = None
        for child in self.children(element):
            tag = _local(child)
            if tag == "decisionTable":
                logic = self.decision_table(child)
            elif tag == "literalExpression":
                logic = self.literal_expression(child)
            elif tag in _UNSUPPORTED_LOGIC:
                raise self.error(
                    child, f"the decision logic <{tag}> is not supported (only decision tables and literal expressions)"
                )
        if logic is None:
            raise self.error(element, "the decision has no decision logic (a decision table or a literal expression)")

        variable = self.child(element, "variable")
        result_name = decision_id
        type_ref = None
        if variable is not None:
            result_name = (variable.get("name") or "").strip() or decision_id
            type_ref = variable.get("typeRef")
        return Decision(
            id=decision_id,
            name=element.get("name") or "",
            logic=logic,
            required_decisions=tuple(required_decisions),
            required_inputs=tuple(required_inputs),
            result_name=result_name,
            type_ref=type_ref,
            line=element.sourceline or 0,
        )

    def reference(self, reference: Element, drg: dict[str, Element], expected: str) -> str:
        href = (reference.get("href") or "").strip()
        if not href:
            raise self.error(reference, "the attribute 'href' is missing")
        location, _, target = href.rpartition("#")
        if location:
            raise self.error(reference, f"href '{href}' points into another model; imports are not supported")
        found = drg.get(target)
        if found is None or _local(found) != expected:
            raise self.error(reference, f"href '{href}' points to no {expected} in this file")
        return target

    def literal_expression(self, element: Element) -> LiteralExpression:
        self.check_language(element)
        text = self.text_of(element)
        if text is None:
            raise self.error(element, "the literal expression must not be empty (no <text>)")
        return LiteralExpression(
            id=element.get("id"), text=text, expression=self.expression(element, text, "the literal expression")
        )

    # -- decision tables -------------------------------------------------------------------------

    def decision_table(self, element: Element) -> DecisionTable:
        raw_policy = (element.get("hitPolicy") or "UNIQUE").strip()
        try:
            hit_policy = HitPolicy(raw_policy)
        except ValueError:
            allowed = ", ".join(p.value for p in HitPolicy)
            raise self.error(element, f"unknown hit policy '{raw_policy}' (one of {allowed})") from None
        aggregation: Aggregation | None = None
        raw_aggregation = element.get("aggregation")
        if raw_aggregation is not None and raw_aggregation.strip():
            try:
                aggregation = Aggregation(raw_aggregation.strip())
            except ValueError:
                allowed = ", ".join(a.value for a in Aggregation)
                raise self.error(element, f"unknown aggregation '{raw_aggregation}' (one of {allowed})") from None
            if hit_policy is not HitPolicy.COLLECT:
                # Zeebe ignores it; say so rather than refuse what Zeebe deploys.
                self.warnings.append(
                    f"'{self.resource}': {describe(element)}: aggregation '{aggregation}' is ignored "
                    f"with hit policy {hit_policy}"
                )
                aggregation = None

        inputs = tuple(self.input(e) for e in self.children(element, "input"))
        outputs = tuple(self.output(e) for e in self.children(element, "output"))
        if not outputs:
            raise self.error(element, "a decision table needs at least one output")
        if len(outputs) > 1:
            for output, out_element in zip(outputs, self.children(element, "output"), strict=True):
                if not output.name:
                    raise self.error(out_element, "the output has no name (required when a table has several outputs)")
            if aggregation is not None:
                raise self.error(
                    element, f"hit policy COLLECT with aggregation {aggregation} needs exactly one output column"
                )
        rules = tuple(
            self.rule(e, index, inputs, outputs) for index, e in enumerate(self.children(element, "rule"), start=1)
        )
        return DecisionTable(
            id=element.get("id"),
            hit_policy=hit_policy,
            aggregation=aggregation,
            inputs=inputs,
            outputs=outputs,
            rules=rules,
        )

    def input(self, element: Element) -> Input:
        input_id = self.required_id(element)
        expression_element = self.child(element, "inputExpression")
        text = ""
        type_ref = None
        compiled = None
        if expression_element is not None:
            self.check_language(expression_element)
            text = self.text_of(expression_element) or ""
            type_ref = expression_element.get("typeRef")
            compiled = self.expression(expression_element, text, "the input expression")
        values_text, values = self.allowed_values(element, "inputValues")
        return Input(
            id=input_id,
            label=element.get("label"),
            expression_text=text.strip(),
            expression=compiled,
            type_ref=type_ref,
            input_values_text=values_text,
            input_values=values,
        )

    def allowed_values(self, element: Element, tag: str) -> tuple[str | None, feel.CompiledUnaryTests | None]:
        """inputValues/outputValues: Zeebe does not compile them, so a bad one is a warning here."""
        values_element = self.child(element, tag)
        if values_element is None:
            return None, None
        text = self.text_of(values_element)
        if text is None or not text.strip():
            return None, None
        try:
            return text, feel.compile_unary_tests(text)
        except feel.FeelError as err:
            where = f"'{self.resource}': <{tag}> at line {values_element.sourceline}"
            self.warnings.append(f"{where}: not valid FEEL unary tests, ignored: {err}")
            return text, None

    def output(self, element: Element) -> Output:
        output_id = self.required_id(element)
        values_text, _ = self.allowed_values(element, "outputValues")
        priorities: tuple[str, ...] = ()
        if values_text is not None:
            # Zeebe (dmn-scala) splits the text at commas and strips quotes; we do the same so that
            # PRIORITY and OUTPUT ORDER rank exactly as there.
            priorities = tuple(part.strip().replace('"', "").replace("'", "") for part in values_text.split(","))
        default_element = self.child(element, "defaultOutputEntry")
        default_entry = None
        if default_element is not None:
            self.check_language(default_element)
            default_entry = self.expression(
                default_element, self.text_of(default_element) or "", "the default output entry"
            )
        return Output(
            id=output_id,
            name=element.get("name"),
            label=element.get("label"),
            type_ref=element.get("typeRef"),
            output_values_text=values_text,
            priorities=priorities,
            default_entry=default_entry,
        )

    def rule(self, element: Element, index: int, inputs: tuple[Input, ...], outputs: tuple[Output, ...]) -> Rule:
        rule_id = self.required_id(element)
        input_entries = list(self.children(element, "inputEntry"))
        output_entries = list(self.children(element, "outputEntry"))
        if len(input_entries) != len(inputs):
            raise self.error(
                element, f"the rule has {len(input_entries)} input entries but the table has {len(inputs)} inputs"
            )
        if len(output_entries) != len(outputs):
            raise self.error(
                element, f"the rule has {len(output_entries)} output entries but the table has {len(outputs)} outputs"
            )
        tests: list[feel.CompiledUnaryTests | None] = []
        for entry, column in zip(input_entries, inputs, strict=True):
            self.check_language(entry)
            text = self.text_of(entry) or ""
            tests.append(self.unary_tests(entry, text, f"the input entry for '{column.display_name}'"))
        results: list[feel.CompiledExpression | None] = []
        for entry, out in zip(output_entries, outputs, strict=True):
            self.check_language(entry)
            text = self.text_of(entry) or ""
            results.append(self.expression(entry, text, f"the output entry for '{out.display_name}'"))
        return Rule(
            id=rule_id,
            index=index,
            input_entries=tuple(tests),
            output_entries=tuple(results),
            line=element.sourceline or 0,
        )
