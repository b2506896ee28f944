"""Instance state (de)serialisation: Spiff's task tree without the process spec.

Spiff's serializer embeds the whole spec in every workflow; we store specs once (with the
deployed resource) and splice the in-memory spec back in on load. The envelope carries our own
format version and the version of Spiff's serializer that wrote the tree, so older rows are
migrated on load, step by step (`MIGRATIONS`), as SpiffWorkflow migrates its own format.

Formats:
1. `{"format": 1, "workflow": …}` (the first release; written by Spiff 3.2's serializer 1.5).
2. `{"format": 2, "spiff": "<serializer version>", "workflow": …}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_VERSION
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task

FORMAT_VERSION = 2
SPIFF_SERIALIZER_VERSION: str = SPIFF_VERSION  # the serializer of the installed spiffworkflow


def _from_1(envelope: dict[str, Any]) -> dict[str, Any]:
    # Format 1 was only ever written with spiffworkflow 3.2, whose serializer is version 1.5.
    return {"format": 2, "spiff": "1.5", "workflow": envelope["workflow"]}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _from_1}


class StateFormatError(ValueError):
    """A stored state this release cannot read (written by a newer one, or damaged)."""


def migrate(envelope: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored envelope to FORMAT_VERSION, one step at a time."""
    version = envelope.get("format")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise StateFormatError(f"unknown instance state format {version!r} (this release reads up to {FORMAT_VERSION})")
    while version < FORMAT_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise StateFormatError(f"no migration from instance state format {version}")
        envelope = step(envelope)
        version = envelope["format"]
    return envelope


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    specs: tuple[Any, dict[str, Any]] | None = None

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> Any:
        assert self.specs is not None, "set the specs before restoring a workflow"
        spec, subprocess_specs = self.specs
        dct = dict(dct, spec=None, subprocess_specs=None)
        workflow = BpmnWorkflow(spec, subprocess_specs, deserializing=True)
        from uuid import UUID

        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.get("bpmn_events", []))
        return workflow


class _FastTaskConverter(TaskConverter):
    """Spiff's task converter, without its generic walk where it is not needed: the engine keeps
    variables in scopes, so `task.data` is empty and `internal_data` is plain JSON (plus the few
    types Spiff's registry knows, which still go through it). Produces exactly Spiff's dict."""

    def to_dict(self, task: Any) -> dict[str, Any]:
        parent = task.parent
        if task.data or (parent is not None and parent.data):
            return dict(super().to_dict(task))
        return {
            "id": str(task.id),
            "parent": str(task._parent) if parent is not None else None,
            "children": [str(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": _plain(task.internal_data, self.registry.convert),
            "data": {},
            "delta": {} if parent is None else {"updates": {}, "deletions": []},
        }


def _plain(value: Any, convert: Callable[[Any], Any]) -> Any:
    """What Spiff's registry makes of `value`, with JSON values copied directly."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is bool:
        return value
    if kind is dict:
        return {k: _plain(v, convert) for k, v in value.items() if not callable(v) and not isinstance(v, ModuleType)}
    if kind is list:
        return [_plain(v, convert) for v in value]
    return convert(value)


class StateCodec:
    def __init__(self) -> None:
        registry = BpmnWorkflowSerializer.configure()
        _FastTaskConverter(Task, registry)  # replaces Spiff's converter for tasks in the registry
        self._converter = _SpeclessWorkflowConverter(BpmnWorkflow, registry)
        self._serializer = BpmnWorkflowSerializer(registry)

    def dumps(self, workflow: Any) -> str:
        body = self._serializer.to_dict(workflow)
        envelope = {"format": FORMAT_VERSION, "spiff": SPIFF_SERIALIZER_VERSION, "workflow": body}
        return json.dumps(envelope, separators=(",", ":"))

    def loads(self, text: str, spec: Any, subprocess_specs: dict[str, Any]) -> Any:
        envelope = migrate(json.loads(text))
        workflow = envelope["workflow"]
        if envelope["spiff"] != SPIFF_SERIALIZER_VERSION:
            # a tree written by another Spiff serializer: Spiff's own migrations bring it up to date
            workflow = dict(workflow, **{BpmnWorkflowSerializer.VERSION_KEY: envelope["spiff"]})
            self._serializer.migrate(workflow)
        self._converter.specs = (spec, subprocess_specs)
        try:
            return self._serializer.from_dict(workflow)
        finally:
            self._converter.specs = None
