"""The `zeebe:*` extension elements of Camunda 8 BPMN, read into plain frozen records.

Only the extension elements are read here; what they mean at run time lives in `specs.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NSMAP = {"zeebe": ZEEBE_NS, "bpmn": BPMN_NS}


@dataclass(frozen=True)
class Mapping:
    source: str
    target: str


@dataclass(frozen=True)
class TaskDefinition:
    type: str
    retries: str = "3"


@dataclass(frozen=True)
class UserTaskDefinition:
    """A Camunda user task (`zeebe:userTask` present) or a job-based one (absent)."""

    camunda_user_task: bool
    assignee: str | None = None
    candidate_groups: str | None = None
    candidate_users: str | None = None
    due_date: str | None = None
    follow_up_date: str | None = None
    priority: str | None = None
    form_key: str | None = None
    form_id: str | None = None
    external_reference: str | None = None


@dataclass(frozen=True)
class CalledElement:
    process_id: str
    propagate_all_child_variables: bool = True
    propagate_all_parent_variables: bool = True


@dataclass(frozen=True)
class Extensions:
    task_definition: TaskDefinition | None = None
    headers: tuple[tuple[str, str], ...] = ()
    inputs: tuple[Mapping, ...] = ()
    outputs: tuple[Mapping, ...] = ()
    user_task: UserTaskDefinition | None = None
    script: tuple[str, str] | None = None  # (expression, resultVariable)
    called_decision: tuple[str, str] | None = None  # (decisionId, resultVariable)
    called_element: CalledElement | None = None
    properties: dict[str, str] = field(default_factory=dict)


def _find(node: etree._Element, path: str) -> list[etree._Element]:
    return node.xpath(path, namespaces=NSMAP)


def read_extensions(node: etree._Element) -> Extensions:
    ext = _find(node, "./bpmn:extensionElements")
    if not ext:
        return Extensions(user_task=_user_task(node, None))
    root = ext[0]
    task_def = None
    for td in _find(root, "./zeebe:taskDefinition"):
        task_def = TaskDefinition(type=td.get("type", ""), retries=td.get("retries") or "3")
    headers = tuple((h.get("key", ""), h.get("value", "")) for h in _find(root, "./zeebe:taskHeaders/zeebe:header"))
    inputs = tuple(
        Mapping(m.get("source", ""), m.get("target", "")) for m in _find(root, "./zeebe:ioMapping/zeebe:input")
    )
    outputs = tuple(
        Mapping(m.get("source", ""), m.get("target", "")) for m in _find(root, "./zeebe:ioMapping/zeebe:output")
    )
    script = None
    for sc in _find(root, "./zeebe:script"):
        script = (sc.get("expression", ""), sc.get("resultVariable", ""))
    properties = {p.get("name", ""): p.get("value", "") for p in _find(root, "./zeebe:properties/zeebe:property")}
    called_element = None
    for ce in _find(root, "./zeebe:calledElement"):
        called_element = CalledElement(
            ce.get("processId", ""),
            ce.get("propagateAllChildVariables", "true") != "false",
            ce.get("propagateAllParentVariables", "true") != "false",
        )
    called_decision = None
    for cd in _find(root, "./zeebe:calledDecision"):
        called_decision = (cd.get("decisionId", ""), cd.get("resultVariable", ""))
    return Extensions(
        task_definition=task_def,
        headers=headers,
        inputs=inputs,
        outputs=outputs,
        user_task=_user_task(node, root),
        script=script,
        called_decision=called_decision,
        called_element=called_element,
        properties=properties,
    )


def _user_task(node: etree._Element, ext: etree._Element | None) -> UserTaskDefinition | None:
    if etree.QName(node).localname != "userTask":
        return None
    if ext is None:
        return UserTaskDefinition(camunda_user_task=False)
    assignment = _find(ext, "./zeebe:assignmentDefinition")
    schedule = _find(ext, "./zeebe:taskSchedule")
    form = _find(ext, "./zeebe:formDefinition")
    priority = _find(ext, "./zeebe:priorityDefinition")
    a = assignment[0] if assignment else None
    s = schedule[0] if schedule else None
    f = form[0] if form else None
    return UserTaskDefinition(
        camunda_user_task=bool(_find(ext, "./zeebe:userTask")),
        assignee=a.get("assignee") if a is not None else None,
        candidate_groups=a.get("candidateGroups") if a is not None else None,
        candidate_users=a.get("candidateUsers") if a is not None else None,
        due_date=s.get("dueDate") if s is not None else None,
        follow_up_date=s.get("followUpDate") if s is not None else None,
        priority=priority[0].get("priority") if priority else None,
        form_key=f.get("formKey") if f is not None else None,
        form_id=f.get("formId") if f is not None else None,
        external_reference=f.get("externalReference") if f is not None else None,
    )
