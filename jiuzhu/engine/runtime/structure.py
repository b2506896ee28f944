"""Scopes and structure: sub-processes, call activities (child instances), multi-instance bodies,
event sub-processes, and thrown errors/escalations routed to their catchers.
"""

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.util.task import TaskState

from jiuzhu.engine import events, expressions, scopes
from jiuzhu.engine.bpmn.specs import (
    ZeebeEventSubProcess,
    ZeebeStartEvent,
)
from jiuzhu.engine.records import (
    Instance,
)
from jiuzhu.engine.runtime.core import EngineCore
from jiuzhu.engine.runtime.model import (
    _has_none_start,
    _is_end,
    _subtree_ids,
)


class FlowMixin(EngineCore):
    def enter_subprocess(self, task: Any, spec: Any) -> None:
        self._apply_inputs(task, spec)

    def leave_subprocess(self, task: Any, spec: Any) -> None:
        if spec.zeebe.outputs:
            self._apply_outputs(task, spec, {})

    def start_call(self, task: Any, spec: Any) -> None:
        """Create the called process as a child instance; the call activity waits for it."""
        parent = self._instance_of(task)
        visible = self._apply_inputs(task, spec)
        called = spec.zeebe.called_element
        process_id = self.expressions.evaluate_string(called.process_id, visible, "the called process id")
        deployed = self.latest.get(process_id)
        if deployed is None:
            raise expressions.ExpressionError(
                f"Expected process with BPMN process id '{process_id}' to be deployed, but not found."
            )
        if not _has_none_start(deployed.spec):
            raise expressions.ExpressionError(f"Expected process '{process_id}' to have a none start event")
        variables = visible if called.propagate_all_parent_variables else dict(scopes.local_scope(task) or {})
        child = self._new_instance(deployed, variables)
        child.parent_key, child.parent_task_id = parent.key, str(task.id)
        task.internal_data["child"] = child.key
        self._run(child)

    def _child_ended(self, child: Instance, variables: Mapping[str, Any]) -> None:
        """A called instance completed: its call activity completes with the child's variables."""
        parent = self.instances.get(child.parent_key or 0)
        if parent is None or child.parent_task_id is None:
            return
        task = self._task(parent, child.parent_task_id)
        called = task.task_spec.zeebe.called_element
        txn = self._tx()
        previous, txn.instance = txn.instance, parent
        try:
            result = dict(variables) if called.propagate_all_child_variables else {}
            if task.task_spec.zeebe.outputs:
                local = scopes.local_scope(task, create=True)
                assert local is not None
                local.update(variables)
            self._finish_task(parent, task, result)
            self._run(parent)
        finally:
            txn.instance = previous

    def start_multi_instance(self, body: Any, spec: Any) -> bool | None:
        loop = spec.loop
        items = self.expressions.evaluate(loop.input_collection, scopes.visible(body))
        if not isinstance(items, list):
            raise expressions.ExpressionError(
                f"Expected result of the expression '{loop.input_collection}' to be 'ARRAY', but was {items!r}"
            )
        body.internal_data["mi"] = {"items": items, "next": 0, "done": 0, "outputs": [None] * len(items)}
        if not items:
            return self._finish_multi_instance(body, spec)
        for _ in range(1 if loop.sequential else len(items)):
            self._spawn_inner(body, spec)
        return None

    def _spawn_inner(self, body: Any, spec: Any) -> None:
        state = body.internal_data["mi"]
        index = state["next"]
        state["next"] = index + 1
        loop = spec.loop
        inner = body.workflow.spec.task_specs[spec.task_spec]
        child = body._add_child(inner, TaskState.WAITING)
        child.triggered = True
        local: dict[str, Any] = {"loopCounter": index + 1}
        if loop.input_element:
            local[loop.input_element] = state["items"][index]
        element = (loop.output_element or "").lstrip("=").strip()
        if element.isidentifier():  # a plain variable as output element is kept local to the instance
            local.setdefault(element, None)
        child.internal_data[scopes.LOCAL] = local
        child.internal_data["mi_index"] = index
        child.task_spec._update(child)

    def multi_instance_child_done(self, body: Any, spec: Any, child: Any) -> None:
        state = body.internal_data.get("mi")
        if state is None or state.get("finished"):
            return
        loop = spec.loop
        visible = scopes.visible(child)
        if loop.output_collection and loop.output_element:
            state["outputs"][child.internal_data["mi_index"]] = self.expressions.evaluate(loop.output_element, visible)
        state["done"] += 1
        total = len(state["items"])
        done_early = False
        if loop.completion_condition:
            counters = {
                "numberOfInstances": total,
                "numberOfCompletedInstances": state["done"],
                "numberOfActiveInstances": state["next"] - state["done"],
            }
            done_early = self.expressions.evaluate_bool(loop.completion_condition, {**visible, **counters})
        if done_early or state["done"] == total:
            for other in list(body.children):
                inner = other.task_spec.name == spec.task_spec  # the body's other child is its successor
                if inner and other is not child and not other.has_state(TaskState.FINISHED_MASK):
                    other.cancel()
            if self._finish_multi_instance(body, spec):
                body._set_state(TaskState.READY)
        elif loop.sequential:
            self._spawn_inner(body, spec)

    def _finish_multi_instance(self, body: Any, spec: Any) -> bool:
        state = body.internal_data["mi"]
        state["finished"] = True
        if spec.loop.output_collection:
            chain = list(scopes.chain(body))
            scopes.propagate(chain, {spec.loop.output_collection: state["outputs"]})
        return True

    def event_completed(self, task: Any, spec: Any) -> None:
        """A catch event ran: what it caught leaves its local scope through output mappings; message
        variables propagate without them, error variables do not (they stay local, as in Zeebe)."""
        if isinstance(spec, ZeebeStartEvent):
            self._event_subprocess_started(task, spec)
        kind = task.internal_data.pop("caught", None)
        if kind is None:
            return
        caught = dict(scopes.local_scope(task) or {})
        if spec.zeebe.outputs:
            self._apply_outputs(task, spec, {})
        elif kind in ("message", "signal"):
            scopes.propagate(list(scopes.chain(task, include_local=False)), caught)

    def _event_subprocess_started(self, start: Any, spec: Any) -> None:
        """An event sub-process's start event fired: interrupting, it ends everything else in the
        enclosing scope (other event sub-processes included); either way it runs only this once."""
        host = events.enclosing_host(start)
        if host is None or not isinstance(host.task_spec, ZeebeEventSubProcess):
            return
        host.internal_data["esp_fired"] = True
        if not spec.interrupting:
            # Non-interrupting: this occurrence runs on, and a fresh copy waits for the next one.
            if host.parent is not None and not host.workflow.completed:
                again = host.parent._add_child(host.task_spec, TaskState.FUTURE)
                again.task_spec._update(again)
            return
        keep = _subtree_ids(host)  # the host and the tasks that follow it
        for task in list(host.workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)):
            if task.workflow is not host.workflow or task.id in keep or _is_end(task):
                continue  # tasks of nested scopes end with their own sub-process task
            if not task.has_state(TaskState.NOT_FINISHED_MASK):
                continue
            if task.has_state(TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR):
                task.cancel()

    def _close_idle_event_subprocesses(self, wf: Any) -> bool:
        """A scope whose work is done completes even though its event sub-processes still wait:
        they are closed, as Zeebe closes their subscriptions. True when anything changed."""
        changed = False
        for workflow in [*wf.get_active_subprocesses(), wf]:
            idle = events.idle_event_subprocesses(workflow)
            if not idle:
                continue
            idle_ids = {i for host in idle for i in _subtree_ids(host)}
            busy = [
                t
                for t in workflow.get_tasks(state=TaskState.READY | TaskState.STARTED | TaskState.WAITING)
                if t.workflow is workflow and t.id not in idle_ids and not _is_end(t)
            ]
            if busy:
                continue
            for host in idle:
                host.cancel()
            for end in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
                if end.workflow is workflow and _is_end(end):
                    end.task_spec._update(end)
            changed = True
        return changed

    def throw_event(self, task: Any, kind: str, code: str | None) -> None:
        """An error or escalation end/throw event ran; delivery waits until the task has finished."""
        found = self._find_catch(self._instance_of(task), task, kind, code, include_self=False)
        if found is None:
            if kind == "error":
                raise expressions.ExpressionError(
                    f"Expected to throw an error event with the code '{code}', but it was not caught. "
                    "No error events are available in the scope."
                )
            return  # an escalation nobody catches just ends there, as in Zeebe
        self._tx().throws.append((found[0], found[1], kind))

    def _find_catch(
        self, instance: Instance, task: Any, kind: str, code: str | None, include_self: bool
    ) -> tuple[Instance, events.Catch] | None:
        """Nearest catcher from `task` outwards, crossing from a called instance to its caller."""
        while True:
            catch = events.find_catch(task, kind, code, include_self)
            if catch is not None:
                return instance, catch
            parent = self.instances.get(instance.parent_key or 0)
            parent_task_id = instance.parent_task_id
            if parent is None or parent_task_id is None:
                return None
            instance, task, include_self = parent, self._task(parent, parent_task_id), True

    def _deliver_throws(self) -> None:
        txn = self._tx()
        while txn.throws:
            instance, catch, kind = txn.throws.pop(0)
            self._deliver(instance, catch, kind, {})
        while txn.signals:
            name, variables = txn.signals.pop(0)
            current = txn.instance
            self._broadcast(name, variables, running=current.key if current else None)
            txn.instance = current

    def _deliver(self, instance: Instance, catch: events.Catch, kind: str, variables: dict[str, Any]) -> None:
        txn = self._tx()
        previous, txn.instance = txn.instance, instance
        try:
            if catch.host is not None and catch.interrupting:
                catch.host.cancel()  # a called child instance is terminated with its call activity
            events.deliver(catch.catcher, kind, variables)
            if previous is not None and previous.key != instance.key:
                self._run(instance)
        finally:
            txn.instance = previous
