"""Instance state (de)serialisation: Spiff's task tree without the process spec.

Spiff's serializer embeds the whole spec in every workflow; we store specs once (with the
deployed resource) and splice the in-memory spec back in on load. The envelope carries our own
format version so older rows can be migrated, as SpiffWorkflow versions its own format.
"""

from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

FORMAT_VERSION = 1


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


class StateCodec:
    def __init__(self) -> None:
        registry = BpmnWorkflowSerializer.configure()
        self._converter = _SpeclessWorkflowConverter(BpmnWorkflow, registry)
        self._serializer = BpmnWorkflowSerializer(registry)

    def dumps(self, workflow: Any) -> str:
        body = self._serializer.to_dict(workflow)
        return json.dumps({"format": FORMAT_VERSION, "workflow": body}, separators=(",", ":"))

    def loads(self, text: str, spec: Any, subprocess_specs: dict[str, Any]) -> Any:
        envelope = json.loads(text)
        if envelope.get("format") != FORMAT_VERSION:
            raise ValueError(f"unknown instance state format {envelope.get('format')!r}")
        self._converter.specs = (spec, subprocess_specs)
        try:
            return self._serializer.from_dict(envelope["workflow"])
        finally:
            self._converter.specs = None
