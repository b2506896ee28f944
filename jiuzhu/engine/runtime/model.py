"""The engine's shared shapes: deployed processes, activation results, the running command, helpers."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from jiuzhu.engine import events, expressions, scopes
from jiuzhu.engine.bpmn.specs import (
    ZeebeMessageDefinition,
    ZeebeStartEvent,
)
from jiuzhu.engine.records import (
    DecisionDefinition,
    DecisionRequirements,
    Definition,
    Instance,
    Job,
)
from jiuzhu.engine.store.repository import Changes

log = logging.getLogger(__name__)
for noisy in ("spiff", "spiff.task", "spiff.workflow", "spiff.metrics"):
    logging.getLogger(noisy).setLevel(logging.WARNING)

USER_TASK_JOB_TYPE = "io.camunda.zeebe:userTask"
TIMER_EVENT_TYPES = {"ZeebeTimeDate", "ZeebeDuration", "ZeebeCycle"}
DEFAULT_LONG_POLL_MS = 10_000
MAX_CACHED_WORKFLOWS = 5_000
MAX_ROUNDS_PER_COMMAND = 10_000  # step rounds of one instance in one command; then it goes on later
COMPACT_EVERY_ROUNDS = 64  # within a long command, cut the finished trunk this often
# CPU one command may spend under the engine lock on a process's elements (their expressions, Spiff's
# steps): it starts no further element once less than one element's share is left, and the instance
# goes on in a later command; an element whose own expressions need more than its share (mappings,
# script, conditions, a decision) becomes an incident. So no command holds the lock much longer.
COMMAND_CPU_BUDGET_S = 0.25
ELEMENT_CPU_BUDGET_S = 0.2


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
    ready_types: set[str] = field(default_factory=set)  # job types with jobs newly activatable
    pushes: list[tuple[JobStream, ActivatedJob]] = field(default_factory=list)  # sent once committed
    ended: bool = False  # an instance ended (result waiters look)
    wake: bool = False  # the scheduler must look again (a message or a timer start was stored)
    resume: set[int] = field(default_factory=set)  # instances with steps left: continued by the scheduler
    focus: tuple[int, str | None, int | None] | None = None  # (instance, task id, job) the command works on
    ticket: int = 0  # its place in the group commit
    instance: Instance | None = None  # the instance whose Spiff steps are running
    throws: list[tuple[Instance, events.Catch, str]] = field(default_factory=list)  # caught, not yet delivered
    signals: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # thrown, not yet broadcast
    observed: list[Callable[[], None]] = field(default_factory=list)  # metrics, recorded once committed
    cpu_started: float = 0.0  # the CPU clock when the command began (its budget counts from there)
    elements_run: int = 0  # elements stepped in this command: the first always runs
    out_of_budget: bool = False  # no more elements in this command: the instances go on in a later one


class FeelScriptEngine(PythonScriptEngine):
    """Spiff's expression hook, answered by FEEL over Zeebe scopes; Python is never run."""

    def __init__(self, runtime: Any) -> None:
        super().__init__()
        self.runtime = runtime  # the engine, as the specs' RuntimeHooks (bpmn.hooks)

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        return self.runtime.expressions.evaluate_bool(expression, scopes.visible(task))

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        raise expressions.ExpressionError("Python scripts are not supported; use a FEEL zeebe:script")


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


# Zeebe's text for an exclusive or inclusive gateway that finds no way on (ExclusiveGatewayProcessor).
NO_CONDITION_MESSAGE = "Expected at least one condition to evaluate to true, or to have a default flow"


def _no_condition_satisfied(err: Exception) -> bool:
    # Spiff's ExclusiveChoice / inclusive gateway raise a plain WorkflowException with this text
    return str(err).startswith("No conditions satisfied")


def _incident_type(err: Exception) -> str:
    if _no_condition_satisfied(err):
        return "CONDITION_ERROR"
    if isinstance(err, expressions.ExpressionError):
        return "EXTRACT_VALUE_ERROR"
    if isinstance(err, DecisionFailure):
        return "DECISION_EVALUATION_ERROR"
    return "UNKNOWN"


def _message(err: Exception) -> str:
    if _no_condition_satisfied(err):
        return NO_CONDITION_MESSAGE
    text = str(err)
    cause = err.__cause__ or getattr(err, "exception", None)
    if cause is not None and str(cause) and str(cause) not in text:
        text = f"{text}: {cause}"
    return text
