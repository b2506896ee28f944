"""Process instance modification (Zeebe's ModifyProcessInstance): terminate element instances, activate
elements, move a token from one element to another, with variables — what an operator does to repair
a stuck instance (Operate's "modify"), e.g. send a case back to a leader's approval.

All instructions of one call are one command: all apply, or none. Supported: elements of the process
itself and of embedded sub-processes that are running (an activation inside a sub-process needs one
running instance of it, or `ancestor_key` naming it). Not supported (refused, nothing changes):
activating boundary events, start events of event sub-processes, or elements inside a sub-process
that is not running.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from jiuzhu.engine import scopes
from jiuzhu.engine.errors import invalid, not_found
from jiuzhu.engine.records import Instance, InstanceState
from jiuzhu.engine.runtime.core import EngineCore
from jiuzhu.engine.runtime.history import ACTIVE_STATES, is_element


@dataclass
class Activation:
    element_id: str
    ancestor_key: int | None = None
    # (scope element id, variables): "" or the process id → the process scope; the element's own id →
    # its local scope
    variables: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Modification:
    activate: list[Activation] = field(default_factory=list)
    terminate_keys: list[int] = field(default_factory=list)
    terminate_ids: list[str] = field(default_factory=list)
    # (source element id or None, source element instance key or None, the activation of the target)
    moves: list[tuple[str | None, int | None, Activation]] = field(default_factory=list)


class ModificationMixin(EngineCore):
    def modify_instance(self, instance_key: int, modification: Modification) -> None:
        with self.command() as txn:
            instance = self.instances.get(instance_key)
            if instance is None or instance.state != InstanceState.ACTIVE:
                raise not_found(
                    f"Expected to modify a process instance with key '{instance_key}', but no such process "
                    "instance was found"
                )
            wf = self.workflow(instance)
            txn.touched.add(instance.key)
            txn.instance = instance
            plan: list[tuple[Any, Activation]] = []  # (workflow to activate in, activation)
            ending: dict[Any, Any] = {}  # task id → task
            for key in modification.terminate_keys:
                task = self._active_by_key(instance, wf, key)
                ending[task.id] = task
            for element_id in modification.terminate_ids:
                for task in self._active_by_id(instance, wf, element_id, required=True):
                    ending[task.id] = task
            for source_id, source_key, target in modification.moves:
                if source_key is not None:
                    sources = [self._active_by_key(instance, wf, source_key)]
                else:
                    sources = self._active_by_id(instance, wf, source_id or "", required=True)
                for task in sources:
                    ending[task.id] = task
                    plan.append((task.workflow, target))
            for activation in modification.activate:
                plan.append((self._activation_scope(instance, wf, activation), activation))
            for sub, activation in plan:  # check every target before anything changes
                self._target_spec(instance, sub, activation.element_id)
            for task in ending.values():
                if not task.has_state(TaskState.FINISHED_MASK):
                    task.cancel()
            for sub, activation in plan:
                self._activate_element(instance, wf, sub, activation)
            self._run(instance)
            if instance.state == InstanceState.ACTIVE and not any(
                t.state & ACTIVE_STATES for t in wf.get_tasks() if is_element(t)
            ):
                self._terminate(instance)  # nothing left to do: the instance ends, as in Zeebe
            txn.instance = None

    def _active_tasks(self, wf: Any) -> list[Any]:
        return [t for t in wf.get_tasks() if is_element(t) and t.state & ACTIVE_STATES]

    def _active_by_key(self, instance: Instance, wf: Any, key: int) -> Any:
        for task in self._active_tasks(wf):
            if task.internal_data.get("key") == key:
                return task
        raise invalid(
            f"Expected to modify instance of process '{instance.bpmn_process_id}' but it contains one or more "
            f"terminate instructions with an element instance that could not be found: '{key}'"
        )

    def _active_by_id(self, instance: Instance, wf: Any, element_id: str, required: bool) -> list[Any]:
        found = [t for t in self._active_tasks(wf) if t.task_spec.bpmn_id == element_id]
        if required and not found:
            raise invalid(
                f"Expected to modify instance of process '{instance.bpmn_process_id}' but no element instance "
                f"of element '{element_id}' is active"
            )
        return found

    def _activation_scope(self, instance: Instance, wf: Any, activation: Activation) -> Any:
        """The (sub-)workflow the element is to be activated in."""
        element_id = activation.element_id
        if element_id in wf.spec.task_specs:
            return wf
        running = [
            sub for sub in wf.get_active_subprocesses() if element_id in sub.spec.task_specs and not sub.completed
        ]
        if activation.ancestor_key is not None:
            for sub in running:
                parent = wf.get_task_from_id(sub.parent_task_id)
                if parent is not None and parent.internal_data.get("key") == activation.ancestor_key:
                    return sub
            raise invalid(
                f"Expected to modify instance of process '{instance.bpmn_process_id}' but it contains an activate "
                f"instruction with an ancestor scope key that is not an active flow scope of '{element_id}': "
                f"'{activation.ancestor_key}'"
            )
        if len(running) == 1:
            return running[0]
        if not running:
            raise invalid(
                f"Expected to modify instance of process '{instance.bpmn_process_id}' but it contains an activate "
                f"instruction for element '{element_id}', which is not in the process or in a running sub-process"
            )
        raise invalid(
            f"Expected to modify instance of process '{instance.bpmn_process_id}' but it contains an activate "
            f"instruction for element '{element_id}' with more than one running flow scope; name one with "
            "ancestorElementInstanceKey"
        )

    def _target_spec(self, instance: Instance, sub: Any, element_id: str) -> Any:
        spec = sub.spec.task_specs.get(element_id)
        if spec is None or not getattr(spec, "bpmn_id", None):
            raise invalid(
                f"Expected to modify instance of process '{instance.bpmn_process_id}' but it contains an activate "
                f"instruction with an element that could not be found: '{element_id}'"
            )
        if isinstance(spec, BoundaryEvent):
            raise invalid(
                f"Expected to modify instance of process '{instance.bpmn_process_id}' but it contains an activate "
                f"instruction for the boundary event '{element_id}', which cannot be activated"
            )
        return spec

    def _activate_element(self, instance: Instance, wf: Any, sub: Any, activation: Activation) -> None:
        spec = self._target_spec(instance, sub, activation.element_id)
        for scope_id, _variables in activation.variables:
            if scope_id and scope_id not in (instance.bpmn_process_id, activation.element_id):
                raise invalid(
                    f"Expected to modify instance of process '{instance.bpmn_process_id}' but it contains a "
                    f"variable instruction with a scope that is neither the process nor the element: '{scope_id}'"
                )
        # The new token hangs under the root of the (compacted) task tree: a finished task, so Spiff
        # leaves its children alone; from there it follows the element's outgoing flows.
        task = sub.task_tree._add_child(spec, TaskState.MAYBE)
        for scope_id, variables in activation.variables:
            if scope_id == activation.element_id:
                local = scopes.local_scope(task, create=True)
                assert local is not None
                local.update(variables)
            else:
                scopes.workflow_scope(wf).update(variables)
        task.task_spec._update(task)

    def set_element_variables(self, element_instance_key: int, variables: Mapping[str, Any], local: bool) -> int:
        """SetVariables on any active element instance (not only those with a job or a user task)."""
        row = self.history.by_key.get(element_instance_key)
        if row is None or row.task_id == "" or self.board.element(element_instance_key) is not None:
            return self.set_variables(element_instance_key, variables, local)
        with self.command() as txn:
            instance = self.instances[row.instance_key]
            task = self._task(instance, row.task_id)
            chain = list(scopes.chain(task))
            if local or not chain:
                scopes.local_scope(task, create=True).update(variables)  # type: ignore[union-attr]
            else:
                scopes.propagate(chain, variables)
            txn.touched.add(instance.key)
            return self.new_key()

    def active_element_ids(self, instance_key: int) -> Sequence[str]:
        with self.lock:
            rows = self.history.live.get(instance_key, {})
            return [r.element_id for r in rows.values() if r.task_id]
