"""A small builder for Camunda 8 BPMN used by engine tests (no diagram: Zeebe needs none)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'id="defs" targetNamespace="http://bpmn.io/schema/bpmn">\n'
)


def _mappings(inputs: dict[str, str] | None, outputs: dict[str, str] | None) -> str:
    if not inputs and not outputs:
        return ""
    parts = [f"<zeebe:input source={quoteattr(s)} target={quoteattr(t)}/>" for t, s in (inputs or {}).items()]
    parts += [f"<zeebe:output source={quoteattr(s)} target={quoteattr(t)}/>" for t, s in (outputs or {}).items()]
    return "<zeebe:ioMapping>" + "".join(parts) + "</zeebe:ioMapping>"


@dataclass
class Process:
    process_id: str
    name: str = ""
    nodes: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)
    root: list[str] = field(default_factory=list)  # messages, errors, escalations
    _flow_count: int = 0

    def start(self, id: str = "start", timer: str = "") -> Process:
        body = f"<bpmn:timerEventDefinition>{timer}</bpmn:timerEventDefinition>" if timer else ""
        self.nodes.append(f'<bpmn:startEvent id="{id}">{body}</bpmn:startEvent>')
        return self

    def end(self, id: str = "end") -> Process:
        self.nodes.append(f'<bpmn:endEvent id="{id}"/>')
        return self

    def service(
        self,
        id: str,
        job_type: str,
        retries: str = "3",
        headers: dict[str, str] | None = None,
        inputs: dict[str, str] | None = None,
        outputs: dict[str, str] | None = None,
        tag: str = "serviceTask",
    ) -> Process:
        header_xml = ""
        if headers:
            header_xml = (
                "<zeebe:taskHeaders>"
                + "".join(f"<zeebe:header key={quoteattr(k)} value={quoteattr(v)}/>" for k, v in headers.items())
                + "</zeebe:taskHeaders>"
            )
        ext = (
            f"<bpmn:extensionElements><zeebe:taskDefinition type={quoteattr(job_type)} retries={quoteattr(retries)}/>"
            f"{header_xml}{_mappings(inputs, outputs)}</bpmn:extensionElements>"
        )
        self.nodes.append(f'<bpmn:{tag} id="{id}" name="{id}">{ext}</bpmn:{tag}>')
        return self

    def script(self, id: str, expression: str, result: str) -> Process:
        self.nodes.append(
            f'<bpmn:scriptTask id="{id}"><bpmn:extensionElements><zeebe:script expression={quoteattr(expression)} '
            f"resultVariable={quoteattr(result)}/></bpmn:extensionElements></bpmn:scriptTask>"
        )
        return self

    def user_task(
        self,
        id: str,
        camunda: bool = True,
        assignee: str = "",
        groups: str = "",
        due: str = "",
        form_id: str = "",
        name: str = "",
    ) -> Process:
        parts = ["<zeebe:userTask/>"] if camunda else []
        attrs = (f" assignee={quoteattr(assignee)}" if assignee else "") + (
            f" candidateGroups={quoteattr(groups)}" if groups else ""
        )
        if attrs:
            parts.append(f"<zeebe:assignmentDefinition{attrs}/>")
        if due:
            parts.append(f"<zeebe:taskSchedule dueDate={quoteattr(due)}/>")
        if form_id:
            parts.append(f"<zeebe:formDefinition formId={quoteattr(form_id)}/>")
        self.nodes.append(
            f'<bpmn:userTask id="{id}" name="{name or id}"><bpmn:extensionElements>{"".join(parts)}'
            "</bpmn:extensionElements></bpmn:userTask>"
        )
        return self

    def xor(self, id: str, default: str = "") -> Process:
        attr = f' default="{default}"' if default else ""
        self.nodes.append(f'<bpmn:exclusiveGateway id="{id}"{attr}/>')
        return self

    def parallel(self, id: str) -> Process:
        self.nodes.append(f'<bpmn:parallelGateway id="{id}"/>')
        return self

    def timer(self, id: str, kind: str, value: str) -> Process:
        self.nodes.append(
            f'<bpmn:intermediateCatchEvent id="{id}"><bpmn:timerEventDefinition>'
            f"<bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        )
        return self

    def boundary_timer(self, id: str, attached_to: str, kind: str, value: str, interrupting: bool = True) -> Process:
        cancel = "true" if interrupting else "false"
        self.nodes.append(
            f'<bpmn:boundaryEvent id="{id}" attachedToRef="{attached_to}" cancelActivity="{cancel}">'
            f"<bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>"
            "</bpmn:boundaryEvent>"
        )
        return self

    # --- root-level definitions

    def message(self, id: str, name: str, correlation_key: str = "") -> Process:
        ext = (
            f"<bpmn:extensionElements><zeebe:subscription correlationKey={quoteattr(correlation_key)}/>"
            "</bpmn:extensionElements>"
            if correlation_key
            else ""
        )
        self.root.append(f"<bpmn:message id={quoteattr(id)} name={quoteattr(name)}>{ext}</bpmn:message>")
        return self

    def signal(self, id: str, name: str) -> Process:
        self.root.append(f"<bpmn:signal id={quoteattr(id)} name={quoteattr(name)}/>")
        return self

    def error(self, id: str, code: str) -> Process:
        self.root.append(f"<bpmn:error id={quoteattr(id)} name={quoteattr(code)} errorCode={quoteattr(code)}/>")
        return self

    def escalation(self, id: str, code: str) -> Process:
        self.root.append(
            f"<bpmn:escalation id={quoteattr(id)} name={quoteattr(code)} escalationCode={quoteattr(code)}/>"
        )
        return self

    # --- events

    def boundary(
        self,
        id: str,
        attached_to: str,
        definition: str,
        interrupting: bool = True,
        outputs: dict[str, str] | None = None,
    ) -> Process:
        cancel = "true" if interrupting else "false"
        ext = f"<bpmn:extensionElements>{_mappings(None, outputs)}</bpmn:extensionElements>" if outputs else ""
        self.nodes.append(
            f'<bpmn:boundaryEvent id="{id}" attachedToRef="{attached_to}" cancelActivity="{cancel}">'
            f"{ext}{definition}</bpmn:boundaryEvent>"
        )
        return self

    def catch(self, id: str, definition: str, outputs: dict[str, str] | None = None) -> Process:
        ext = f"<bpmn:extensionElements>{_mappings(None, outputs)}</bpmn:extensionElements>" if outputs else ""
        self.nodes.append(f'<bpmn:intermediateCatchEvent id="{id}">{ext}{definition}</bpmn:intermediateCatchEvent>')
        return self

    def throw(self, id: str, definition: str) -> Process:
        self.nodes.append(f'<bpmn:intermediateThrowEvent id="{id}">{definition}</bpmn:intermediateThrowEvent>')
        return self

    def end_with(self, id: str, definition: str) -> Process:
        self.nodes.append(f'<bpmn:endEvent id="{id}">{definition}</bpmn:endEvent>')
        return self

    def start_with(self, id: str, definition: str, interrupting: bool = True) -> Process:
        attr = "" if interrupting else ' isInterrupting="false"'
        self.nodes.append(f'<bpmn:startEvent id="{id}"{attr}>{definition}</bpmn:startEvent>')
        return self

    def receive(self, id: str, message_id: str) -> Process:
        self.nodes.append(f'<bpmn:receiveTask id="{id}" messageRef="{message_id}"/>')
        return self

    def subprocess(
        self,
        id: str,
        inner: Process,
        inputs: dict[str, str] | None = None,
        outputs: dict[str, str] | None = None,
        loop: str = "",
    ) -> Process:
        body = "\n".join(inner.nodes + inner.flows)
        ext = (
            f"<bpmn:extensionElements>{_mappings(inputs, outputs)}</bpmn:extensionElements>"
            if inputs or outputs
            else ""
        )
        self.nodes.append(f'<bpmn:subProcess id="{id}">{ext}{loop}{body}</bpmn:subProcess>')
        self.root.extend(inner.root)
        return self

    def call(
        self,
        id: str,
        process_id: str,
        inputs: dict[str, str] | None = None,
        outputs: dict[str, str] | None = None,
        propagate_child: bool = True,
    ) -> Process:
        propagate = "" if propagate_child else ' propagateAllChildVariables="false"'
        self.nodes.append(
            f'<bpmn:callActivity id="{id}"><bpmn:extensionElements>'
            f"<zeebe:calledElement processId={quoteattr(process_id)}{propagate}/>{_mappings(inputs, outputs)}"
            "</bpmn:extensionElements></bpmn:callActivity>"
        )
        return self

    def multi(
        self,
        id: str,
        job_type: str,
        collection: str,
        element: str = "item",
        output_collection: str = "",
        output_element: str = "",
        sequential: bool = False,
        completion: str = "",
    ) -> Process:
        """A service task run once per item."""
        outputs = (
            f" outputCollection={quoteattr(output_collection)} outputElement={quoteattr(output_element)}"
            if output_collection
            else ""
        )
        condition = f"<bpmn:completionCondition>{completion}</bpmn:completionCondition>" if completion else ""
        seq = "true" if sequential else "false"
        self.nodes.append(
            f'<bpmn:serviceTask id="{id}"><bpmn:extensionElements>'
            f"<zeebe:taskDefinition type={quoteattr(job_type)}/></bpmn:extensionElements>"
            f'<bpmn:multiInstanceLoopCharacteristics isSequential="{seq}"><bpmn:extensionElements>'
            f"<zeebe:loopCharacteristics inputCollection={quoteattr(collection)} inputElement={quoteattr(element)}"
            f"{outputs}/></bpmn:extensionElements>{condition}</bpmn:multiInstanceLoopCharacteristics>"
            "</bpmn:serviceTask>"
        )
        return self

    def event_subprocess(self, id: str, inner: Process) -> Process:
        body = "\n".join(inner.nodes + inner.flows)
        self.nodes.append(f'<bpmn:subProcess id="{id}" triggeredByEvent="true">{body}</bpmn:subProcess>')
        self.root.extend(inner.root)
        return self

    def raw(self, xml: str) -> Process:
        self.nodes.append(xml)
        return self

    def flow(self, source: str, target: str, condition: str = "", id: str = "") -> Process:
        self._flow_count += 1
        flow_id = id or f"flow{self._flow_count}"
        body = (
            f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
            if condition
            else ""
        )
        self.flows.append(
            f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{body}</bpmn:sequenceFlow>'
        )
        return self

    def chain(self, *ids: str) -> Process:
        for source, target in itertools.pairwise(ids):
            self.flow(source, target)
        return self

    def xml(self) -> bytes:
        body = "\n".join(self.nodes + self.flows)
        return (
            HEADER
            + "".join(line + "\n" for line in self.root)
            + f'<bpmn:process id="{self.process_id}" name="{self.name or self.process_id}" isExecutable="true">\n'
            f"{body}\n</bpmn:process>\n</bpmn:definitions>\n"
        ).encode()


def message_ref(message_id: str) -> str:
    return f'<bpmn:messageEventDefinition messageRef="{message_id}"/>'


def error_ref(error_id: str = "") -> str:
    return f'<bpmn:errorEventDefinition errorRef="{error_id}"/>' if error_id else "<bpmn:errorEventDefinition/>"


def escalation_ref(escalation_id: str = "") -> str:
    if not escalation_id:
        return "<bpmn:escalationEventDefinition/>"
    return f'<bpmn:escalationEventDefinition escalationRef="{escalation_id}"/>'


def linear_jobs(process_id: str, job_types: list[str]) -> bytes:
    """start → one service task per job type → end."""
    p = Process(process_id).start()
    ids = ["start"]
    for index, job_type in enumerate(job_types):
        p.service(f"task{index + 1}", job_type)
        ids.append(f"task{index + 1}")
    p.end()
    ids.append("end")
    return p.chain(*ids).xml()
