"""The embedded engine: Zeebe's commands on Spiff workflows, with write-through durable state.

One lock serialises commands, as one Zeebe partition does; each command mutates memory, hands its
`Changes` to the group commit (commands that finish close together share one transaction) and
answers only once they are committed. If anything unexpected fails mid-command, memory is reloaded
from the store, so what was acknowledged is exactly what survives. docs/engine.md draws the flow.
"""

import contextlib
import dataclasses
import functools
import hashlib
import heapq
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from jiuzhu.engine import events, expressions, scopes
from jiuzhu.engine.bpmn.compaction import compact
from jiuzhu.engine.bpmn.parser import ParsedProcess, parse_processes
from jiuzhu.engine.bpmn.state import StateCodec
from jiuzhu.engine.bpmn.xml import parse_xml
from jiuzhu.engine.clock import Clock
from jiuzhu.engine.decisions import DecisionRepository
from jiuzhu.engine.dmn import DecisionEvaluation
from jiuzhu.engine.errors import Code, EngineError, invalid, not_found, precondition
from jiuzhu.engine.expressions import Expressions
from jiuzhu.engine.feel import limits as feel_limits
from jiuzhu.engine.feel import to_json as feel_json
from jiuzhu.engine.observer import EngineObserver, NullObserver
from jiuzhu.engine.records import (
    KEY_BASE,
    DecisionDefinition,
    DecisionRequirements,
    Definition,
    ElementCompleted,
    ElementInstance,
    ElementInstanceState,
    Incident,
    Instance,
    InstanceState,
    Job,
    JobState,
    Message,
    Subscription,
    TimerStart,
    UserTask,
    UserTaskState,
)
from jiuzhu.engine.runtime.board import JobBoard, activatable
from jiuzhu.engine.runtime.commit import GroupCommit
from jiuzhu.engine.runtime.history import ElementHistory
from jiuzhu.engine.runtime.model import (
    COMMAND_CPU_BUDGET_S,
    COMPACT_EVERY_ROUNDS,
    ELEMENT_CPU_BUDGET_S,
    MAX_CACHED_WORKFLOWS,
    MAX_ROUNDS_PER_COMMAND,
    TIMER_EVENT_TYPES,
    DecisionFailure,
    DeployedProcess,
    Deployment,
    FeelScriptEngine,
    JobStream,
    _assign_path,
    _has_none_start,
    _incident_type,
    _message,
    _Txn,
    log,
)
from jiuzhu.engine.runtime.subscriptions import Subscriptions
from jiuzhu.engine.store.repository import Changes, Store


class EngineCore:
    """State, commands and the step loop; the mixins add jobs, flow structure and correlation."""

    def __init__(self, store: Store, clock: Clock | None = None, observer: EngineObserver | None = None) -> None:
        self.store = store
        self.clock = clock or Clock()
        self.observer: EngineObserver = observer or NullObserver()
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)  # an instance ended: wake result waiters
        self.script_engine = FeelScriptEngine(self)
        # FEEL's now()/today() read this engine's clock, pinned or not (no process-wide setting)
        self.expressions = Expressions(self.clock.now)
        self.codec = StateCodec()
        self.board = JobBoard()
        self.commits = GroupCommit(self.store.commit_all)
        self.history = ElementHistory(self.new_key, self.now_ms)
        self._txn: _Txn | None = None
        self._wake_scheduler: Callable[[], None] = lambda: None
        self._planned_wake_ms: int | None = None  # what the scheduler sleeps until (next_wake_ms)
        # CPU budgets (model.py): one command's, and one element's expressions' within it
        self.command_cpu_s = COMMAND_CPU_BUDGET_S
        self.element_cpu_s = ELEMENT_CPU_BUDGET_S
        self._load()

    # Views kept for readers of the records (tests, the REST layer); the parts own them.
    @property
    def jobs(self) -> dict[int, Job]:
        return self.board.jobs

    @property
    def user_tasks(self) -> dict[int, UserTask]:
        return self.board.user_tasks

    @property
    def subscriptions(self) -> dict[int, Subscription]:
        return self._subscriptions.items

    @property
    def _streams(self) -> list[JobStream]:
        return self.board.streams

    # ------------------------------------------------------------------ state & transactions

    def _load(self) -> None:
        self.definitions: dict[int, DeployedProcess] = {}
        self.latest: dict[str, DeployedProcess] = {}
        for definition in sorted(self.store.load(Definition), key=lambda d: d.key):
            self._register_definition(definition)
        table = self.store.instance_table()
        self.instances: dict[int, Instance] = {  # each state is read when a command needs it
            i.key: i for i in self.store.load(Instance, table.c.state == InstanceState.ACTIVE, skip=("state_json",))
        }
        history = self.store.element_table()
        self.history.reset(
            r
            for r in self.store.load(ElementInstance, history.c.state == ElementInstanceState.ACTIVE)
            if r.instance_key in self.instances
        )
        self.workflows: OrderedDict[int, Any] = OrderedDict()
        self._roots: dict[int, dict[str, Any]] = {}  # process-scope variables as last saved
        self.board.reset(self.store.load(Job), self.store.load(UserTask, self.store.open_user_tasks()))
        self.incidents: dict[int, Incident] = {}
        self._incidents_by_instance: dict[int, set[int]] = {}
        for incident in self.store.load(Incident):
            self._add_incident(incident)
        self.messages: dict[int, Message] = {m.key: m for m in self.store.load(Message)}
        self._subscriptions = Subscriptions(self.store.load(Subscription))
        self.timer_starts: dict[int, TimerStart] = {t.key: t for t in self.store.load(TimerStart)}
        self.decision_repo = DecisionRepository(self.clock.now)
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
            *self.timer_starts,
            *self.decision_repo.drgs,
            *self.decision_repo.decisions,
        ]
        self._next_key = max(stored or KEY_BASE, max(known) + 1)
        self._timer_heap: list[tuple[int, int]] = [
            (i.next_due_ms, i.key) for i in self.instances.values() if i.next_due_ms is not None
        ]
        heapq.heapify(self._timer_heap)

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
    def command(self, deferred: bool = False) -> Iterator[_Txn]:
        """Run one command atomically: its changes are committed before it returns (`deferred`: the
        caller calls `settle` once it has left the engine lock), or memory is restored on failure."""
        with self.lock:
            if self._txn is not None:  # nested: join the running command
                yield self._txn
                return
            if self.commits.poisoned:  # an earlier commit failed: start again from the store
                self._reload()
            txn = self._txn = _Txn(cpu_started=feel_limits.cpu_clock())
            try:
                # expressions outside an element's own step (a job's output mappings, timers,
                # correlation keys) share one element's budget; each stepped element gets its own
                with feel_limits.cpu_budget(self.element_cpu_s, "the expressions of this command"):
                    yield txn
                self._conclude(txn)
            except EngineError:
                self._txn = None
                if not txn.changes.empty() or txn.touched:
                    self._reload()
                raise
            except Exception as err:
                self._txn = None
                log.exception("command failed; reloading engine state from the store")
                self._reload()
                # Never a silent stall: the element the command was working on gets an incident
                # with the error (its job is held until the incident is resolved).
                self._incident_for_failure(txn.focus, err)
                raise
            finally:
                self._txn = None
            txn.ticket = self.commits.enqueue(txn.changes, self._after_commit(txn))
            # Result waiters see the new state at once; what they answer waits for the commit.
            if txn.ended:
                self.changed.notify_all()
            if txn.wake or self._due_earlier_than_planned():
                self._wake_scheduler()
        if not deferred:
            self.settle(txn)

    def _focus(self, instance: Instance, task_id: str | None, job: Job | None = None) -> None:
        """Name the element this command works on: if it fails unexpectedly, the incident goes there."""
        self._tx().focus = (instance.key, task_id, job.key if job is not None else None)

    def _incident_for_failure(self, focus: tuple[int, str | None, int | None] | None, err: Exception) -> None:
        if focus is None:
            return
        instance_key, task_id, job_key = focus
        message = f"Unexpected error while processing the command: {type(err).__name__}: {err}"[:1000]
        try:
            with self.command() as txn:
                instance = self.instances.get(instance_key)
                if instance is None:
                    return
                job = self.jobs.get(job_key) if job_key is not None else None
                if job is not None and job.state in (JobState.ACTIVATED, JobState.ACTIVATABLE):
                    # held (not handed out, no deadline) until the incident is resolved
                    job.state, job.worker, job.deadline_ms = JobState.FAILED, "", -1
                    job.error_message = message
                    txn.changes.put(job)
                element_id, element_key, found_task = instance.bpmn_process_id, instance.key, ""
                if task_id:
                    with contextlib.suppress(Exception):  # the stored state itself may be what fails
                        task = self.workflow(instance).get_task_from_id(UUID(task_id))
                        element_id = task.task_spec.bpmn_id or task.task_spec.name
                        element_key = task.internal_data.get("key") or (job.element_instance_key if job else 0)
                        found_task = task_id
                incident = Incident(
                    key=self.new_key(),
                    instance_key=instance.key,
                    element_instance_key=element_key or instance.key,
                    element_id=element_id,
                    task_id=found_task,
                    error_type="UNKNOWN",
                    message=message,
                    job_key=job.key if job is not None else None,
                    created_ms=self.now_ms(),
                )
                self._add_incident(incident)
                txn.changes.put(incident)
                self._observe(lambda: self.observer.incident_raised("UNKNOWN"))
                log.warning("incident %s on %s in instance %s: %s", incident.key, element_id, instance.key, message)
        except Exception:
            log.exception("could not raise an incident for the failed command on instance %s", instance_key)

    def _due_earlier_than_planned(self) -> bool:
        """Did the command schedule something before the scheduler's next wake-up? (Waking it on
        every command would make it contend for the lock for nothing.)"""
        due = [d for d in (self._timer_heap[0][0] if self._timer_heap else None, self.board.next_due_ms()) if d]
        if not due:
            return False
        return self._planned_wake_ms is None or min(due) < self._planned_wake_ms

    def settle(self, txn: _Txn) -> None:
        """Wait until `txn` is committed, then push its activated jobs and tell the observer."""
        self.commits.wait(txn.ticket)
        for observe in txn.observed:
            try:
                observe()
            except Exception:  # an observer must never fail a committed command
                log.exception("engine observer failed")

    def _after_commit(self, txn: _Txn) -> Callable[[], None] | None:
        """Once `txn` is committed: push its activated jobs to their streams and wake the idle long
        polls of the job types that got work (run by whoever commits the batch)."""
        if not txn.pushes and not txn.ready_types:
            return None
        pushes, ready_types, board = txn.pushes, txn.ready_types, self.board

        def run() -> None:
            for stream, activated in pushes:
                stream.push(activated)
            board.notify(ready_types)

        return run

    def _conclude(self, txn: _Txn) -> None:
        """The end of a command's work: hand new jobs to open streams, save the touched instances."""
        if txn.ready_types and self.board.streams:
            self._push_to_streams(txn)
        for key in txn.touched:
            self._save_instance(key, txn.changes, resume=key in txn.resume)

    def _reload(self) -> None:
        self.commits.flush()  # what others handed in before this is committed (or fails) first
        self._load()
        self.commits.recovered()
        self.board.notify_all()

    def _observe(self, record: Callable[[], None]) -> None:
        """Tell the observer something once the command has committed (never for a rollback)."""
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

    def _save_instance(self, key: int, changes: Changes, resume: bool = False) -> None:
        instance = self.instances.get(key)
        if instance is None:
            return
        wf = self.workflows.get(key)
        if wf is not None:
            self.history.observe(instance, wf, changes)
        if instance.state == InstanceState.ACTIVE:
            wf = self.workflows[key]
            instance.next_due_ms = self.now_ms() if resume else self._next_due(wf)
            if instance.next_due_ms is not None:
                heapq.heappush(self._timer_heap, (instance.next_due_ms, key))
            row = Instance(**{**instance.__dict__, "state_json": self.codec.dumps(wf)})
            self._roots[key] = dict(scopes.workflow_scope(wf))
        else:
            row = Instance(**{**instance.__dict__, "state_json": None, "next_due_ms": None})
            self.history.instance_ended(instance, changes)
            self.instances.pop(key, None)
            self.workflows.pop(key, None)
            self._roots.pop(key, None)
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
            for round_ in range(MAX_ROUNDS_PER_COMMAND):
                if txn.out_of_budget:
                    # This command has spent its CPU budget: the instance goes on in a later command
                    # (the scheduler runs it at once), so others' commands get the lock meanwhile.
                    txn.resume.add(instance.key)
                    break
                if round_ and round_ % COMPACT_EVERY_ROUNDS == 0:
                    # a loop without a wait state (script tasks, gateways) must not deepen the tree
                    # within one command either: Spiff's task iterator stops looking 1,000 levels down
                    self._compact(instance, wf)
                if not self._step(wf):
                    wf.refresh_timers()
                    if (
                        not self._step(wf)
                        and not self._sync_subscriptions(instance, wf)
                        and not self._close_idle_event_subprocesses(wf)
                    ):
                        break
            else:
                # Still busy after this many steps: go on in a later command (the scheduler runs it
                # at once), so other commands interleave, as records do on a Zeebe partition.
                txn.resume.add(instance.key)
                log.info("instance %s still running after %s steps; continuing", instance.key, MAX_ROUNDS_PER_COMMAND)
        except EngineError:
            raise
        except Exception:
            if txn.focus is None:
                txn.focus = (instance.key, None, None)
            raise
        finally:
            txn.instance = previous
        self._compact(instance, wf)
        if wf.completed and instance.state == InstanceState.ACTIVE:
            self._end_instance(instance, InstanceState.COMPLETED, scopes.workflow_scope(wf))
        while self._pending_child_ends:
            child, variables = self._pending_child_ends.pop(0)
            self._child_ended(child, variables)

    def _compact(self, instance: Instance, wf: Any) -> None:
        """What is finished leaves the live state (its cost follows what is active, not the history);
        the completed elements are kept as history rows. The element history sees the tree first:
        what compaction removes has been recorded."""
        self.history.observe(instance, wf, self._tx().changes)
        for task in compact(wf):
            if task.state == TaskState.COMPLETED and getattr(task.task_spec, "bpmn_id", None):
                done = ElementCompleted(self.new_key(), instance.key, task.task_spec.bpmn_id, str(task.id))
                self._tx().changes.put(done)

    def _out_of_budget(self, txn: _Txn) -> bool:
        """May this command step no further element? It may while more than one element's share of
        its CPU budget is left (the first element always runs, so every command makes progress)."""
        if not txn.out_of_budget and txn.elements_run:
            spent = feel_limits.cpu_clock() - txn.cpu_started
            txn.out_of_budget = spent >= self.command_cpu_s - self.element_cpu_s
        return txn.out_of_budget

    def _step(self, wf: Any) -> bool:
        progressed = False
        txn = self._tx()
        workflows = [*sorted(wf.get_active_subprocesses(), key=lambda w: w.depth, reverse=True), wf]
        for sub in workflows:
            for task in sub.get_tasks(state=TaskState.READY):
                if task.task_spec.manual:
                    continue
                if self._out_of_budget(txn):
                    return True  # _run sees it and leaves the rest to a later command
                txn.elements_run += 1
                element = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
                try:
                    with feel_limits.cpu_budget(self.element_cpu_s, f"the expressions of element '{element}'"):
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
        self._observe(lambda: self.observer.instance_ended(instance.bpmn_process_id, state))
        instance.ended_ms = self.now_ms()
        if instance.key in self._result_waiters:
            self.results[instance.key] = dict(variables)
        if state == InstanceState.COMPLETED and instance.parent_key:
            self._pending_child_ends.append((instance, dict(variables)))
        for job in self.board.jobs_of_instance(instance.key):
            self._drop_job(job)
        for task in self.board.user_tasks_of_instance(instance.key):
            task.state = UserTaskState.CANCELED
            self._tx().changes.put(task)
            self.board.remove_user_task(task.key)
        for incident in self._incidents_of(instance.key):
            self._remove_incident(incident)
        for subscription in self._subscriptions.of_instance(instance.key):
            self._close_subscription(subscription)
        self._tx().touched.add(instance.key)
        self._tx().ended = True

    def _add_incident(self, incident: Incident) -> None:
        self.incidents[incident.key] = incident
        self._incidents_by_instance.setdefault(incident.instance_key, set()).add(incident.key)

    def _remove_incident(self, incident: Incident) -> None:
        self.incidents.pop(incident.key, None)
        keys = self._incidents_by_instance.get(incident.instance_key)
        if keys is not None:
            keys.discard(incident.key)
            if not keys:
                del self._incidents_by_instance[incident.instance_key]
        if self._txn is not None:
            self._txn.changes.drop(incident)

    def _incidents_of(self, instance_key: int) -> list[Incident]:
        return [self.incidents[k] for k in sorted(self._incidents_by_instance.get(instance_key, ()))]

    def _instance_of(self, task: Any) -> Instance:
        txn = self._tx()
        assert txn.instance is not None
        return txn.instance

    def _definition_of(self, instance: Instance) -> Definition:
        return self.definitions[instance.definition_key].definition

    # ------------------------------------------------------------------ Spiff hooks

    def run_script(self, task: Any, spec: Any) -> None:
        variables = self._apply_inputs(task, spec)
        expression, result_variable = spec.zeebe.script
        result = self.expressions.evaluate(expression, variables)
        self._apply_outputs(task, spec, {result_variable: result} if result_variable else {})

    def timer_failed(self, task: Any, message: str) -> None:
        self._raise_incident(task, "EXTRACT_VALUE_ERROR", message)

    def evaluate_timer(self, task: Any, expression: str) -> Any:
        return self.expressions.evaluate_raw(expression, scopes.visible(task))

    def task_cancelled(self, task: Any) -> None:
        child_key = task.internal_data.pop("child", None)
        child = self.instances.get(child_key) if child_key else None
        if child is not None:
            self._terminate(child)
        task_id = str(task.id)
        job = self.board.job_of_task(task_id)
        if job is not None:
            self._drop_job(job)
        key = task.internal_data.get("user_task_key")
        record = self.board.remove_user_task(key) if key else None
        if record is not None:
            record.state = UserTaskState.CANCELED
            self._tx().changes.put(record)
        running = self._tx().instance
        candidates = self._incidents_of(running.key) if running is not None else list(self.incidents.values())
        for incident in [i for i in candidates if i.task_id == task_id]:
            self._remove_incident(incident)

    def _apply_inputs(self, task: Any, spec: Any) -> dict[str, Any]:
        """Input mappings create the element's local scope; returns what the element sees."""
        visible = scopes.visible(task)
        inputs = spec.zeebe.inputs
        if inputs:
            local = scopes.local_scope(task, create=True)
            assert local is not None
            context = dict(visible)
            for mapping in inputs:
                value = self.expressions.evaluate(mapping.source, context)
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
            value = self.expressions.evaluate(mapping.source, context)
            _assign_path(results, mapping.target, value)
        scopes.propagate(list(scopes.chain(task, include_local=False)), results)

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
        self._add_incident(incident)
        self._tx().changes.put(incident)
        self._observe(lambda: self.observer.incident_raised(error_type))
        log.warning("incident %s on %s in instance %s: %s", incident.key, incident.element_id, instance.key, message)
        return incident

    def resolve_incident(self, incident_key: int) -> None:
        with self.command() as txn:
            incident = self.incidents.get(incident_key)
            if incident is None:
                raise not_found(
                    f"Expected to resolve incident with key '{incident_key}', but no such incident was found"
                )
            self._remove_incident(incident)
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
                    txn.changes.put(job)
                    self._job_ready(job)
                return
            txn.instance = instance
            if not incident.task_id:  # an unexpected failure of the instance as a whole: run it again
                self._focus(instance, None)
                self._run(instance)
                txn.instance = None
                return
            task = self._task(instance, incident.task_id)
            self._focus(instance, incident.task_id)
            pending = task.internal_data.pop("pending_completion", None)
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
        self._schedule_timer_starts(deployed)
        return definition

    # ------------------------------------------------------------------ decisions

    def evaluate_decision(
        self, decision_id: str, decision_key: int, variables: Mapping[str, Any]
    ) -> tuple[DecisionDefinition, DecisionEvaluation]:
        """The EvaluateDecision command: a failure is reported in the result, not raised."""
        with self.lock, feel_limits.cpu_budget(self.element_cpu_s, "the decision's expressions"):
            decision = self.decision_repo.find(decision_id, decision_key)
            return decision, self.decision_repo.evaluate(decision, variables)

    def run_decision(self, task: Any, spec: Any) -> None:
        """A business rule task with `zeebe:calledDecision`: evaluate and store the result."""
        variables = self._apply_inputs(task, spec)
        decision_id_text, result_variable = spec.zeebe.called_decision
        decision_id = self.expressions.evaluate_string(decision_id_text, variables, "the decision id")
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
        self.history.process_started(instance, d.name, self._tx().changes)
        self._observe(lambda: self.observer.instance_created(d.bpmn_process_id))
        return instance

    def await_result(self, instance_key: int, timeout_s: float) -> dict[str, Any] | None:
        """Block until the instance ends; its final variables, or None on timeout."""
        with self.lock:
            ok = self.changed.wait_for(lambda: instance_key not in self.instances, timeout=timeout_s)
            self._result_waiters.discard(instance_key)
            if not ok:
                return None
            result = self.results.pop(instance_key, {})
            ticket = self.commits.last_ticket()
        self.commits.wait(ticket)  # the end is answered only once it is committed
        return result

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
        record = self.board.element(key)
        if record is not None:
            instance = self.instances[record.instance_key]
            return instance, self._task(instance, record.task_id)
        raise not_found(f"Expected to find an element instance with key '{key}', but none was found")

    def variables(self, instance_key: int) -> dict[str, Any]:
        """The process-scope variables of a running instance (a copy)."""
        with self.lock:
            if instance_key not in self.instances:
                raise not_found(f"Expected to find process instance with key '{instance_key}', but none was found")
            return dict(self._root_variables(instance_key))

    def root_variables(self, instance_key: int) -> Mapping[str, Any]:
        """Read-only process-scope variables, {} for an instance that is not running. Kept per
        instance as it is saved, so searches over many instances (the task list's filters) do not
        deserialize each one nor push busy instances out of the workflow cache."""
        with self.lock:
            if instance_key not in self.instances:
                return {}
            return self._root_variables(instance_key)

    def _root_variables(self, instance_key: int) -> Mapping[str, Any]:
        found = self._roots.get(instance_key)
        if found is None:
            if instance_key in self.workflows:
                found = dict(scopes.workflow_scope(self.workflows[instance_key]))
            else:  # read the stored state without caching the workflow
                instance = self.instances[instance_key]
                deployed = self.definitions[instance.definition_key]
                text = self.store.load_instance_state(instance_key) or ""
                found = dict(scopes.workflow_scope(self.codec.loads(text, deployed.spec, deployed.subprocess_specs)))
            self._roots[instance_key] = found
        return found

    # ------------------------------------------------------------------ time

    def set_wake_hook(self, wake: Callable[[], None]) -> None:
        self._wake_scheduler = wake

    def completed_elements(self, instance_key: int) -> list[str]:
        """Element ids that completed in a running instance (embedded sub-processes included), oldest
        first: the history rows, then what is still in the live state."""
        with self.lock:
            history = self.store.completed_elements(instance_key)
            seen = {e.task_id for e in history}
            ids = [e.element_id for e in history]
            instance = self.instances.get(instance_key)
            if instance is not None:
                # Spiff's iterator descends into embedded sub-processes
                for task in self.workflow(instance).get_tasks(state=TaskState.COMPLETED):
                    element = getattr(task.task_spec, "bpmn_id", None)
                    if element and str(task.id) not in seen:
                        seen.add(str(task.id))
                        ids.append(element)
            return ids

    def next_wake_ms(self) -> int | None:
        with self.lock:
            candidates = []
            if self._timer_heap:
                candidates.append(self._timer_heap[0][0])
            job_due = self.board.next_due_ms()
            if job_due is not None:
                candidates.append(job_due)
            if self.messages:
                candidates.append(min(m.expires_ms for m in self.messages.values()))
            if self.timer_starts:
                candidates.append(min(t.due_ms for t in self.timer_starts.values()))
            self._planned_wake_ms = min(candidates) if candidates else None
            return self._planned_wake_ms

    def tick(self) -> int:
        """Fire due timers, time out expired job activations, release back-offs, drop expired
        messages. Cost grows with what is due, not with what is waiting. Each due instance is its
        own command, with the lock let go in between: one heavy instance (or many due together)
        cannot keep others' commands waiting, as records interleave on a Zeebe partition."""
        fired = 0
        now = self.now_ms()
        for key, due in self._due_instances(now):
            try:
                with self.command() as txn:
                    instance = self.instances.get(key)
                    if instance is None or instance.next_due_ms != due:
                        continue  # ended or moved by a command in between (its new time is in the heap)
                    self._focus(instance, None)
                    txn.instance = instance
                    self.workflow(instance).refresh_timers()
                    self._run(instance)
                    txn.instance = None
            except Exception:  # the command raised its incident (or refused): the others still run
                log.exception("due instance %s failed", key)
                continue
            fired += 1
        with self.lock:
            due_jobs = self.board.due(now)
            if due_jobs:
                with self.command() as txn:
                    for job in due_jobs:
                        if job.state == JobState.ACTIVATED and 0 < job.deadline_ms <= now:
                            self._observe(functools.partial(self.observer.job_timed_out, job.type))
                            job.state = JobState.ACTIVATABLE  # timed out: hand it out again
                            job.worker = ""
                            job.deadline_ms = -1
                            txn.changes.put(job)
                            self._job_ready(job)
                        elif job.state == JobState.ACTIVATABLE and 0 < job.backoff_until_ms <= now:
                            job.backoff_until_ms = 0
                            txn.changes.put(job)
                            self._job_ready(job)
                        else:
                            self.board.schedule(job)  # moved since it was scheduled: keep its new time
            expired = [m for m in self.messages.values() if m.expires_ms <= now]
            if expired:
                with self.command() as txn:
                    for message in expired:
                        self.messages.pop(message.key)
                        txn.changes.drop(message)
        fired += self._fire_timer_starts(now)
        if fired:
            try:
                self.observer.timers_fired(fired)
            except Exception:
                log.exception("engine observer failed")
        return fired

    def _due_instances(self, now: int) -> list[tuple[int, int]]:
        """(instance, due time) of the instances due by `now`, earliest first, taken off the heap."""
        due_instances: dict[int, int] = {}
        with self.lock:
            while self._timer_heap and self._timer_heap[0][0] <= now:
                due, key = heapq.heappop(self._timer_heap)
                instance = self.instances.get(key)
                if instance is not None and instance.next_due_ms == due and key not in due_instances:
                    if any(i.error_type == "UNKNOWN" for i in self._incidents_of(key)):
                        continue  # held by an unexpected failure until its incident is resolved
                    due_instances[key] = due
        return list(due_instances.items())

    # ------------------------------------------------------------------ stats read at scrape time

    def instance_count(self) -> int:
        return len(self.instances)

    def activatable_job_counts(self) -> dict[str, int]:
        with self.lock:
            return self.board.activatable_counts(self.now_ms())

    def open_incident_count(self) -> int:
        return len(self.incidents)

    def due_timer_count(self, now_ms: int) -> int:
        with self.lock:
            return sum(1 for i in self.instances.values() if i.next_due_ms is not None and i.next_due_ms <= now_ms)

    def subscription_count(self) -> int:
        return len(self._subscriptions.items)

    def user_task_count(self) -> int:
        return len(self.user_tasks)

    def job_count(self) -> int:
        return len(self.board.jobs)

    def open_user_tasks(self) -> list[UserTask]:
        with self.lock:
            return [dataclasses.replace(t) for t in sorted(self.board.user_tasks.values(), key=lambda t: t.key)]

    def open_incidents(self) -> list[Incident]:
        with self.lock:
            return [dataclasses.replace(i) for i in sorted(self.incidents.values(), key=lambda i: i.key)]

    def _schedule_job(self, job: Job) -> None:
        self.board.schedule(job)

    def _activatable(self, job: Job, now: int) -> bool:
        return activatable(job, now)

    def _job_ready(self, job: Job) -> None:
        """`job` became activatable in this command: polls and streams of its type are told."""
        self.board.ready(job)
        self._tx().ready_types.add(job.type)

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
        self.board.drop_job(job)
        self._tx().changes.drop(job)

    # --- provided by the mixins (jobs, flow, correlation, timer starts); declared here so the core can call them

    def _schedule_timer_starts(self, deployed: DeployedProcess) -> None:
        raise NotImplementedError

    def _fire_timer_starts(self, now_ms: int) -> int:
        raise NotImplementedError

    def _start_at(self, deployed: DeployedProcess, start: Any, kind: str, variables: dict[str, Any]) -> Instance:
        raise NotImplementedError

    def _push_to_streams(self, txn: _Txn) -> None:
        raise NotImplementedError

    def _sync_subscriptions(self, instance: Instance, wf: Any) -> bool:
        raise NotImplementedError

    def _close_subscription(self, subscription: Subscription) -> None:
        raise NotImplementedError

    def _close_idle_event_subprocesses(self, wf: Any) -> bool:
        raise NotImplementedError

    def _deliver_throws(self) -> None:
        raise NotImplementedError

    def _child_ended(self, child: Instance, variables: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def _find_catch(
        self, instance: Instance, task: Any, kind: str, code: str | None, include_self: bool
    ) -> tuple[Instance, events.Catch] | None:
        raise NotImplementedError

    def _deliver(self, instance: Instance, catch: events.Catch, kind: str, variables: dict[str, Any]) -> None:
        raise NotImplementedError

    def _broadcast(self, name: str, variables: dict[str, Any], running: int | None = None) -> None:
        raise NotImplementedError
