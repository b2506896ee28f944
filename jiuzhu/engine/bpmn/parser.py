"""Camunda 8 BPMN → Spiff specs: the Zeebe dialect of the parser, and deploy-time validation.

Validation runs on the XML first so that errors name the element and its line, as a process
designer sees them in Modeler; only then does Spiff build its specs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    BoundaryEventParser,
    EndEventParser,
    IntermediateCatchEventParser,
    StartEventParser,
)
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, EndEvent, IntermediateCatchEvent, StartEvent

from jiuzhu.engine import expressions
from jiuzhu.engine.bpmn import specs
from jiuzhu.engine.bpmn.xml import describe, element_error
from jiuzhu.engine.bpmn.zeebe import BPMN_NS, ZEEBE_NS, Extensions, read_extensions
from jiuzhu.engine.errors import invalid

# Flow elements the embedded engine runs today; anything else is refused at deploy time rather
# than half-run. Event definitions are checked separately.
SUPPORTED_ELEMENTS = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "boundaryEvent",
    "serviceTask",
    "sendTask",
    "scriptTask",
    "userTask",
    "task",
    "manualTask",
    "businessRuleTask",
    "exclusiveGateway",
    "parallelGateway",
    "subProcess",
    "sequenceFlow",
}
IGNORED_ELEMENTS = {
    "laneSet",
    "lane",
    "flowNodeRef",
    "childLaneSet",
    "textAnnotation",
    "association",
    "text",
    "documentation",
    "extensionElements",
    "incoming",
    "outgoing",
    "conditionExpression",
    "timerEventDefinition",
    "timeDate",
    "timeDuration",
    "timeCycle",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "property",
    "group",
    "category",
    "categoryValue",
}
SUPPORTED_EVENT_DEFINITIONS = {"timerEventDefinition"}


@dataclass(frozen=True)
class ParsedProcess:
    bpmn_process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]


def _task_extensions(parser: TaskParser) -> Extensions:
    return read_extensions(parser.node)


class ZeebeTaskParser(TaskParser):
    def parse_extensions(self, node: Any = None) -> Extensions:
        return _task_extensions(self)

    def create_task(self) -> Any:
        task = self.spec_class(self.spec, self.bpmn_id, **self.bpmn_attributes)
        task.zeebe = _task_extensions(self)
        return task


class ZeebeUserTaskParser(ZeebeTaskParser):
    def create_task(self) -> Any:
        ext = _task_extensions(self)
        cls = specs.CamundaUserTask if ext.user_task and ext.user_task.camunda_user_task else specs.JobTask
        task = cls(self.spec, self.bpmn_id, **self.bpmn_attributes)
        task.zeebe = ext
        return task


class ZeebeScriptTaskParser(ZeebeTaskParser):
    def create_task(self) -> Any:
        ext = _task_extensions(self)
        cls = specs.JobTask if ext.task_definition else specs.ExpressionScriptTask
        task = cls(self.spec, self.bpmn_id, **self.bpmn_attributes)
        task.zeebe = ext
        return task


class ZeebeTimerMixin:
    """Timers built on the engine clock and FEEL instead of Spiff's wall clock and Python."""

    def parse_timer_event(self, event: Any) -> Any:
        name = self.node.get("name", self.node.get("id"))  # type: ignore[attr-defined]
        for tag, cls in (
            ("timeDate", specs.ZeebeTimeDate),
            ("timeDuration", specs.ZeebeDuration),
            ("timeCycle", specs.ZeebeCycle),
        ):
            node = first(self.xpath(f".//bpmn:{tag}"))  # type: ignore[attr-defined]
            if node is not None:
                return cls(name, (node.text or "").strip())
        raise ValidationException("a timer needs a timeDate, timeDuration or timeCycle", node=self.node)  # type: ignore[attr-defined]


class ZeebeStartEventParser(ZeebeTimerMixin, StartEventParser):
    pass


class ZeebeEndEventParser(ZeebeTimerMixin, EndEventParser):
    pass


class ZeebeCatchEventParser(ZeebeTimerMixin, IntermediateCatchEventParser):
    pass


class ZeebeBoundaryEventParser(ZeebeTimerMixin, BoundaryEventParser):
    pass


class ZeebeBpmnParser(BpmnParser):
    OVERRIDE_PARSER_CLASSES = {  # noqa: RUF012 - Spiff's extension point is a class attribute
        full_tag("serviceTask"): (ZeebeTaskParser, specs.JobTask),
        full_tag("sendTask"): (ZeebeTaskParser, specs.JobTask),
        full_tag("businessRuleTask"): (ZeebeTaskParser, specs.JobTask),
        full_tag("scriptTask"): (ZeebeScriptTaskParser, specs.ExpressionScriptTask),
        full_tag("userTask"): (ZeebeUserTaskParser, specs.CamundaUserTask),
        full_tag("task"): (ZeebeTaskParser, specs.PassThroughTask),
        full_tag("manualTask"): (ZeebeTaskParser, specs.PassThroughTask),
        full_tag("startEvent"): (ZeebeStartEventParser, StartEvent),
        full_tag("endEvent"): (ZeebeEndEventParser, EndEvent),
        full_tag("intermediateCatchEvent"): (ZeebeCatchEventParser, IntermediateCatchEvent),
        full_tag("boundaryEvent"): (ZeebeBoundaryEventParser, BoundaryEvent),
    }


def parse_processes(root: etree._Element, resource_name: str) -> list[ParsedProcess]:
    """Validate a BPMN document and build one spec per executable process."""
    if etree.QName(root).localname != "definitions" or etree.QName(root).namespace != BPMN_NS:
        raise invalid(f"'{resource_name}' is not a BPMN 2.0 document (root element {describe(root)})")
    processes = [p for p in root.iterchildren(f"{{{BPMN_NS}}}process") if p.get("isExecutable") == "true"]
    if not processes:
        raise invalid(f"'{resource_name}': must contain at least one executable process (isExecutable=\"true\")")
    for process in processes:
        _validate_process(process, resource_name)
    parser = ZeebeBpmnParser()
    try:
        parser.add_bpmn_xml(root, filename=resource_name)
        parsed = []
        for process in processes:
            pid = process.get("id")
            spec = parser.get_spec(pid)
            parsed.append(ParsedProcess(pid, process.get("name") or pid, spec, parser.get_subprocess_specs(pid)))
    except ValidationException as err:
        where = f" <{err.tag} id='{err.id}'>" if err.tag else ""
        line = _line_of(root, err.id)
        raise invalid(f"'{resource_name}':{where}{line}: {err}") from err
    return parsed


def _line_of(root: etree._Element, element_id: str | None) -> str:
    if not element_id:
        return ""
    found = root.xpath("//*[@id=$i]", i=element_id)
    return f" at line {found[0].sourceline}" if found else ""


def _validate_process(process: etree._Element, resource: str) -> None:
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        qname = etree.QName(element)
        if qname.namespace != BPMN_NS:
            continue
        tag = qname.localname
        if tag.endswith("EventDefinition") and tag not in SUPPORTED_EVENT_DEFINITIONS:
            raise element_error(element, resource, f"the event definition '{tag}' is not supported yet")
        if tag in SUPPORTED_ELEMENTS:
            _validate_element(element, tag, resource)
        elif tag not in IGNORED_ELEMENTS and not tag.endswith("EventDefinition") and element is not process:
            raise element_error(element, resource, f"the element '{tag}' is not supported by the embedded engine")


def _validate_element(element: etree._Element, tag: str, resource: str) -> None:
    ext = read_extensions(element)
    needs_job = tag in ("serviceTask", "sendTask", "businessRuleTask") or (
        tag == "userTask" and not (ext.user_task and ext.user_task.camunda_user_task)
    )
    if tag == "scriptTask" and ext.task_definition is None and ext.script is None:
        raise element_error(element, resource, "must have a 'zeebe:script' or a 'zeebe:taskDefinition'")
    if tag == "businessRuleTask" and ext.task_definition is None:
        raise element_error(element, resource, "called decisions are not supported yet: use a 'zeebe:taskDefinition'")
    if needs_job and tag != "userTask" and (ext.task_definition is None or not ext.task_definition.type):
        raise element_error(element, resource, "must have exactly one 'zeebe:taskDefinition' with a 'type'")
    for text in _expressions_of(element, ext):
        try:
            expressions.check(text)
        except expressions.ExpressionError as err:
            raise element_error(element, resource, str(err)) from err
    timer = element.xpath("./bpmn:timerEventDefinition", namespaces={"bpmn": BPMN_NS})
    if tag == "startEvent" and timer and etree.QName(element.getparent()).localname == "process":
        raise element_error(element, resource, "timer start events are not supported yet: use a none start event")
    if tag == "boundaryEvent" and not element.xpath("./bpmn:timerEventDefinition", namespaces={"bpmn": BPMN_NS}):
        raise element_error(element, resource, "a boundary event needs an event definition")
    if tag == "sequenceFlow":
        condition = element.find(f"{{{BPMN_NS}}}conditionExpression")
        if condition is not None and not expressions.is_expression(condition.text):
            raise element_error(element, resource, "a condition must be a FEEL expression starting with '='")


def _expressions_of(element: etree._Element, ext: Extensions) -> list[str]:
    found: list[str] = []
    if ext.task_definition:
        found += [ext.task_definition.type, ext.task_definition.retries]
    found += [m.source for m in ext.inputs + ext.outputs]
    if ext.script:
        found.append(ext.script[0])
    for tag in ("conditionExpression", "timeDate", "timeDuration", "timeCycle"):
        for node in element.iter(f"{{{BPMN_NS}}}{tag}"):
            found.append((node.text or "").strip())
    if ext.user_task:
        ut = ext.user_task
        found += [
            v
            for v in (ut.assignee, ut.candidate_groups, ut.candidate_users, ut.due_date, ut.follow_up_date, ut.priority)
            if v
        ]
    return found


__all__ = ["ZEEBE_NS", "ParsedProcess", "parse_processes"]
