"""The embedded engine: Zeebe's commands on Spiff workflows, with write-through durable state.

One lock serialises commands, as one Zeebe partition does; each command mutates memory, commits
its `Changes` in one transaction and only then answers. If anything unexpected fails mid-command,
memory is reloaded from the store, so what was acknowledged is exactly what survives.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import heapq
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from jiuzhu import metrics
from jiuzhu.engine import events, expressions, feel, scopes
from jiuzhu.engine.bpmn.parser import ParsedProcess, parse_processes
from jiuzhu.engine.bpmn.specs import (
    ZeebeBoundaryEvent,
    ZeebeEventBasedGateway,
    ZeebeEventSubProcess,
    ZeebeGatewayEvents,
    ZeebeMessageDefinition,
    ZeebeSignalDefinition,
    ZeebeStartEvent,
)
from jiuzhu.engine.bpmn.state import StateCodec
from jiuzhu.engine.bpmn.xml import parse_xml
from jiuzhu.engine.clock import Clock
from jiuzhu.engine.decisions import DecisionRepository
from jiuzhu.engine.dmn import DecisionEvaluation
from jiuzhu.engine.errors import Code, EngineError, invalid, not_found, precondition
from jiuzhu.engine.feel import to_json as feel_json
from jiuzhu.engine.records import (
    KEY_BASE,
    DecisionDefinition,
    DecisionRequirements,
    Definition,
    Incident,
    Instance,
    InstanceState,
    Job,
    JobState,
    Message,
    Subscription,
    UserTask,
    UserTaskState,
)
from jiuzhu.engine.store.repository import Changes, Store

log = logging.getLogger(__name__)
for noisy in ("spiff", "spiff.task", "spiff.workflow", "spiff.metrics"):
    logging.getLogger(noisy).setLevel(logging.WARNING)

USER_TASK_JOB_TYPE = "io.camunda.zeebe:userTask"
TIMER_EVENT_TYPES = {"ZeebeTimeDate", "ZeebeDuration", "ZeebeCycle"}
DEFAULT_LONG_POLL_MS = 10_000
MAX_CACHED_WORKFLOWS = 5_000


@dataclass
class DeployedProcess:
    definition: Definition
    spec: Any
    subprocess_specs: dict[str, Any]


@dataclass
class Deployment:
    key: int
    processes: list[Definition] = field(default_factory=list)
    decision_requirements: list[DecisionRequirements] = field(default_factory=list)
    decisions: list[DecisionDefinition] = field(default_factory=list)


class DecisionFailure(Exception):
    """A called decision could not be evaluated: an incident, as in Zeebe."""


@dataclass
class ActivatedJob:
    job: Job
    variables: dict[str, Any]


@dataclass
class JobStream:
    """An open StreamActivatedJobs call: jobs of its type are pushed to it as they appear."""

    type: str
    worker: str
    timeout_ms: int
    fetch: list[str]
    push: Callable[[ActivatedJob], None]


@dataclass
class _Txn:
    changes: Changes = field(default_factory=Changes)
    touched: set[int] = field(default_factory=set)  # instance keys whose state must be saved
    new_jobs: bool = False
    instance: Instance | None = None  # the instance whose Spiff steps are running
    throws: list[tuple[Instance, events.Catch, str]] = field(default_factory=list)  # caught, not yet delivered
    signals: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # thrown, not yet broadcast
    observed: list[Callable[[], None]] = field(default_factory=list)  # metrics, recorded once committed


class FeelScriptEngine(PythonScriptEngine):
    """Spiff's expression hook, answered by FEEL over Zeebe scopes; Python is never run."""

    def __init__(self, runtime: Engine) -> None:
        super().__init__()
        self.runtime = runtime

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        return expressions.evaluate_bool(expression, scopes.visible(task))

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        raise expressions.ExpressionError("Python scripts are not supported; use a FEEL zeebe:script")


class Engine:
    def __init__(self, store: Store, clock: Clock | None = None) -> None:
        self.store = store
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)  # jobs or instances changed: wake waiters
        self.script_engine = FeelScriptEngine(self)
        feel.set_clock(self.clock.now)  # FEEL's now()/today() read the engine clock, pinned or not
        self.codec = StateCodec()
        self._txn: _Txn | None = None
        self._streams: list[JobStream] = []
        self._wake_scheduler: Callable[[], None] = lambda: None
        self._load()

    # ------------------------------------------------------------------ state & transactions

    def _load(self) -> None:
        self.definitions: dict[int, DeployedProcess] = {}
        self.latest: dict[str, DeployedProcess] = {}
        for definition in sorted(self.store.load(Definition), key=lambda d: d.key):
            self._register_definition(definition)
        table = self.store.instance_table()
        self.instances: dict[int, Instance] = {
            i.key: i for i in self.store.load(Instance, table.c.state == InstanceState.ACTIVE)
        }
        for instance in self.instances.values():
            instance.state_json = None  # loaded lazily
        self.workflows: OrderedDict[int, Any] = OrderedDict()
        self.jobs: dict[int, Job] = {j.key: j for j in self.store.load(Job)}
        self.incidents: dict[int, Incident] = {i.key: i for i in self.store.load(Incident)}
        self.user_tasks: dict[int, UserTask] = {
            t.key: t for t in self.store.load(UserTask) if t.state == UserTaskState.CREATED
        }
        self.messages: dict[int, Message] = {m.key: m for m in self.store.load(Message)}
        self.subscriptions: dict[int, Subscription] = {s.key: s for s in self.store.load(Subscription)}
        self.decision_repo = DecisionRepository()
        self.decision_repo.restore(self.store.load(DecisionRequirements), self.store.load(DecisionDefinition))
        self.results: dict[int, dict[str, Any]] = {}  # final variables for create-with-result waiters
        self._result_waiters: set[int] = set()
        self._pending_child_ends: list[tuple[Instance, dict[str, Any]]] = []
        stored = self.store.next_key()
        known = [
            KEY_BASE,
            *self.definitions,
            *self.jobs,
            *self.incidents,
            *self.user_tasks,
            *self.messages,
            *self.subscriptions,
            *self.decision_repo.drgs,
            *self.decision_repo.decisions,
        ]
        self._next_key = max(stored or KEY_BASE, max(known) + 1)
        self._timer_heap: list[tuple[int, int]] = [
            (i.next_due_ms, i.key) for i in self.instances.values() if i.next_due_ms is not None
        ]
        heapq.heapify(self._timer_heap)
        self._job_heap: list[tuple[int, int]] = []
        for job in self.jobs.values():
            self._schedule_job(job)

    def _register_definition(self, definition: Definition) -> None:
        root = parse_xml(definition.resource, definition.resource_name)
        for parsed in parse_processes(root, definition.resource_name):
            if parsed.bpmn_process_id == definition.bpmn_process_id:
                deployed = DeployedProcess(definition, parsed.spec, parsed.subprocess_specs)
                self.definitions[definition.key] = deployed
                current = self.latest.get(definition.bpmn_process_id)
                if current is None or current.definition.version < definition.version:
                    self.latest[definition.bpmn_process_id] = deployed

    def new_key(self) -> int:
        key = self._next_key
        self._next_key += 1
        if self._txn is not None:
            self._txn.changes.next_key = self._next_key
        return key

    def now_ms(self) -> int:
        return self.clock.millis()

    @contextlib.contextmanager
    def command(self) -> Iterator[_Txn]:
        """Run one command atomically: commit before returning, or restore memory on failure."""
        with self.lock:
            if self._txn is not None:  # nested: join the running command
                yield self._txn
                return
            txn = self._txn = _Txn()
            try:
                yield txn
                for key in txn.touched:
                    self._save_instance(key, txn.changes)
                self.store.commit(txn.changes)
                for observe in txn.observed:
                    observe()
            except EngineError:
                self._txn = None
                if not txn.changes.empty() or txn.touched:
                    self._reload()
                raise
            except Exception:
                self._txn = None
                log.exception("command failed; reloading engine state from the store")
                self._reload()
                raise
            finally:
                self._txn = None
            if txn.new_jobs:
                self._push_to_streams()
            self.changed.notify_all()
            self._wake_scheduler()

    def _reload(self) -> None:
        streams, wake = self._streams, self._wake_scheduler
        self._load()
        self._streams, self._wake_scheduler = streams, wake

    def _observe(self, record: Callable[[], None]) -> None:
        """Count something for /metrics once the command has committed (never for a rollback)."""
        self._tx().observed.append(record)

    def _tx(self) -> _Txn:
        assert self._txn is not None, "engine state changed outside a command"
        return self._txn

    # ------------------------------------------------------------------ workflows

    def workflow(self, instance: Instance) -> Any:
        wf = self.workflows.get(instance.key)
        if wf is not None:
            self.workflows.move_to_end(instance.key)
            return wf
        text = self.store.load_instance_state(instance.key)
        if text is None:
            raise EngineError(Code.INTERNAL, f"process instance {instance.key} has no stored state")
        deployed = self.definitions[instance.definition_key]
        wf = self.codec.loads(text, deployed.spec, deployed.subprocess_specs)
        wf.script_engine = self.script_engine
        self._cache(instance.key, wf)
        return wf

    def _cache(self, key: int, wf: Any) -> None:
        self.workflows[key] = wf
        while len(self.workflows) > MAX_CACHED_WORKFLOWS:
            evicted, _ = self.workflows.popitem(last=False)
            if self._txn is not None and evicted in self._txn.touched:
                self.workflows[evicted] = _
                self.workflows.move_to_end(evicted, last=False)
                break

    def _save_instance(self, key: int, changes: Changes) -> None:
        instance = self.instances.get(key)
        if instance is None:
            return
        if instance.state == InstanceState.ACTIVE:
            wf = self.workflows[key]
            instance.next_due_ms = self._next_due(wf)
            if instance.next_due_ms is not None:
                heapq.heappush(self._timer_heap, (instance.next_due_ms, key))
            row = Instance(**{**instance.__dict__, "state_json": self.codec.dumps(wf)})
        else:
            row = Instance(**{**instance.__dict__, "state_json": None, "next_due_ms": None})
            self.instances.pop(key, None)
            self.workflows.pop(key, None)
        changes.put(row)

    @staticmethod
    def _next_due(wf: Any) -> int | None:
        dues = []
        for pending in wf.waiting_events():
            if pending.event_type in TIMER_EVENT_TYPES and isinstance(pending.value, str):
                dues.append(int(datetime.fromisoformat(pending.value).timestamp() * 1000))
        return min(dues) if dues else None

    def _task(self, instance: Instance, task_id: str) -> Any:
        task = self.workflow(instance).get_task_from_id(UUID(task_id))
        if task is None:
            raise EngineError(Code.INTERNAL, f"task {task_id} of instance {instance.key} is gone")
        return task

    def _run(self, instance: Instance) -> None:
        """Drive Spiff until only waiting work is left; failures become incidents, not crashes."""
        txn = self._tx()
        txn.touched.add(instance.key)
        wf = self.workflow(instance)
        previous, txn.instance = txn.instance, instance
        try:
            for _round in range(10_000):
                if not self._step(wf):
                    wf.refresh_timers()
                    if (
                        not self._step(wf)
                        and not self._sync_subscriptions(instance, wf)
                        and not self._close_idle_event_subprocesses(wf)
                    ):
                        break
        finally:
            txn.instance = previous
        if wf.completed and instance.state == InstanceState.ACTIVE:
            self._end_instance(instance, InstanceState.COMPLETED, scopes.workflow_scope(wf))
        while self._pending_child_ends:
            child, variables = self._pending_child_ends.pop(0)
            self._child_ended(child, variables)

    def _step(self, wf: Any) -> bool:
        progressed = False
        workflows = [*sorted(wf.get_active_subprocesses(), key=lambda w: w.depth, reverse=True), wf]
        for sub in workflows:
            for task in sub.get_tasks(state=TaskState.READY):
                if task.task_spec.manual:
                    continue
                try:
                    task.run()
                except Exception as err:  # a failed expression or mapping: Zeebe raises an incident
                    self._raise_incident(task, _incident_type(err), _message(err))
                self._deliver_throws()
                progressed = True
            if sub.parent_task_id is not None:
                parent = wf.get_task_from_id(sub.parent_task_id)
                if parent is not None:
                    parent.task_spec._update(parent)
        return progressed

    def _end_instance(self, instance: Instance, state: str, variables: Mapping[str, Any]) -> None:
        instance.state = state
        self._observe(lambda: metrics.engine.instance_ended(instance.bpmn_process_id, state))
        instance.ended_ms = self.now_ms()
        if instance.key in self._result_waiters:
            self.results[instance.key] = dict(variables)
        if state == InstanceState.COMPLETED and instance.parent_key:
            self._pending_child_ends.append((instance, dict(variables)))
        for job in [j for j in self.jobs.values() if j.instance_key == instance.key]:
            self._drop_job(job)
        for task in [t for t in self.user_tasks.values() if t.instance_key == instance.key]:
            task.state = UserTaskState.CANCELED
            self._tx().changes.put(task)
            self.user_tasks.pop(task.key)
        for incident in [i for i in self.incidents.values() if i.instance_key == instance.key]:
            self.incidents.pop(incident.key)
            self._tx().changes.drop(incident)
        for subscription in [s for s in self.subscriptions.values() if s.instance_key == instance.key]:
            self._close_subscription(subscription)
        self._tx().touched.add(instance.key)

    def _instance_of(self, task: Any) -> Instance:
        txn = self._tx()
        assert txn.instance is not None
        return txn.instance

    def _definition_of(self, instance: Instance) -> Definition:
        return self.definitions[instance.definition_key].definition

    # ------------------------------------------------------------------ Spiff hooks

    def start_job(self, task: Any, spec: Any) -> None:
        """A job-based task was reached: evaluate its definition and create the job."""
        instance = self._instance_of(task)
        variables = self._apply_inputs(task, spec)
        ext = spec.zeebe
        headers = dict(ext.headers)
        if ext.task_definition is not None:
            job_type = expressions.evaluate_string(ext.task_definition.type, variables, "the job type")
            retries = expressions.evaluate_int(ext.task_definition.retries, variables, "the job retries")
        else:  # a user task without zeebe:userTask is a job for Tasklist's job worker
            job_type, retries = USER_TASK_JOB_TYPE, 1
            headers.update(self._user_task_headers(ext.user_task, variables))
        element_key = task.internal_data.setdefault("key", self.new_key())
        definition = self._definition_of(instance)
        job = Job(
            key=self.new_key(),
            type=job_type,
            state=JobState.ACTIVATABLE,
            instance_key=instance.key,
            element_instance_key=element_key,
            element_id=spec.bpmn_id,
            task_id=str(task.id),
            bpmn_process_id=instance.bpmn_process_id,
            version=instance.version,
            definition_key=definition.key,
            retries=retries,
            custom_headers=headers,
            created_ms=self.now_ms(),
        )
        self.jobs[job.key] = job
        self._tx().changes.put(job)
        self._tx().new_jobs = True
        self._observe(lambda: metrics.engine.job_created(job_type))

    def _user_task_headers(self, ut: Any, variables: Mapping[str, Any]) -> dict[str, str]:
        assignment = self._assignment(ut, variables)
        headers: dict[str, str] = {}
        if assignment["assignee"]:
            headers["io.camunda.zeebe:assignee"] = assignment["assignee"]
        if assignment["candidate_groups"]:
            headers["io.camunda.zeebe:candidateGroups"] = json.dumps(assignment["candidate_groups"])
        if assignment["candidate_users"]:
            headers["io.camunda.zeebe:candidateUsers"] = json.dumps(assignment["candidate_users"])
        for name, value in (
            ("dueDate", assignment["due_date"]),
            ("followUpDate", assignment["follow_up_date"]),
            ("formKey", assignment["form_key"]),
        ):
            if value:
                headers[f"io.camunda.zeebe:{name}"] = value
        return headers

    def _assignment(self, ut: Any, variables: Mapping[str, Any]) -> dict[str, Any]:
        def text(value: str | None, what: str) -> str | None:
            if not value:
                return None
            result = expressions.evaluate(value, variables)
            if result is None:
                return None
            if not isinstance(result, str):
                raise expressions.ExpressionError(f"expected {what} '{value}' to be a string, got {result!r}")
            return result

        def names(value: str | None, what: str) -> list[str]:
            if not value:
                return []
            result = expressions.evaluate(value, variables)
            if isinstance(result, str):
                return [s.strip() for s in result.split(",") if s.strip()]
            if isinstance(result, list) and all(isinstance(s, str) for s in result):
                return list(result)
            raise expressions.ExpressionError(f"expected {what} '{value}' to be a list of strings, got {result!r}")

        form_key = ut.form_key
        if ut.form_id:
            form_key = f"camunda-forms:bpmn:{ut.form_id}"
        elif ut.external_reference:
            form_key = text(ut.external_reference, "the form reference")
        priority = expressions.evaluate(ut.priority, variables) if ut.priority else 50
        return {
            "assignee": text(ut.assignee, "the assignee"),
            "candidate_groups": names(ut.candidate_groups, "the candidate groups"),
            "candidate_users": names(ut.candidate_users, "the candidate users"),
            "due_date": text(ut.due_date, "the due date"),
            "follow_up_date": text(ut.follow_up_date, "the follow-up date"),
            "priority": int(priority) if isinstance(priority, int | float) else 50,
            "form_key": form_key,
        }

    def start_user_task(self, task: Any, spec: Any) -> None:
        instance = self._instance_of(task)
        variables = self._apply_inputs(task, spec)
        assignment = self._assignment(spec.zeebe.user_task, variables)
        definition = self._definition_of(instance)
        element_key = task.internal_data.setdefault("key", self.new_key())
        record = UserTask(
            key=self.new_key(),
            instance_key=instance.key,
            element_instance_key=element_key,
            element_id=spec.bpmn_id,
            task_id=str(task.id),
            bpmn_process_id=instance.bpmn_process_id,
            version=instance.version,
            definition_key=definition.key,
            state=UserTaskState.CREATED,
            element_name=spec.bpmn_name,
            created_ms=self.now_ms(),
            **assignment,
        )
        task.internal_data["user_task_key"] = record.key
        self.user_tasks[record.key] = record
        self._tx().changes.put(record)

    def run_script(self, task: Any, spec: Any) -> None:
        variables = self._apply_inputs(task, spec)
        expression, result_variable = spec.zeebe.script
        result = expressions.evaluate(expression, variables)
        self._apply_outputs(task, spec, {result_variable: result} if result_variable else {})

    # --- sub-processes and call activities

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
        process_id = expressions.evaluate_string(called.process_id, visible, "the called process id")
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

    # --- multi-instance

    def start_multi_instance(self, body: Any, spec: Any) -> bool | None:
        loop = spec.loop
        items = expressions.evaluate(loop.input_collection, scopes.visible(body))
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
            state["outputs"][child.internal_data["mi_index"]] = expressions.evaluate(loop.output_element, visible)
        state["done"] += 1
        total = len(state["items"])
        done_early = False
        if loop.completion_condition:
            counters = {
                "numberOfInstances": total,
                "numberOfCompletedInstances": state["done"],
                "numberOfActiveInstances": state["next"] - state["done"],
            }
            done_early = expressions.evaluate_bool(loop.completion_condition, {**visible, **counters})
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

    def timer_failed(self, task: Any, message: str) -> None:
        self._raise_incident(task, "EXTRACT_VALUE_ERROR", message)

    def evaluate_timer(self, task: Any, expression: str) -> Any:
        return expressions.evaluate_raw(expression, scopes.visible(task))

    def task_cancelled(self, task: Any) -> None:
        child_key = task.internal_data.pop("child", None)
        child = self.instances.get(child_key) if child_key else None
        if child is not None:
            self._terminate(child)
        for job in [j for j in self.jobs.values() if j.task_id == str(task.id)]:
            self._drop_job(job)
        key = task.internal_data.get("user_task_key")
        record = self.user_tasks.pop(key, None) if key else None
        if record is not None:
            record.state = UserTaskState.CANCELED
            self._tx().changes.put(record)
        for incident in [i for i in self.incidents.values() if i.task_id == str(task.id)]:
            self.incidents.pop(incident.key)
            self._tx().changes.drop(incident)

    def _apply_inputs(self, task: Any, spec: Any) -> dict[str, Any]:
        """Input mappings create the element's local scope; returns what the element sees."""
        visible = scopes.visible(task)
        inputs = spec.zeebe.inputs
        if inputs:
            local = scopes.local_scope(task, create=True)
            assert local is not None
            context = dict(visible)
            for mapping in inputs:
                value = expressions.evaluate(mapping.source, context)
                _assign_path(local, mapping.target, value)
                context[mapping.target.split(".")[0]] = local[mapping.target.split(".")[0]]
            visible = scopes.visible(task)
        return visible

    def _apply_outputs(self, task: Any, spec: Any, variables: Mapping[str, Any]) -> None:
        """Zeebe's propagation: with output mappings, results go up from the flow scope; without,
        each variable lands in the nearest scope that holds it (the element's own first)."""
        outputs = spec.zeebe.outputs
        if not outputs:
            scopes.propagate(list(scopes.chain(task)), variables)
            return
        local = scopes.local_scope(task, create=True)
        assert local is not None
        local.update(variables)
        context = scopes.visible(task)
        results: dict[str, Any] = {}
        for mapping in outputs:
            value = expressions.evaluate(mapping.source, context)
            _assign_path(results, mapping.target, value)
        scopes.propagate(list(scopes.chain(task, include_local=False)), results)

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

    # ------------------------------------------------------------------ incidents

    def _raise_incident(self, task: Any, error_type: str, message: str, job: Job | None = None) -> Incident:
        instance = self._instance_of(task) if job is None else self.instances[job.instance_key]
        incident = Incident(
            key=self.new_key(),
            instance_key=instance.key,
            element_instance_key=task.internal_data.setdefault("key", self.new_key()),
            element_id=task.task_spec.bpmn_id or task.task_spec.name,
            task_id=str(task.id),
            error_type=error_type,
            message=message,
            job_key=job.key if job else None,
            created_ms=self.now_ms(),
        )
        self.incidents[incident.key] = incident
        self._tx().changes.put(incident)
        self._observe(lambda: metrics.engine.incident_raised(error_type))
        log.warning("incident %s on %s in instance %s: %s", incident.key, incident.element_id, instance.key, message)
        return incident

    def resolve_incident(self, incident_key: int) -> None:
        with self.command() as txn:
            incident = self.incidents.get(incident_key)
            if incident is None:
                raise not_found(
                    f"Expected to resolve incident with key '{incident_key}', but no such incident was found"
                )
            self.incidents.pop(incident.key)
            txn.changes.drop(incident)
            instance = self.instances[incident.instance_key]
            if incident.job_key is not None:
                job = self.jobs.get(incident.job_key)
                if job is not None:
                    if job.retries <= 0 and job.state == JobState.FAILED:
                        task = self._task(instance, job.task_id)
                        txn.instance = instance
                        self._raise_incident(task, incident.error_type, incident.message, job)
                        return
                    job.state = JobState.ACTIVATABLE
                    job.backoff_until_ms = 0
                    job.deadline_ms = -1
                    self._schedule_job(job)
                    txn.changes.put(job)
                    txn.new_jobs = True
                return
            task = self._task(instance, incident.task_id)
            pending = task.internal_data.pop("pending_completion", None)
            txn.instance = instance
            if pending is not None:  # output mapping failed after the job completed: retry it
                self._finish_task(instance, task, pending)
            elif task.has_state(TaskState.ERROR):
                task._set_state(TaskState.READY)
            elif task.internal_data.pop("timer_failed", None):
                task.task_spec._update(task)  # evaluate the timer again
            elif task.internal_data.pop("subscription_failed", None):
                pass  # the next synchronisation opens the subscription again
            self._run(instance)
            txn.instance = None

    # ------------------------------------------------------------------ deployment

    def deploy(self, resources: list[tuple[str, bytes]]) -> Deployment:
        """Deploy BPMN and DMN resources atomically: all are valid, or nothing is deployed."""
        if not resources:
            raise invalid("Expected to deploy at least one resource, but none given")
        processes: list[tuple[str, bytes, ParsedProcess]] = []
        graphs: list[tuple[bytes, Any]] = []
        for name, content in resources:
            if name.endswith(".dmn"):
                graphs.append((content, self.decision_repo.parse(content, name)))
            elif name.endswith((".bpmn", ".xml")):
                root = parse_xml(content, name)
                processes.extend((name, content, p) for p in parse_processes(root, name))
            else:
                raise invalid(f"Expected the resource '{name}' to be a BPMN (.bpmn) or DMN (.dmn) file")
        ids = [p.bpmn_process_id for _, _, p in processes] + [d for _, g in graphs for d in g.decision_ids]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise invalid(f"Duplicated process or decision id in resources: {', '.join(sorted(duplicates))}")
        with self.command() as txn:
            result = Deployment(key=self.new_key())
            for name, content, process in processes:
                result.processes.append(self._deploy_process(name, content, process, result.key))
            for content, graph in graphs:
                drg, decisions, new = self.decision_repo.deploy(graph, content, result.key, self.new_key, self.now_ms())
                if new:
                    txn.changes.put(drg.record)
                    for decision in decisions:
                        txn.changes.put(decision)
                result.decision_requirements.append(drg.record)
                result.decisions.extend(decisions)
            return result

    def _deploy_process(self, name: str, content: bytes, process: ParsedProcess, deployment_key: int) -> Definition:
        checksum = hashlib.sha256(content).hexdigest()
        current = self.latest.get(process.bpmn_process_id)
        if current and current.definition.checksum == checksum and current.definition.resource_name == name:
            return current.definition  # unchanged: Zeebe returns the existing version
        definition = Definition(
            key=self.new_key(),
            bpmn_process_id=process.bpmn_process_id,
            version=current.definition.version + 1 if current else 1,
            name=process.name,
            resource_name=name,
            checksum=checksum,
            deployment_key=deployment_key,
            resource=content,
            created_ms=self.now_ms(),
        )
        deployed = DeployedProcess(definition, process.spec, process.subprocess_specs)
        self.definitions[definition.key] = deployed
        self.latest[definition.bpmn_process_id] = deployed
        self._tx().changes.put(definition)
        return definition

    # ------------------------------------------------------------------ decisions

    def evaluate_decision(
        self, decision_id: str, decision_key: int, variables: Mapping[str, Any]
    ) -> tuple[DecisionDefinition, DecisionEvaluation]:
        """The EvaluateDecision command: a failure is reported in the result, not raised."""
        with self.lock:
            decision = self.decision_repo.find(decision_id, decision_key)
            return decision, self.decision_repo.evaluate(decision, variables)

    def run_decision(self, task: Any, spec: Any) -> None:
        """A business rule task with `zeebe:calledDecision`: evaluate and store the result."""
        variables = self._apply_inputs(task, spec)
        decision_id_text, result_variable = spec.zeebe.called_decision
        decision_id = expressions.evaluate_string(decision_id_text, variables, "the decision id")
        try:
            decision = self.decision_repo.find(decision_id)
        except EngineError as err:
            raise DecisionFailure(err.message) from err
        evaluation = self.decision_repo.evaluate(decision, variables)
        if evaluation.failed:
            raise DecisionFailure(evaluation.failure_message or "the decision failed")
        self._apply_outputs(task, spec, {result_variable: feel_json(evaluation.decision_output)})

    # ------------------------------------------------------------------ process instances

    def _resolve_definition(self, bpmn_process_id: str, version: int, definition_key: int) -> DeployedProcess:
        if definition_key:
            found = self.definitions.get(definition_key)
            if found is None:
                raise not_found(f"Expected to find process definition with key '{definition_key}', but none found")
            return found
        if version and version > 0:
            for deployed in self.definitions.values():
                d = deployed.definition
                if d.bpmn_process_id == bpmn_process_id and d.version == version:
                    return deployed
            raise not_found(
                f"Expected to find process definition with process ID '{bpmn_process_id}' and version "
                f"'{version}', but none found"
            )
        latest = self.latest.get(bpmn_process_id)
        if latest is None:
            raise not_found(f"Expected to find process definition with process ID '{bpmn_process_id}', but none found")
        return latest

    def create_instance(
        self,
        bpmn_process_id: str = "",
        variables: Mapping[str, Any] | None = None,
        version: int = -1,
        definition_key: int = 0,
        keep_result: bool = False,
    ) -> Instance:
        with self.command():
            deployed = self._resolve_definition(bpmn_process_id, version, definition_key)
            if not _has_none_start(deployed.spec):
                raise invalid(
                    f"Expected to create instance of process with none start event, but there is no such event "
                    f"in process '{deployed.definition.bpmn_process_id}'"
                )
            instance = self._new_instance(deployed, variables or {})
            if keep_result:
                self._result_waiters.add(instance.key)
            self._run(instance)
            return instance

    def _new_instance(self, deployed: DeployedProcess, variables: Mapping[str, Any]) -> Instance:
        d = deployed.definition
        instance = Instance(
            key=self.new_key(),
            definition_key=d.key,
            bpmn_process_id=d.bpmn_process_id,
            version=d.version,
            state=InstanceState.ACTIVE,
            created_ms=self.now_ms(),
        )
        wf = BpmnWorkflow(deployed.spec, deployed.subprocess_specs, script_engine=self.script_engine)
        scopes.workflow_scope(wf).update(variables)
        self.instances[instance.key] = instance
        self._cache(instance.key, wf)
        self._tx().touched.add(instance.key)
        self._observe(lambda: metrics.engine.instance_created(d.bpmn_process_id))
        return instance

    def await_result(self, instance_key: int, timeout_s: float) -> dict[str, Any] | None:
        """Block until the instance ends; its final variables, or None on timeout."""
        with self.lock:
            ok = self.changed.wait_for(lambda: instance_key not in self.instances, timeout=timeout_s)
            self._result_waiters.discard(instance_key)
            if not ok:
                return None
            return self.results.pop(instance_key, {})

    def cancel_instance(self, instance_key: int) -> None:
        with self.command():
            instance = self.instances.get(instance_key)
            if instance is None:
                raise not_found(
                    f"Expected to cancel a process instance with key '{instance_key}', but no such process was found"
                )
            if instance.parent_key:
                raise precondition(
                    f"Expected to cancel a process instance with key '{instance_key}', but it is created by a parent "
                    f"process instance. Cancel the root process instance '{instance.parent_key}' instead."
                )
            self._terminate(instance)

    def _terminate(self, instance: Instance) -> None:
        """Cancel an instance and everything it called; nothing is propagated to a parent."""
        wf = self.workflow(instance)
        txn = self._tx()
        previous, txn.instance = txn.instance, instance
        try:
            wf.cancel()
        finally:
            txn.instance = previous
        self._end_instance(instance, InstanceState.TERMINATED, scopes.workflow_scope(wf))

    def set_variables(self, element_instance_key: int, variables: Mapping[str, Any], local: bool) -> int:
        with self.command() as txn:
            instance, task = self._element(element_instance_key)
            wf = self.workflow(instance)
            chain = list(scopes.chain(task)) if task is not None else [scopes.workflow_scope(wf)]
            if task is not None and (local or not chain):
                chain = [scopes.local_scope(task, create=True)]  # type: ignore[list-item]
            if local:
                chain[0].update(variables)
            else:
                scopes.propagate(chain, variables)
            txn.touched.add(instance.key)
            return self.new_key()

    def _element(self, key: int) -> tuple[Instance, Any]:
        if key in self.instances:
            return self.instances[key], None
        records: list[Job | UserTask] = [*self.jobs.values(), *self.user_tasks.values()]
        for record in records:
            if record.element_instance_key == key:
                instance = self.instances[record.instance_key]
                return instance, self._task(instance, record.task_id)
        raise not_found(f"Expected to find an element instance with key '{key}', but none was found")

    def variables(self, instance_key: int) -> dict[str, Any]:
        with self.lock:
            instance = self.instances.get(instance_key)
            if instance is None:
                raise not_found(f"Expected to find process instance with key '{instance_key}', but none was found")
            return dict(scopes.workflow_scope(self.workflow(instance)))

    # ------------------------------------------------------------------ jobs

    def _schedule_job(self, job: Job) -> None:
        if job.state == JobState.ACTIVATED and job.deadline_ms > 0:
            heapq.heappush(self._job_heap, (job.deadline_ms, job.key))
        elif job.state == JobState.ACTIVATABLE and job.backoff_until_ms > 0:
            heapq.heappush(self._job_heap, (job.backoff_until_ms, job.key))

    def _activatable(self, job: Job, now: int) -> bool:
        return job.state == JobState.ACTIVATABLE and job.backoff_until_ms <= now

    def _activate(self, job: Job, worker: str, timeout_ms: int, fetch: list[str]) -> ActivatedJob:
        job.state = JobState.ACTIVATED
        job.worker = worker
        job.deadline_ms = self.now_ms() + max(timeout_ms, 0)
        self._schedule_job(job)
        self._tx().changes.put(job)
        instance = self.instances[job.instance_key]
        task = self._task(instance, job.task_id)
        variables = scopes.visible(task)
        if fetch:
            variables = {k: v for k, v in variables.items() if k in fetch}
        return ActivatedJob(job, variables)

    def activate_jobs(
        self,
        job_type: str,
        worker: str,
        timeout_ms: int,
        max_jobs: int,
        fetch: list[str],
        request_timeout_ms: int = 0,
        is_active: Callable[[], bool] = lambda: True,
    ) -> list[ActivatedJob]:
        """ActivateJobs with Zeebe's long polling: 0 waits the default, negative answers at once."""
        if not job_type:
            raise invalid("Expected to activate jobs of a non-empty type")
        if max_jobs < 1:
            raise invalid(f"Expected to activate at least one job, but maxJobsToActivate was {max_jobs}")
        wait_ms = DEFAULT_LONG_POLL_MS if request_timeout_ms == 0 else max(request_timeout_ms, 0)
        deadline = self.clock_free_deadline(wait_ms)
        with self.lock:
            while is_active():  # a poll whose caller has gone must not take jobs
                now = self.now_ms()
                candidates = [j for j in self.jobs.values() if j.type == job_type and self._activatable(j, now)]
                if candidates:
                    candidates.sort(key=lambda j: j.key)
                    with self.command():
                        return [self._activate(j, worker, timeout_ms, fetch) for j in candidates[:max_jobs]]
                remaining = deadline - _monotonic()
                if remaining <= 0:
                    return []
                self.changed.wait(timeout=min(remaining, 0.5))
            return []

    def yield_jobs(self, keys: list[int]) -> None:
        """Jobs activated for a caller that vanished before receiving them go back to the pool."""
        with self.command() as txn:
            for key in keys:
                job = self.jobs.get(key)
                if job is not None and job.state == JobState.ACTIVATED:
                    job.state, job.worker, job.deadline_ms = JobState.ACTIVATABLE, "", -1
                    txn.changes.put(job)
                    txn.new_jobs = True

    @staticmethod
    def clock_free_deadline(wait_ms: int) -> float:
        # Long polls wait in real time even under a controlled engine clock.
        return _monotonic() + wait_ms / 1000

    def open_stream(self, stream: JobStream) -> None:
        """Jobs that become activatable from now on are pushed; the backlog stays for polling, as in
        Zeebe, so a reconnecting worker is not flooded beyond what it asked for."""
        with self.lock:
            self._streams.append(stream)

    def close_stream(self, stream: JobStream) -> None:
        with self.lock:
            if stream in self._streams:
                self._streams.remove(stream)

    def _push_to_streams(self) -> None:
        if not self._streams:
            return
        now = self.now_ms()
        by_type: dict[str, list[JobStream]] = {}
        for stream in self._streams:
            by_type.setdefault(stream.type, []).append(stream)
        pending = sorted(
            (j for j in self.jobs.values() if j.type in by_type and self._activatable(j, now)), key=lambda j: j.key
        )
        if not pending:
            return
        pushes: list[tuple[JobStream, ActivatedJob]] = []
        with self.command():
            for index, job in enumerate(pending):
                streams = by_type[job.type]
                stream = streams[index % len(streams)]
                pushes.append((stream, self._activate(job, stream.worker, stream.timeout_ms, stream.fetch)))
        for stream, activated in pushes:
            stream.push(activated)

    def _job(self, key: int, action: str) -> Job:
        job = self.jobs.get(key)
        if job is None:
            raise not_found(f"Expected to {action} job with key '{key}', but no such job was found")
        return job

    def complete_job(self, key: int, variables: Mapping[str, Any]) -> None:
        with self.command() as txn:
            job = self._job(key, "complete")
            if job.state not in (JobState.ACTIVATED, JobState.ACTIVATABLE):
                raise precondition(f"Expected to complete job with key '{key}', but it is in state '{job.state}'")
            instance = self.instances[job.instance_key]
            task = self._task(instance, job.task_id)
            self._drop_job(job)
            seconds = max(self.now_ms() - job.created_ms, 0) / 1000
            self._observe(lambda: metrics.engine.job_completed(job.type, seconds))
            txn.instance = instance
            self._finish_task(instance, task, dict(variables))
            self._run(instance)
            txn.instance = None

    def _finish_task(self, instance: Instance, task: Any, variables: dict[str, Any]) -> None:
        try:
            self._apply_outputs(task, task.task_spec, variables)
        except expressions.ExpressionError as err:
            task.internal_data["pending_completion"] = variables
            self._raise_incident(task, "IO_MAPPING_ERROR", str(err))
            self._tx().touched.add(instance.key)
            return
        task.complete()

    def _drop_job(self, job: Job) -> None:
        self.jobs.pop(job.key, None)
        self._tx().changes.drop(job)

    def fail_job(
        self, key: int, retries: int, error_message: str, backoff_ms: int, variables: Mapping[str, Any]
    ) -> None:
        with self.command() as txn:
            job = self._job(key, "fail")
            if job.state != JobState.ACTIVATED:
                raise precondition(f"Expected to fail job with key '{key}', but it is in state '{job.state}'")
            instance = self.instances[job.instance_key]
            job.retries = retries
            job.error_message = error_message
            job.worker = ""
            self._observe(lambda: metrics.engine.job_failed(job.type, retries))
            job.deadline_ms = -1
            if variables:
                task = self._task(instance, job.task_id)
                local = scopes.local_scope(task, create=True)
                assert local is not None
                local.update(variables)
                txn.touched.add(instance.key)
            if retries > 0:
                job.state = JobState.ACTIVATABLE
                job.backoff_until_ms = self.now_ms() + backoff_ms if backoff_ms > 0 else 0
                self._schedule_job(job)
                txn.new_jobs = backoff_ms <= 0
            else:
                job.state = JobState.FAILED
                task = self._task(instance, job.task_id)
                message = error_message or "No more retries left."
                self._raise_incident(task, "JOB_NO_RETRIES", message, job)
            txn.changes.put(job)

    def throw_error(self, key: int, error_code: str, error_message: str, variables: Mapping[str, Any]) -> None:
        """A BPMN error from a worker: the nearest catching boundary takes it, with the variables in
        its local scope; an error nobody catches raises an incident, as in Zeebe."""
        with self.command() as txn:
            job = self._job(key, "throw an error for")
            if job.state not in (JobState.ACTIVATED, JobState.ACTIVATABLE):
                raise precondition(
                    f"Expected to throw an error for job with key '{key}', but it is in state '{job.state}'"
                )
            instance = self.instances[job.instance_key]
            task = self._task(instance, job.task_id)
            txn.instance = instance
            found = self._find_catch(instance, task, "error", error_code, include_self=True)
            self._observe(lambda: metrics.engine.job_error_thrown(job.type, caught=found is not None))
            if found is not None:
                self._drop_job(job)
                self._deliver(found[0], found[1], "error", dict(variables))
                self._run(found[0])
                if instance.key != found[0].key and instance.key in self.instances:
                    self._run(instance)
                txn.instance = None
                return
            job.state = JobState.ERROR_THROWN
            job.error_message = error_message
            job.deadline_ms = -1
            txn.changes.put(job)
            message = f"Expected to throw an error event with the code '{error_code}'"
            message += (
                f" with message '{error_message}', but it was not caught."
                if error_message
                else ", but it was not caught."
            )
            self._raise_incident(task, "UNHANDLED_ERROR_EVENT", message, job)

    def update_job_retries(self, key: int, retries: int) -> None:
        with self.command() as txn:
            job = self._job(key, "update retries of")
            if retries < 1:
                raise invalid(f"Expected to update job retries with a positive amount, but was {retries}")
            job.retries = retries
            txn.changes.put(job)

    def update_job_timeout(self, key: int, timeout_ms: int) -> None:
        with self.command() as txn:
            job = self._job(key, "update the timeout of")
            if job.state != JobState.ACTIVATED:
                raise precondition(f"Expected to update the timeout of job with key '{key}', but it is not active")
            job.deadline_ms = self.now_ms() + timeout_ms
            self._schedule_job(job)
            txn.changes.put(job)

    # ------------------------------------------------------------------ user tasks

    def user_task(self, key: int) -> UserTask:
        record = self.user_tasks.get(key)
        if record is None:
            raise not_found(f"Expected to find a user task with key '{key}', but none was found")
        return record

    def user_task_variables(self, key: int) -> dict[str, Any]:
        with self.lock:
            record = self.user_task(key)
            return scopes.visible(self._task(self.instances[record.instance_key], record.task_id))

    def assign_user_task(self, key: int, assignee: str | None) -> UserTask:
        with self.command() as txn:
            record = self.user_task(key)
            record.assignee = assignee or None
            txn.changes.put(record)
            return record

    def complete_user_task(self, key: int, variables: Mapping[str, Any]) -> None:
        with self.command() as txn:
            record = self.user_task(key)
            instance = self.instances[record.instance_key]
            task = self._task(instance, record.task_id)
            record.state = UserTaskState.COMPLETED
            record.completed_ms = self.now_ms()
            self.user_tasks.pop(key)
            txn.changes.put(record)
            txn.instance = instance
            self._finish_task(instance, task, dict(variables))
            self._run(instance)
            txn.instance = None

    # ------------------------------------------------------------------ messages

    def publish_message(
        self, name: str, correlation_key: str, ttl_ms: int, message_id: str, variables: Mapping[str, Any]
    ) -> int:
        """Correlate to open subscriptions (one per instance) and message start events; keep the
        message buffered for its time to live so subscriptions opened later can still take it."""
        if not name:
            raise invalid("Expected to publish a message with a non-empty name")
        with self.command() as txn:
            now = self.now_ms()
            if message_id:
                for m in self.messages.values():
                    same = (m.name, m.correlation_key, m.message_id) == (name, correlation_key, message_id)
                    if same and m.expires_ms > now:
                        raise EngineError(
                            Code.ALREADY_EXISTS,
                            f"Expected to publish a new message with id '{message_id}', but a message with that id "
                            "was already published",
                        )
            message = Message(self.new_key(), name, correlation_key, message_id, now + max(ttl_ms, 0), dict(variables))
            for subscription in self._matching_subscriptions(name, correlation_key):
                if subscription.instance_key not in message.correlated and subscription.key in self.subscriptions:
                    self._correlate(subscription, message)
            self._start_by_message(message)
            correlated = bool(message.correlated or message.started)
            self._observe(lambda: metrics.engine.message_published(correlated=correlated))
            if ttl_ms > 0:
                self.messages[message.key] = message
                txn.changes.put(message)
            return message.key

    def _matching_subscriptions(self, name: str, correlation_key: str) -> list[Subscription]:
        return sorted(
            (s for s in self.subscriptions.values() if (s.message_name, s.correlation_key) == (name, correlation_key)),
            key=lambda s: s.key,
        )

    def _sync_subscriptions(self, instance: Instance, wf: Any) -> bool:
        """Open subscriptions for message catch events that now wait, close those that no longer
        do; returns True when a buffered message was delivered (the instance moved on)."""
        waiting: dict[tuple[str, int], tuple[Any, Any]] = {}
        for task in wf.event_manager.tasks.values():
            process_start = isinstance(task.task_spec, ZeebeStartEvent) and task.workflow.parent_task_id is None
            if task.state != TaskState.WAITING or process_start:
                continue  # a process's message start events are served by _start_by_message
            definition = task.task_spec.event_definition
            if isinstance(definition, ZeebeMessageDefinition | ZeebeSignalDefinition):
                waiting[(str(task.id), 0)] = (task, definition)
            elif isinstance(definition, ZeebeGatewayEvents):
                for slot, choice in enumerate(definition.choices):
                    if isinstance(choice, ZeebeMessageDefinition | ZeebeSignalDefinition):
                        waiting[(str(task.id), slot)] = (task, choice)
        mine = [s for s in self.subscriptions.values() if s.instance_key == instance.key]
        for subscription in mine:
            if (subscription.task_id, subscription.slot) not in waiting:
                self._close_subscription(subscription)
        open_slots = {(s.task_id, s.slot) for s in self.subscriptions.values() if s.instance_key == instance.key}
        for slot_key, (task, definition) in waiting.items():
            if slot_key in open_slots or task.internal_data.get("subscription_failed"):
                continue
            opened = self._open_subscription(instance, task, definition, slot_key[1])
            if opened is None or opened.kind != "message":
                continue
            for message in sorted(self.messages.values(), key=lambda m: m.key):
                matches = (message.name, message.correlation_key) == (opened.message_name, opened.correlation_key)
                if matches and instance.key not in message.correlated and message.expires_ms > self.now_ms():
                    self._correlate(opened, message, run=False)
                    self._tx().changes.put(message)
                    return True
        return False

    def _open_subscription(self, instance: Instance, task: Any, definition: Any, slot: int) -> Subscription | None:
        if isinstance(definition, ZeebeSignalDefinition):
            return self._add_subscription(instance, task, definition.name, "", slot, "signal")
        variables = scopes.visible(task)
        try:
            name = expressions.evaluate_string(definition.name, variables, "the message name")
            key_value = expressions.evaluate(definition.correlation_key or "", variables)
            if isinstance(key_value, bool) or not isinstance(key_value, str | int | float):
                raise expressions.ExpressionError(
                    f"expected the correlation key '{definition.correlation_key}' to be a string or a number, "
                    f"but it was {key_value!r}"
                )
        except expressions.ExpressionError as err:
            task.internal_data["subscription_failed"] = True
            self._raise_incident(task, "EXTRACT_VALUE_ERROR", str(err))
            return None
        if isinstance(key_value, float) and key_value.is_integer():
            key_value = int(key_value)
        return self._add_subscription(instance, task, name, str(key_value), slot, "message")

    def _add_subscription(
        self, instance: Instance, task: Any, name: str, correlation_key: str, slot: int, kind: str
    ) -> Subscription:
        subscription = Subscription(
            key=self.new_key(),
            instance_key=instance.key,
            task_id=str(task.id),
            element_id=task.task_spec.bpmn_id,
            message_name=name,
            correlation_key=correlation_key,
            created_ms=self.now_ms(),
            slot=slot,
            kind=kind,
        )
        self.subscriptions[subscription.key] = subscription
        self._tx().changes.put(subscription)
        return subscription

    def _close_subscription(self, subscription: Subscription) -> None:
        self.subscriptions.pop(subscription.key, None)
        self._tx().changes.drop(subscription)

    def _correlate(self, subscription: Subscription, message: Message, run: bool = True) -> None:
        message.correlated.append(subscription.instance_key)
        self._trigger(subscription, dict(message.variables), "message", run)

    def _trigger(self, subscription: Subscription, variables: dict[str, Any], kind: str, run: bool = True) -> None:
        """Deliver a message or signal to the waiting element behind `subscription`."""
        instance = self.instances[subscription.instance_key]
        task = self._task(instance, subscription.task_id)
        self._close_subscription(subscription)
        txn = self._tx()
        previous, txn.instance = txn.instance, instance
        try:
            if isinstance(task.task_spec, ZeebeEventBasedGateway):
                task.internal_data["chosen"] = subscription.slot
                task.internal_data["caught_variables"] = variables
                task.task_spec._update(task)
            elif isinstance(task.task_spec, ZeebeBoundaryEvent) and not task.task_spec.cancel_activity:
                self._spawn_from_boundary(task, variables)
            else:
                events.deliver(task, kind, variables)
            if run:
                self._run(instance)
        finally:
            txn.instance = previous

    def _spawn_from_boundary(self, boundary: Any, variables: dict[str, Any]) -> None:
        """A non-interrupting message boundary stays subscribed while its activity runs, as in
        Zeebe: each message starts a new token on its outgoing flow, the boundary keeps waiting."""
        spec = boundary.task_spec
        if spec.zeebe.outputs:
            context = {**scopes.visible(boundary), **variables}
            results: dict[str, Any] = {}
            for mapping in spec.zeebe.outputs:
                _assign_path(results, mapping.target, expressions.evaluate(mapping.source, context))
            variables = results
        scopes.propagate(list(scopes.chain(boundary, include_local=False)), variables)
        for output in spec.outputs:
            child = boundary._add_child(output, TaskState.FUTURE)
            child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
            child.task_spec._update(child)

    # --- signals

    def broadcast_signal(self, name: str, variables: Mapping[str, Any]) -> int:
        """BroadcastSignal: every waiting signal catch event and every signal start event fires."""
        if not name:
            raise invalid("Expected to broadcast a signal with a non-empty name")
        with self.command():
            key = self.new_key()
            self._broadcast(name, dict(variables))
            return key

    def throw_signal(self, task: Any, name: str) -> None:
        """A signal throw event ran: broadcast once the task has finished its step."""
        self._tx().signals.append((name, {}))

    def _broadcast(self, name: str, variables: dict[str, Any], running: int | None = None) -> None:
        """`running`: the instance whose steps are under way (a throw event's); it is not re-entered,
        its own step loop picks the triggered elements up."""
        targets = sorted(
            (s for s in self.subscriptions.values() if s.kind == "signal" and s.message_name == name),
            key=lambda s: s.key,
        )
        for subscription in targets:
            if subscription.key in self.subscriptions and subscription.instance_key in self.instances:
                self._trigger(subscription, dict(variables), "signal", run=subscription.instance_key != running)
        for deployed in list(self.latest.values()):
            for start in _top_start_events(deployed.spec):
                definition = start.event_definition
                if isinstance(definition, ZeebeSignalDefinition) and definition.name == name:
                    self._start_at(deployed, start, "signal", variables)

    def _start_at(self, deployed: DeployedProcess, start: Any, kind: str, variables: dict[str, Any]) -> Instance:
        """A new instance through one of its event start events (message or signal)."""
        instance = self._new_instance(deployed, {})
        wf = self.workflow(instance)
        txn = self._tx()
        previous, txn.instance = txn.instance, instance
        try:
            self._run(instance)
            waiting = [t for t in wf.event_manager.tasks.values() if t.task_spec is start]
            if waiting:
                events.deliver(waiting[0], kind, dict(variables))
            self._run(instance)
        finally:
            txn.instance = previous
        return instance

    def _start_by_message(self, message: Message) -> None:
        """Message start events: one new instance per process, unless one started by the same
        correlation key is still active (Zeebe's rule)."""
        for deployed in list(self.latest.values()):
            start = _message_start_event(deployed.spec, message.name)
            if start is None or deployed.definition.bpmn_process_id in message.started:
                continue
            busy = any(
                i.bpmn_process_id == deployed.definition.bpmn_process_id
                and i.correlation_key == message.correlation_key
                and message.correlation_key
                for i in self.instances.values()
            )
            if busy:
                continue
            message.started.append(deployed.definition.bpmn_process_id)
            instance = self._start_at(deployed, start, "message", dict(message.variables))
            instance.correlation_key = message.correlation_key

    # ------------------------------------------------------------------ time

    def set_wake_hook(self, wake: Callable[[], None]) -> None:
        self._wake_scheduler = wake

    def next_wake_ms(self) -> int | None:
        with self.lock:
            candidates = []
            if self._timer_heap:
                candidates.append(self._timer_heap[0][0])
            if self._job_heap:
                candidates.append(self._job_heap[0][0])
            if self.messages:
                candidates.append(min(m.expires_ms for m in self.messages.values()))
            return min(candidates) if candidates else None

    def tick(self) -> int:
        """Fire due timers, time out expired job activations, release back-offs, drop expired
        messages. Cost grows with what is due, not with what is waiting."""
        fired = 0
        with self.lock:
            now = self.now_ms()
            due_instances: list[int] = []
            while self._timer_heap and self._timer_heap[0][0] <= now:
                due, key = heapq.heappop(self._timer_heap)
                instance = self.instances.get(key)
                if instance is not None and instance.next_due_ms == due and key not in due_instances:
                    due_instances.append(key)
            for key in due_instances:
                with self.command() as txn:
                    instance = self.instances[key]
                    txn.instance = instance
                    self.workflow(instance).refresh_timers()
                    self._run(instance)
                    txn.instance = None
                fired += 1
            due_jobs: list[Job] = []
            while self._job_heap and self._job_heap[0][0] <= now:
                _, key = heapq.heappop(self._job_heap)
                job = self.jobs.get(key)
                if job is not None:
                    due_jobs.append(job)
            if due_jobs:
                with self.command() as txn:
                    for job in due_jobs:
                        if job.state == JobState.ACTIVATED and 0 < job.deadline_ms <= now:
                            self._observe(functools.partial(metrics.engine.job_timed_out, job.type))
                            job.state = JobState.ACTIVATABLE  # timed out: hand it out again
                            job.worker = ""
                            job.deadline_ms = -1
                            txn.changes.put(job)
                            txn.new_jobs = True
                        elif job.state == JobState.ACTIVATABLE and 0 < job.backoff_until_ms <= now:
                            job.backoff_until_ms = 0
                            txn.changes.put(job)
                            txn.new_jobs = True
            expired = [m for m in self.messages.values() if m.expires_ms <= now]
            if expired:
                with self.command() as txn:
                    for message in expired:
                        self.messages.pop(message.key)
                        txn.changes.drop(message)
        if fired:
            metrics.engine.timers_fired(fired)
        return fired

    # ------------------------------------------------------------------ stats read at scrape time

    def instance_count(self) -> int:
        return len(self.instances)

    def activatable_job_counts(self) -> dict[str, int]:
        with self.lock:
            now = self.now_ms()
            counts: dict[str, int] = {}
            for job in self.jobs.values():
                if self._activatable(job, now):
                    counts[job.type] = counts.get(job.type, 0) + 1
            return counts

    def open_incident_count(self) -> int:
        return len(self.incidents)

    def due_timer_count(self, now_ms: int) -> int:
        with self.lock:
            return sum(1 for i in self.instances.values() if i.next_due_ms is not None and i.next_due_ms <= now_ms)

    def subscription_count(self) -> int:
        return len(self.subscriptions)

    def user_task_count(self) -> int:
        return len(self.user_tasks)


def _subtree_ids(task: Any) -> set[Any]:
    ids, stack = set(), [task]
    while stack:
        current = stack.pop()
        ids.add(current.id)
        stack.extend(current.children)
    return ids


def _is_end(task: Any) -> bool:
    """Spiff's own join and end tasks that close every (sub-)process."""
    name = task.task_spec.name
    return bool(name == "End" or name.endswith(".EndJoin"))


def _top_start_events(spec: Any) -> list[Any]:
    return [t for t in spec.task_specs.values() if isinstance(t, ZeebeStartEvent)]


def _has_none_start(spec: Any) -> bool:
    from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition

    return any(isinstance(t.event_definition, NoneEventDefinition) for t in _top_start_events(spec))


def _message_start_event(spec: Any, name: str) -> Any:
    for start in _top_start_events(spec):
        definition = start.event_definition
        if isinstance(definition, ZeebeMessageDefinition) and definition.name == name:
            return start
    return None


def _monotonic() -> float:
    import time

    return time.monotonic()


def _assign_path(target: dict[str, Any], path: str, value: Any) -> None:
    """`a.b.c` targets create nested contexts, as Zeebe's mappings do."""
    parts = path.split(".")
    for part in parts[:-1]:
        nested = target.get(part)
        if not isinstance(nested, dict):
            nested = target[part] = {}
        target = nested
    target[parts[-1]] = value


def _incident_type(err: Exception) -> str:
    if isinstance(err, expressions.ExpressionError):
        return "EXTRACT_VALUE_ERROR"
    if isinstance(err, DecisionFailure):
        return "DECISION_EVALUATION_ERROR"
    return "UNKNOWN"


def _message(err: Exception) -> str:
    text = str(err)
    cause = err.__cause__ or getattr(err, "exception", None)
    if cause is not None and str(cause) and str(cause) not in text:
        text = f"{text}: {cause}"
    return text
