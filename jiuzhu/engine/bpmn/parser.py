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
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TIMER_EVENT_XPATH,
    BoundaryEventParser,
    EndEventParser,
    EventBasedGatewayParser,
    IntermediateCatchEventParser,
    IntermediateThrowEventParser,
    ReceiveTaskParser,
    StartEventParser,
)
from SpiffWorkflow.bpmn.parser.ProcessParser import ProcessParser
from SpiffWorkflow.bpmn.parser.task_parsers import SubprocessParser, SubWorkflowParser
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from jiuzhu.engine import expressions
from jiuzhu.engine.bpmn import specs, timers
from jiuzhu.engine.bpmn.xml import describe, element_error
from jiuzhu.engine.bpmn.zeebe import BPMN_NS, NSMAP, ZEEBE_NS, Extensions, read_extensions
from jiuzhu.engine.errors import EngineError, invalid

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
    "receiveTask",
    "intermediateThrowEvent",
    "inclusiveGateway",
    "callActivity",
    "multiInstanceLoopCharacteristics",
    "eventBasedGateway",
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
    "completionCondition",
}
SUPPORTED_EVENT_DEFINITIONS = {
    "timerEventDefinition",
    "messageEventDefinition",
    "errorEventDefinition",
    "escalationEventDefinition",
    "terminateEventDefinition",
    "signalEventDefinition",
    "linkEventDefinition",
}


@dataclass(frozen=True)
class ParsedProcess:
    bpmn_process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]


def _task_extensions(parser: TaskParser) -> Extensions:
    return read_extensions(parser.node)


class ZeebeLoopMixin:
    """Zeebe's multi-instance (`zeebe:loopCharacteristics`) instead of Spiff's data references."""

    node: Any
    task: Any
    spec: Any
    bpmn_id: str

    def _add_multiinstance_task(self, loop_characteristics: Any) -> None:
        zeebe = loop_characteristics.xpath("./bpmn:extensionElements/zeebe:loopCharacteristics", namespaces=NSMAP)
        if not zeebe or not zeebe[0].get("inputCollection"):
            raise ValidationException(
                "a multi-instance activity needs zeebe:loopCharacteristics inputCollection", node=self.node
            )
        z = zeebe[0]
        condition = loop_characteristics.find(f"{{{BPMN_NS}}}completionCondition")
        loop = specs.LoopCharacteristics(
            sequential=loop_characteristics.get("isSequential") == "true",
            input_collection=z.get("inputCollection"),
            input_element=z.get("inputElement") or None,
            output_collection=z.get("outputCollection") or None,
            output_element=z.get("outputElement") or None,
            completion_condition=(condition.text or "").strip() if condition is not None and condition.text else None,
        )
        original = self.spec.task_specs.pop(self.task.name)
        body = specs.ZeebeMultiInstance(self.spec, original.name, loop, description="Multi-instance")
        body.bpmn_id, body.bpmn_name = original.bpmn_id, original.bpmn_name
        body.zeebe = Extensions()
        self.task = body
        self._copy_task_attrs(original, loop_characteristics)  # type: ignore[attr-defined]
        # Connected once per parsed spec (specs outlive instances), so it survives restarts.
        original.completed_event.connect(body.merge_child)

    def _add_loop_task(self, loop_characteristics: Any) -> None:
        raise ValidationException("standard loops are not supported by Zeebe: use multi-instance", node=self.node)


class ZeebeTaskParser(ZeebeLoopMixin, TaskParser):
    def parse_extensions(self, node: Any = None) -> Extensions:
        return _task_extensions(self)

    def create_task(self) -> Any:
        task = self.spec_class(self.spec, self.bpmn_id, **self.bpmn_attributes)
        task.zeebe = _task_extensions(self)
        return task


class ZeebeSubProcessParser(ZeebeLoopMixin, SubWorkflowParser):
    def create_task(self) -> Any:
        subworkflow_spec = SubprocessParser.get_subprocess_spec(self)
        # Spiff looks for a namespaced `triggeredByEvent`; Modeler writes it unprefixed.
        cls = specs.ZeebeEventSubProcess if self.node.get("triggeredByEvent") == "true" else self.spec_class
        task = cls(self.spec, self.bpmn_id, subworkflow_spec=subworkflow_spec, **self.bpmn_attributes)
        task.zeebe = read_extensions(self.node)
        return task


class ZeebeCallActivityParser(ZeebeTaskParser):
    pass


class ZeebeUserTaskParser(ZeebeTaskParser):
    def create_task(self) -> Any:
        ext = _task_extensions(self)
        cls = specs.CamundaUserTask if ext.user_task and ext.user_task.camunda_user_task else specs.JobTask
        task = cls(self.spec, self.bpmn_id, **self.bpmn_attributes)
        task.zeebe = ext
        return task


class ZeebeBusinessRuleTaskParser(ZeebeTaskParser):
    def create_task(self) -> Any:
        ext = _task_extensions(self)
        cls = specs.DecisionTask if ext.called_decision else specs.JobTask
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


class ZeebeEventParserMixin:
    """Event definitions in the Zeebe dialect: timers on the engine clock with FEEL values, messages
    with `zeebe:subscription`, errors and escalations routed by the runtime."""

    node: Any
    xpath: Any  # Spiff's NodeParser provides these

    def create_task(self) -> Any:
        task = super().create_task()  # type: ignore[misc]
        task.zeebe = read_extensions(self.node)
        return task

    def parse_timer_event(self, event: Any) -> Any:
        name = self.node.get("name", self.node.get("id"))
        for tag, cls in (
            ("timeDate", specs.ZeebeTimeDate),
            ("timeDuration", specs.ZeebeDuration),
            ("timeCycle", specs.ZeebeCycle),
        ):
            node = first(self.xpath(f".//bpmn:{tag}"))
            if node is not None:
                return cls(name, (node.text or "").strip())
        raise ValidationException("a timer needs a timeDate, timeDuration or timeCycle", node=self.node)

    def parse_message_event(self, event: Any) -> Any:
        message = _referenced(self.node, event.get("messageRef"), "message")
        key = message.xpath("./bpmn:extensionElements/zeebe:subscription/@correlationKey", namespaces=NSMAP)
        return specs.ZeebeMessageDefinition(message.get("name", ""), key[0] if key else None)

    def parse_signal_event(self, event: Any) -> Any:
        signal = _referenced(self.node, event.get("signalRef"), "signal")
        return specs.ZeebeSignalDefinition(signal.get("name", ""))

    def parse_error_event(self, event: Any) -> Any:
        ref = event.get("errorRef")
        error = _referenced(self.node, ref, "error") if ref else None
        code = error.get("errorCode") if error is not None else None
        return specs.ZeebeErrorDefinition(error.get("name", code) if error is not None else "catch-all", code)

    def parse_escalation_event(self, event: Any) -> Any:
        ref = event.get("escalationRef")
        escalation = _referenced(self.node, ref, "escalation") if ref else None
        code = escalation.get("escalationCode") if escalation is not None else None
        name = escalation.get("name", code) if escalation is not None else "catch-all"
        return specs.ZeebeEscalationDefinition(name, code)


def _referenced(node: etree._Element, ref: str | None, tag: str) -> etree._Element:
    found = node.getroottree().getroot().xpath(f"./bpmn:{tag}[@id=$ref]", ref=ref or "", namespaces=NSMAP)
    if not found:
        raise ValidationException(f"the {tag} '{ref}' it refers to is not defined", node=node)
    return found[0]


class ZeebeStartEventParser(ZeebeEventParserMixin, StartEventParser):
    def create_task(self) -> Any:
        # Spiff's start events know no error or escalation: event sub-processes need both.
        definition = self.get_event_definition(
            [MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH, TIMER_EVENT_XPATH, ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH]
        )
        task = self._create_task(definition)
        self.spec.start.connect(task)
        task.zeebe = read_extensions(self.node)
        task.interrupting = self.node.get("isInterrupting", "true") != "false"
        return task


class ZeebeEndEventParser(ZeebeEventParserMixin, EndEventParser):
    def create_task(self) -> Any:
        return _job_throw_event(self) or super().create_task()


class ZeebeCatchEventParser(ZeebeEventParserMixin, IntermediateCatchEventParser):
    def create_task(self) -> Any:
        if self.node.find(f"{{{BPMN_NS}}}linkEventDefinition") is not None:
            task = specs.PassThroughTask(self.spec, self.bpmn_id, **self.bpmn_attributes)
            task.zeebe = Extensions()
            return task
        return super().create_task()


class ZeebeThrowEventParser(ZeebeEventParserMixin, IntermediateThrowEventParser):
    def create_task(self) -> Any:
        return _job_throw_event(self) or super().create_task()

    def parse_node(self) -> Any:
        link = self.node.find(f"{{{BPMN_NS}}}linkEventDefinition")
        if link is None:
            return super().parse_node()
        # A link throw event continues at the link catch event of the same name in its scope.
        task = specs.PassThroughTask(self.spec, self.bpmn_id, **self.bpmn_attributes)
        task.zeebe = Extensions()
        name = link.get("name")
        scope = self.node.getparent()
        catches = [
            n
            for n in scope.iterchildren(f"{{{BPMN_NS}}}intermediateCatchEvent")
            if (d := n.find(f"{{{BPMN_NS}}}linkEventDefinition")) is not None and d.get("name") == name
        ]
        if len(catches) != 1:
            raise ValidationException(f"expected exactly one link catch event named '{name}'", node=self.node)
        task.connect(self.process_parser.parse_node(catches[0]))
        return task


class ZeebeBoundaryEventParser(ZeebeEventParserMixin, BoundaryEventParser):
    pass


class ZeebeEventBasedGatewayParser(ZeebeEventParserMixin, EventBasedGatewayParser):
    def create_task(self) -> Any:
        task = self._create_task(specs.ZeebeGatewayEvents())
        task.zeebe = read_extensions(self.node)
        return task


class ZeebeReceiveTaskParser(ZeebeEventParserMixin, ReceiveTaskParser):
    pass


def _job_throw_event(parser: Any) -> Any:
    """A message throw event with a task definition is a job, as in Zeebe."""
    ext = read_extensions(parser.node)
    if ext.task_definition is None:
        return None
    task = specs.JobTask(parser.spec, parser.bpmn_id, **parser.bpmn_attributes)
    task.zeebe = ext
    return task


class ZeebeProcessParser(ProcessParser):
    def add_tasks(self) -> None:
        super().add_tasks()
        # Spiff starts only timer-started event sub-processes with their scope; all of them wait
        # behind their start event here, whatever its kind, so the runtime can trigger them.
        start = self.spec.start
        for name in list(start.trigger_specs):
            host = self.spec.task_specs[name]
            start.connect(host)
            host.connect(self.spec.end)
        start.trigger_specs = []
        # Implicit end, as Zeebe: a flow node without outgoing sequence flow ends its token there; the
        # scope completes when no token is left (Spiff's end join waits for the others).
        for task_spec in list(self.spec.task_specs.values()):
            if task_spec is not self.spec.end and getattr(task_spec, "bpmn_id", None) and not task_spec.outputs:
                task_spec.connect(self.spec.end)
        if etree.QName(self.node).localname == "process":  # not an event sub-process's own timers
            for task_spec in self.spec.task_specs.values():
                timer = getattr(task_spec, "event_definition", None)
                if isinstance(task_spec, specs.ZeebeStartEvent) and isinstance(
                    timer, specs.ZeebeTimeDate | specs.ZeebeCycle
                ):
                    task_spec.event_definition = specs.ZeebeTimerStartDefinition(timer)


class ZeebeBpmnParser(BpmnParser):
    PROCESS_PARSER_CLASS = ZeebeProcessParser

    OVERRIDE_PARSER_CLASSES = {  # noqa: RUF012 - Spiff's extension point is a class attribute
        full_tag("serviceTask"): (ZeebeTaskParser, specs.JobTask),
        full_tag("sendTask"): (ZeebeTaskParser, specs.JobTask),
        full_tag("businessRuleTask"): (ZeebeBusinessRuleTaskParser, specs.DecisionTask),
        full_tag("scriptTask"): (ZeebeScriptTaskParser, specs.ExpressionScriptTask),
        full_tag("userTask"): (ZeebeUserTaskParser, specs.CamundaUserTask),
        full_tag("task"): (ZeebeTaskParser, specs.PassThroughTask),
        full_tag("manualTask"): (ZeebeTaskParser, specs.PassThroughTask),
        full_tag("startEvent"): (ZeebeStartEventParser, specs.ZeebeStartEvent),
        full_tag("endEvent"): (ZeebeEndEventParser, specs.ZeebeEndEvent),
        full_tag("intermediateCatchEvent"): (ZeebeCatchEventParser, specs.ZeebeIntermediateCatchEvent),
        full_tag("intermediateThrowEvent"): (ZeebeThrowEventParser, specs.ZeebeIntermediateThrowEvent),
        full_tag("boundaryEvent"): (ZeebeBoundaryEventParser, specs.ZeebeBoundaryEvent),
        full_tag("receiveTask"): (ZeebeReceiveTaskParser, specs.ZeebeReceiveTask),
        full_tag("subProcess"): (ZeebeSubProcessParser, specs.ZeebeSubProcess),
        full_tag("eventBasedGateway"): (ZeebeEventBasedGatewayParser, specs.ZeebeEventBasedGateway),
        full_tag("callActivity"): (ZeebeCallActivityParser, specs.CallActivityTask),
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
    """Every problem of the process at once, as Zeebe lists all of them in one rejection."""
    problems: list[str] = []

    def check(validate: Any, *args: Any) -> None:
        try:
            validate(*args)
        except EngineError as err:
            problems.append(err.message)

    check(_validate_flows, process, resource)
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        qname = etree.QName(element)
        if qname.namespace != BPMN_NS:
            continue
        tag = qname.localname
        if tag.endswith("EventDefinition") and tag not in SUPPORTED_EVENT_DEFINITIONS:
            problems.append(
                element_error(element, resource, f"the event definition '{tag}' is not supported yet").message
            )
        elif tag in SUPPORTED_ELEMENTS:
            check(_validate_element, element, tag, resource)
        elif tag not in IGNORED_ELEMENTS and not tag.endswith("EventDefinition") and element is not process:
            message = f"the element '{tag}' is not supported by the embedded engine"
            problems.append(element_error(element, resource, message).message)
    if len(problems) == 1:
        raise invalid(problems[0])
    if problems:
        listed = "\n".join(f"- {p}" for p in problems)
        raise invalid(f"'{resource}' has {len(problems)} problems:\n{listed}")


def _validate_flows(process: etree._Element, resource: str) -> None:
    """Every sequence flow joins two elements of its own (sub-)process, as Zeebe checks."""
    for container in [process, *process.iter(f"{{{BPMN_NS}}}subProcess")]:
        ids = {child.get("id") for child in container if isinstance(child.tag, str)}
        for flow in container.iterchildren(f"{{{BPMN_NS}}}sequenceFlow"):
            for end in ("sourceRef", "targetRef"):
                ref = flow.get(end)
                if not ref or ref not in ids or ref == flow.get("id"):
                    raise element_error(
                        flow,
                        resource,
                        f"the {end} '{ref or ''}' does not name an element of the same process or sub-process",
                    )


def _validate_element(element: etree._Element, tag: str, resource: str) -> None:
    ext = read_extensions(element)
    needs_job = (
        tag in ("serviceTask", "sendTask")
        or (tag == "businessRuleTask" and not ext.called_decision)
        or (tag == "userTask" and not (ext.user_task and ext.user_task.camunda_user_task))
    )
    if tag == "scriptTask" and ext.task_definition is None and ext.script is None:
        raise element_error(element, resource, "must have a 'zeebe:script' or a 'zeebe:taskDefinition'")
    if tag == "businessRuleTask" and ext.task_definition is None and ext.called_decision is None:
        raise element_error(element, resource, "must have a 'zeebe:calledDecision' or a 'zeebe:taskDefinition'")
    if tag == "callActivity" and (ext.called_element is None or not ext.called_element.process_id):
        raise element_error(element, resource, "must have a 'zeebe:calledElement' with a processId")
    if tag == "multiInstanceLoopCharacteristics":
        loop = element.xpath("./bpmn:extensionElements/zeebe:loopCharacteristics", namespaces=NSMAP)
        if not loop or not loop[0].get("inputCollection"):
            raise element_error(
                element, resource, "a multi-instance activity needs a zeebe:loopCharacteristics inputCollection"
            )
        for text in [loop[0].get("inputCollection", ""), loop[0].get("outputElement", "")]:
            try:
                expressions.check(text)
            except expressions.ExpressionError as err:
                raise element_error(element, resource, str(err)) from err
    if ext.called_decision and not (ext.called_decision[0] and ext.called_decision[1]):
        raise element_error(element, resource, "'zeebe:calledDecision' needs a decisionId and a resultVariable")
    if needs_job and tag != "userTask" and (ext.task_definition is None or not ext.task_definition.type):
        raise element_error(element, resource, "must have exactly one 'zeebe:taskDefinition' with a 'type'")
    for text in _expressions_of(element, ext):
        try:
            expressions.check(text)
        except expressions.ExpressionError as err:
            raise element_error(element, resource, str(err)) from err
    _check_timer_literals(element, resource)
    timer = element.xpath("./bpmn:timerEventDefinition", namespaces={"bpmn": BPMN_NS})
    if tag == "startEvent" and timer and etree.QName(element.getparent()).localname == "process":
        kinds = [etree.QName(c).localname for c in timer[0]]
        if "timeDuration" in kinds or not ({"timeDate", "timeCycle"} & set(kinds)):
            raise element_error(element, resource, "a timer start event needs a 'timeDate' or a 'timeCycle'")
    definitions = [etree.QName(c).localname for c in element if str(etree.QName(c).localname).endswith("Definition")]
    if tag == "boundaryEvent" and not definitions:
        raise element_error(element, resource, "a boundary event needs an event definition")
    message_throw = tag in ("intermediateThrowEvent", "endEvent") and "messageEventDefinition" in definitions
    if message_throw and ext.task_definition is None:
        raise element_error(element, resource, "a message throw event must have a 'zeebe:taskDefinition'")
    if tag in ("intermediateCatchEvent", "boundaryEvent", "receiveTask", "startEvent") and (
        "messageEventDefinition" in definitions or tag == "receiveTask"
    ):
        _validate_message_catch(element, tag, resource)
    if "signalEventDefinition" in definitions:
        _validate_signal(element, resource)
    if tag in ("endEvent", "intermediateThrowEvent") and "errorEventDefinition" in definitions:
        _validate_thrown_code(element, "error", "errorCode", resource)
    if tag in ("endEvent", "intermediateThrowEvent") and "escalationEventDefinition" in definitions:
        _validate_thrown_code(element, "escalation", "escalationCode", resource)
    if tag == "sequenceFlow":
        condition = element.find(f"{{{BPMN_NS}}}conditionExpression")
        if condition is not None and not expressions.is_expression(condition.text):
            raise element_error(element, resource, "a condition must be a FEEL expression starting with '='")


def _validate_message_catch(element: etree._Element, tag: str, resource: str) -> None:
    ref_holder = element if tag == "receiveTask" else element.find(f"{{{BPMN_NS}}}messageEventDefinition")
    ref = ref_holder.get("messageRef") if ref_holder is not None else None
    root = element.getroottree().getroot()
    found = root.xpath("./bpmn:message[@id=$ref]", ref=ref or "", namespaces=NSMAP)
    if not found or not found[0].get("name"):
        raise element_error(element, resource, "must refer to a message with a name (messageRef)")
    keys = found[0].xpath("./bpmn:extensionElements/zeebe:subscription/@correlationKey", namespaces=NSMAP)
    in_process = etree.QName(element.getparent()).localname == "process"
    if not keys and not (tag == "startEvent" and in_process):
        raise element_error(element, resource, f"the message '{found[0].get('name')}' needs a correlation key")
    for text in [*keys, found[0].get("name", "")]:
        try:
            expressions.check(text)
        except expressions.ExpressionError as err:
            raise element_error(element, resource, str(err)) from err


def _validate_signal(element: etree._Element, resource: str) -> None:
    definition = element.find(f"{{{BPMN_NS}}}signalEventDefinition")
    ref = definition.get("signalRef") if definition is not None else None
    found = element.getroottree().getroot().xpath("./bpmn:signal[@id=$ref]", ref=ref or "", namespaces=NSMAP)
    if not found or not found[0].get("name"):
        raise element_error(element, resource, "must refer to a signal with a name (signalRef)")


def _validate_thrown_code(element: etree._Element, kind: str, attribute: str, resource: str) -> None:
    definition = element.find(f"{{{BPMN_NS}}}{kind}EventDefinition")
    ref = definition.get(f"{kind}Ref") if definition is not None else None
    root = element.getroottree().getroot()
    found = root.xpath(f"./bpmn:{kind}[@id=$ref]", ref=ref or "", namespaces=NSMAP)
    if not found or not found[0].get(attribute):
        raise element_error(element, resource, f"a thrown {kind} must refer to an {kind} with an {attribute}")


def _check_timer_literals(element: etree._Element, resource: str) -> None:
    """Literal durations and cycles within the bounds of ``timers`` (FEEL ones are checked when due)."""
    for tag, check in (("timeDuration", timers.check_duration), ("timeCycle", timers.check_cycle)):
        for node in element.iter(f"{{{BPMN_NS}}}{tag}"):
            literal = (node.text or "").strip()
            if literal and not literal.startswith("="):
                try:
                    check(literal)
                except expressions.ExpressionError as err:
                    raise element_error(element, resource, str(err)) from err


def _expressions_of(element: etree._Element, ext: Extensions) -> list[str]:
    found: list[str] = []
    if ext.task_definition:
        found += [ext.task_definition.type, ext.task_definition.retries]
    found += [m.source for m in ext.inputs + ext.outputs]
    if ext.script:
        found.append(ext.script[0])
    if ext.called_decision:
        found.append(ext.called_decision[0])
    if ext.called_element:
        found.append(ext.called_element.process_id)
    for node in element.iter(f"{{{BPMN_NS}}}completionCondition"):
        found.append((node.text or "").strip())
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
