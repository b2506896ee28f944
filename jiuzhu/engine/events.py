"""Routing thrown events through a Spiff task tree the way Zeebe scopes them.

An error or escalation goes to the boundary events of the element that raised it, then of each
enclosing sub-process, innermost first; a specific code wins over a catch-all at each level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from jiuzhu.engine import scopes
from jiuzhu.engine.bpmn.specs import ZeebeErrorDefinition, ZeebeEscalationDefinition

KINDS = {"error": ZeebeErrorDefinition, "escalation": ZeebeEscalationDefinition}


@dataclass
class Catch:
    catcher: Any  # the waiting boundary event task, or an event sub-process's start event task
    host: Any  # the element a boundary is attached to; None for an event sub-process

    @property
    def interrupting(self) -> bool:
        if self.host is None:
            return bool(getattr(self.catcher.task_spec, "interrupting", True))
        return bool(self.catcher.task_spec.cancel_activity)


def enclosing_host(task: Any) -> Any:
    """The sub-process task whose scope contains `task`, or None at the process level."""
    workflow = task.workflow
    if workflow.parent_task_id is None:
        return None
    return workflow.top_workflow.get_task_from_id(workflow.parent_task_id)


def attached_boundaries(host: Any) -> list[Any]:
    parent = host.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return []
    return [
        child
        for child in parent.children
        if child is not host and isinstance(child.task_spec, BoundaryEvent) and child.state == TaskState.WAITING
    ]


def idle_event_subprocesses(workflow: Any) -> list[Any]:
    """Event sub-process tasks of `workflow` whose start event has not fired yet."""
    from jiuzhu.engine.bpmn.specs import ZeebeEventSubProcess

    return [
        t
        for t in workflow.get_tasks(state=TaskState.STARTED)
        if isinstance(t.task_spec, ZeebeEventSubProcess) and not t.internal_data.get("esp_fired")
    ]


def waiting_start(host: Any) -> Any:
    """The waiting start event inside an event sub-process task, if any."""
    sub = host.workflow.top_workflow.subprocesses.get(host.id)
    if sub is None:
        return None
    for task in sub.get_tasks(state=TaskState.WAITING):
        if task.task_spec.__class__.__name__ == "ZeebeStartEvent":
            return task
    return None


def _best(candidates: list[Any], code: str | None) -> Any:
    exact = [c for c in candidates if c.task_spec.event_definition.code == code]
    catch_all = [c for c in candidates if c.task_spec.event_definition.code is None]
    return (exact or catch_all or [None])[0]


def find_catch(task: Any, kind: str, code: str | None, include_self: bool) -> Catch | None:
    """Boundaries of the raising element, then event sub-processes of its scope, then the same
    one scope further out, until the process level."""
    definition_class = KINDS[kind]
    current, check_boundaries = task, include_self
    while current is not None:
        if check_boundaries:
            boundaries = [
                b for b in attached_boundaries(current) if isinstance(b.task_spec.event_definition, definition_class)
            ]
            best = _best(boundaries, code)
            if best is not None:
                return Catch(best, current)
        starts = [waiting_start(h) for h in idle_event_subprocesses(current.workflow)]
        starts = [s for s in starts if s is not None and isinstance(s.task_spec.event_definition, definition_class)]
        best = _best(starts, code)
        if best is not None:
            return Catch(best, None)
        current, check_boundaries = enclosing_host(current), True
    return None


def deliver(catcher: Any, kind: str, variables: dict[str, Any]) -> None:
    """Trigger one waiting catch task with what it caught, held in its local scope."""
    local = scopes.local_scope(catcher, create=True)
    assert local is not None
    local.clear()
    local.update(variables)
    catcher.internal_data["caught"] = kind
    catcher.task_spec.catch(catcher, BpmnEvent(catcher.task_spec.event_definition, {}))
    catcher.task_spec._update(catcher)
