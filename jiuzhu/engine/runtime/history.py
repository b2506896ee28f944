"""Element-instance history: every element instance a token passed through, kept after the instance ends.

Zeebe exports each element instance (activated, completed, terminated) to Operate; here the engine
writes the same facts itself, as rows of `ElementInstance` in the command's own `Changes`, so they are
committed in the transaction that made them (nothing acknowledged is missing from the history).

The engine calls `observe` with an instance's Spiff workflow after running it (before the finished
trunk is compacted away) and again when it saves it: an element seen active gets a row (ACTIVE, its
start time); once Spiff has finished it the row is closed (COMPLETED, or TERMINATED for a cancelled
one). An element that started and finished within one command gets a closed row at once. A task
carries `recorded` in its internal data once it has a row, so no element is written twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin, BoundaryEventSplit
from SpiffWorkflow.util.task import TaskState

from jiuzhu.engine.records import ElementInstance, ElementInstanceState, Instance
from jiuzhu.engine.store.repository import Changes

ACTIVE_STATES = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
PROCESS_TASK = ""  # the live-map slot of the process element itself

# Spiff's spec descriptions (set by its parser from the BPMN tag) → Zeebe's BpmnElementType names
_TYPES = {
    "user task": "USER_TASK",
    "service task": "SERVICE_TASK",
    "send task": "SEND_TASK",
    "script task": "SCRIPT_TASK",
    "business rule task": "BUSINESS_RULE_TASK",
    "manual task": "MANUAL_TASK",
    "receive task": "RECEIVE_TASK",
    "call activity": "CALL_ACTIVITY",
    "task": "TASK",
    "exclusive gateway": "EXCLUSIVE_GATEWAY",
    "inclusive gateway": "INCLUSIVE_GATEWAY",
    "parallel gateway": "PARALLEL_GATEWAY",
    "event based gateway": "EVENT_BASED_GATEWAY",
    "subprocess": "SUB_PROCESS",
    "sub-process": "SUB_PROCESS",
    "event subprocess": "EVENT_SUB_PROCESS",
    "multi-instance": "MULTI_INSTANCE_BODY",
}


def element_type(spec: Any) -> str:
    text = str(getattr(spec, "description", "") or "").lower()
    if text in _TYPES:
        return _TYPES[text]
    for word, kind in (
        ("start event", "START_EVENT"),
        ("end event", "END_EVENT"),
        ("boundary event", "BOUNDARY_EVENT"),
        ("intermediate catch", "INTERMEDIATE_CATCH_EVENT"),
        ("intermediate throw", "INTERMEDIATE_THROW_EVENT"),
        ("event sub", "EVENT_SUB_PROCESS"),
        ("sub", "SUB_PROCESS"),
        ("gateway", "EXCLUSIVE_GATEWAY"),
        ("task", "TASK"),
    ):
        if word in text:
            return kind
    return "UNKNOWN"


def is_element(task: Any) -> bool:
    """A task that stands for a BPMN element (not one of Spiff's own joins and splits)."""
    spec = task.task_spec
    return bool(getattr(spec, "bpmn_id", None)) and not isinstance(spec, BoundaryEventSplit | BoundaryEventJoin)


class ElementHistory:
    """The open element-instance rows of running instances, and the writing of every row."""

    def __init__(self, new_key: Callable[[], int], now_ms: Callable[[], int]) -> None:
        self._new_key = new_key
        self._now_ms = now_ms
        self.live: dict[int, dict[str, ElementInstance]] = {}  # instance key → task id → open row
        self.by_key: dict[int, ElementInstance] = {}  # element instance key → open row

    def reset(self, rows: Iterable[ElementInstance]) -> None:
        self.live, self.by_key = {}, {}
        for row in rows:
            self._open(row)

    def _open(self, row: ElementInstance) -> None:
        self.live.setdefault(row.instance_key, {})[row.task_id] = row
        self.by_key[row.key] = row

    def _close(self, row: ElementInstance, state: str, changes: Changes) -> None:
        row.state = state
        row.end_ms = self._now_ms()
        self.live.get(row.instance_key, {}).pop(row.task_id, None)
        self.by_key.pop(row.key, None)
        changes.put(row)

    def process_started(self, instance: Instance, name: str, changes: Changes) -> None:
        row = ElementInstance(
            key=instance.key,
            instance_key=instance.key,
            definition_key=instance.definition_key,
            bpmn_process_id=instance.bpmn_process_id,
            element_id=instance.bpmn_process_id,
            element_name=name,
            element_type="PROCESS",
            flow_scope_key=-1,
            task_id=PROCESS_TASK,
            state=ElementInstanceState.ACTIVE,
            start_ms=instance.created_ms,
            position=instance.key,
        )
        self._open(row)
        changes.put(row)

    def observe(self, instance: Instance, wf: Any, changes: Changes) -> None:
        """Open rows for elements now active, close those Spiff has finished."""
        open_rows = self.live.get(instance.key, {})
        for task in wf.get_tasks():
            if not is_element(task):
                continue
            state = task.state
            task_id = str(task.id)
            row = open_rows.get(task_id)
            if state & ACTIVE_STATES:
                if row is None and not task.internal_data.get("recorded"):
                    self._start(instance, wf, task, changes, ended=None)
            elif state & TaskState.FINISHED_MASK:
                done = state == TaskState.COMPLETED
                final = ElementInstanceState.COMPLETED if done else ElementInstanceState.TERMINATED
                if row is not None:
                    self._close(row, final, changes)
                elif not task.internal_data.get("recorded"):
                    self._start(instance, wf, task, changes, ended=final)

    def instance_ended(self, instance: Instance, changes: Changes) -> None:
        """The instance ended: whatever is still open closes with it (terminated, unless completed)."""
        final = (
            ElementInstanceState.COMPLETED
            if instance.state == ElementInstanceState.COMPLETED
            else ElementInstanceState.TERMINATED
        )
        for row in list(self.live.get(instance.key, {}).values()):
            state = final if row.task_id == PROCESS_TASK else ElementInstanceState.TERMINATED
            self._close(row, state, changes)
        self.live.pop(instance.key, None)

    def _start(self, instance: Instance, wf: Any, task: Any, changes: Changes, ended: str | None) -> None:
        spec = task.task_spec
        now = self._now_ms()
        row = ElementInstance(
            key=task.internal_data.setdefault("key", self._new_key()),
            instance_key=instance.key,
            definition_key=instance.definition_key,
            bpmn_process_id=instance.bpmn_process_id,
            element_id=spec.bpmn_id,
            element_name=getattr(spec, "bpmn_name", None) or "",
            element_type=element_type(spec),
            flow_scope_key=self._scope_key(instance, wf, task),
            task_id=str(task.id),
            state=ended or ElementInstanceState.ACTIVE,
            start_ms=now,
            end_ms=now if ended else None,
            position=self._new_key(),
        )
        task.internal_data["recorded"] = True
        if ended is None:
            self._open(row)
        changes.put(row)

    def _scope_key(self, instance: Instance, wf: Any, task: Any) -> int:
        sub = task.workflow
        if sub is wf or getattr(sub, "parent_task_id", None) is None:
            return instance.key
        parent = wf.get_task_from_id(sub.parent_task_id)
        if parent is None:
            return instance.key
        key: int = parent.internal_data.setdefault("key", self._new_key())
        return key
