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
    catcher: Any  # the waiting boundary event task
    host: Any  # the element it is attached to

    @property
    def interrupting(self) -> bool:
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


def find_catch(task: Any, kind: str, code: str | None, include_self: bool) -> Catch | None:
    definition_class = KINDS[kind]
    host = task if include_self else enclosing_host(task)
    while host is not None:
        candidates = [
            b for b in attached_boundaries(host) if isinstance(b.task_spec.event_definition, definition_class)
        ]
        exact = [b for b in candidates if b.task_spec.event_definition.code == code]
        catch_all = [b for b in candidates if b.task_spec.event_definition.code is None]
        if exact or catch_all:
            return Catch((exact or catch_all)[0], host)
        host = enclosing_host(host)
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
