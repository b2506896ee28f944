"""Spiff task specs for the Zeebe dialect.

A job-based task parks in STARTED (its run hook returns None) and the runtime creates the job; a
Camunda user task parks the same way and becomes a user-task record. Timers read the engine clock
and accept FEEL values, so `timeDate` can come from a variable the SLA worker computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    EndEvent,
    EventBasedGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    NoneTask,
    ReceiveTask,
    ServiceTask,
    StartEvent,
    SubWorkflowTask,
)
from SpiffWorkflow.bpmn.specs.event_definitions.base import EventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    ErrorEventDefinition,
    EscalationEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.util import PendingBpmnEvent
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.util.task import TaskState

from jiuzhu.engine.bpmn import timers
from jiuzhu.engine.bpmn.hooks import runtime_of
from jiuzhu.engine.bpmn.zeebe import Extensions
from jiuzhu.engine.expressions import ExpressionError


class ZeebeTaskMixin:
    """Carries the parsed `zeebe:*` extensions of an element."""

    zeebe: Extensions


class JobTask(ZeebeTaskMixin, ServiceTask):
    """serviceTask, sendTask, scriptTask/businessRuleTask with a task definition, job-based userTask."""

    def _run_hook(self, my_task: Any) -> bool | None:
        runtime_of(my_task).start_job(my_task, self)
        return None

    def _on_cancel(self, my_task: Any) -> None:
        runtime_of(my_task).task_cancelled(my_task)
        super()._on_cancel(my_task)


class CamundaUserTask(ZeebeTaskMixin, ServiceTask):
    """A `zeebe:userTask`: the engine keeps a user-task record instead of a job."""

    def _run_hook(self, my_task: Any) -> bool | None:
        runtime_of(my_task).start_user_task(my_task, self)
        return None

    def _on_cancel(self, my_task: Any) -> None:
        runtime_of(my_task).task_cancelled(my_task)
        super()._on_cancel(my_task)


class ExpressionScriptTask(ZeebeTaskMixin, NoneTask):
    """A scriptTask with `zeebe:script`: FEEL evaluated inline, result stored in a variable."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manual = False  # Spiff's none task waits for a person; Zeebe's runs straight through

    def _run_hook(self, my_task: Any) -> bool:
        runtime_of(my_task).run_script(my_task, self)
        return True


class DecisionTask(ZeebeTaskMixin, NoneTask):
    """A businessRuleTask with `zeebe:calledDecision`: the engine evaluates the DMN decision inline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manual = False

    def _run_hook(self, my_task: Any) -> bool:
        runtime_of(my_task).run_decision(my_task, self)
        return True


class PassThroughTask(ZeebeTaskMixin, NoneTask):
    """Undefined tasks and manual tasks: Zeebe passes through them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manual = False


# --- timers -------------------------------------------------------------------------------------


def _timer_value(my_task: Any, expression: str) -> Any:
    return runtime_of(my_task).evaluate_timer(my_task, expression)


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            return TimerEventDefinition.get_datetime(value)
        except ValueError as err:
            raise ExpressionError(f"'{value}' is not an ISO 8601 date and time") from err
    raise ExpressionError(f"expected a date and time for the timer, but got {value!r}")


def _to_delta(value: Any, start: datetime) -> timedelta:
    if isinstance(value, timedelta):
        timers.check_delta(value, str(value))
        return value
    months = getattr(value, "months", None)  # FEEL years-and-months duration
    if isinstance(months, int):
        if abs(months) > 100 * 12:
            raise timers.too_long(f"P{months}M")
        return _add_months(start, int(months)) - start
    if isinstance(value, str):
        timers.check_duration(value)  # before Spiff, which steps through every year of it
        try:
            parsed = TimerEventDefinition.parse_iso_duration(value)
            return TimerEventDefinition.get_timedelta_from_start(parsed, start)
        except Exception as err:
            raise ExpressionError(f"'{value}' is not an ISO 8601 duration") from err
    raise ExpressionError(f"expected a duration for the timer, but got {value!r}")


def _add_months(start: datetime, months: int) -> datetime:
    import calendar

    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def timer_due(definition: Any, my_task: Any, now: datetime) -> datetime:
    """When a timeDate/timeDuration timer is due, evaluated against the task's variables."""
    value = _timer_value(my_task, definition.expression)
    if isinstance(definition, ZeebeTimeDate):
        return _to_datetime(value)
    return now + _to_delta(value, now)


def _guarded_due(definition: Any, my_task: Any, key: str) -> datetime | None:
    """The due time kept in the task; a timer expression that fails raises an incident on the timer
    itself (not on whichever task happened to reach it) and the timer waits for its resolution."""
    stored = my_task.internal_data.get(key)
    if stored is not None:
        return datetime.fromisoformat(stored)
    if my_task.internal_data.get("timer_failed"):
        return None
    runtime = runtime_of(my_task)
    try:
        due = timer_due(definition, my_task, runtime.clock.now())
    except ExpressionError as err:
        my_task.internal_data["timer_failed"] = True
        runtime.timer_failed(my_task, str(err))
        return None
    my_task.internal_data[key] = due.isoformat()
    return due


class ZeebeTimeDate(TimeDateEventDefinition):
    def has_fired(self, my_task: Any) -> bool:
        due = _guarded_due(self, my_task, "event_value")
        if due is not None and due <= runtime_of(my_task).clock.now():
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ZeebeDuration(DurationTimerEventDefinition):
    def has_fired(self, my_task: Any) -> bool:
        due = _guarded_due(self, my_task, "event_value")
        if due is not None and due <= runtime_of(my_task).clock.now():
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


def spawn_boundary_path(boundary: Any) -> None:
    """A token on the outgoing flows of a non-interrupting boundary event that fired.

    Spiff hangs it under the boundary event, which is cancelled with its activity, and the token with
    it. In Zeebe the token is independent of the activity: so it hangs beside the activity here, under
    the (completed) task before it, and the scope's end waits for it as for any other token."""
    split = boundary.parent
    anchor = split.parent if split is not None and split.parent is not None else split
    for output in boundary.task_spec.outputs:
        if isinstance(output, BoundaryEventJoin):
            continue  # the join belongs to the activity's own token
        child = anchor._add_child(output, TaskState.FUTURE)
        child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
        child.task_spec._update(child)


class ZeebeCycle(CycleTimerEventDefinition):
    """`R<n>/<duration>` or `R<n>/<start>/<duration>`; n empty or -1 repeats for ever."""

    def update_task(self, my_task: Any) -> None:
        if self.cycle_complete(my_task):
            spawn_boundary_path(my_task)

    def cycle_complete(self, my_task: Any) -> bool:
        now = runtime_of(my_task).clock.now()
        state = my_task._get_internal_data("event_value")
        if state is None:
            if my_task.internal_data.get("timer_failed"):
                return False
            try:
                state = _parse_cycle(str(_timer_value(my_task, self.expression)), now)
            except ExpressionError as err:
                my_task.internal_data["timer_failed"] = True
                runtime_of(my_task).timer_failed(my_task, str(err))
                return False
        ready = False
        if state["cycles"] != 0:
            next_at = datetime.fromisoformat(state["next"])
            if next_at <= now:
                state["next"] = (next_at + timedelta(seconds=state["duration"])).isoformat()
                state["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
            return False
        my_task._set_internal_data(event_value=state)
        return ready

    def details(self, my_task: Any) -> PendingBpmnEvent:
        state = my_task._get_internal_data("event_value")
        value = state["next"] if state and state["cycles"] != 0 else None
        return PendingBpmnEvent(self.name, self.__class__.__name__, value)


def _parse_cycle(expression: str, now: datetime) -> dict[str, Any]:
    parts = expression.strip().split("/")
    if not parts[0].upper().startswith("R") or len(parts) not in (2, 3):
        raise ExpressionError(f"'{expression}' is not an ISO 8601 repeating interval such as R3/PT10M")
    count = parts[0][1:]
    if count not in ("", "-1") and not count.isdigit():
        raise ExpressionError(f"'{expression}' has a repetition count that is not a number")
    cycles = int(count) if count not in ("", "-1") else -1
    if len(parts) == 3:
        start = _to_datetime(parts[1])
        delta = _to_delta(parts[2], start)
    else:
        delta = _to_delta(parts[1], now)
        start = now + delta
    timers.check_cycle_interval(delta, expression)  # a zero or negative interval would fire for ever
    return {"cycles": cycles, "next": start.isoformat(), "duration": delta.total_seconds()}


# --- events: messages, errors, escalations -----------------------------------------------------


class ZeebeMessageDefinition(EventDefinition):
    """A message catch: the runtime opens a subscription (name, correlation key) while the task
    waits, and delivers the message to this very task; Spiff's broadcast catching is not used."""

    def __init__(self, name: str, correlation_key: str | None, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.correlation_key = correlation_key

    def catches(self, my_task: Any, event: Any) -> bool:
        return False

    def details(self, my_task: Any) -> PendingBpmnEvent:
        return PendingBpmnEvent(self.name, "ZeebeMessage", None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ZeebeMessageDefinition) and other.name == self.name


class ZeebeTimerStartDefinition(EventDefinition):
    """A process's own timer start event: the engine schedules it (runtime/timer_starts.py) and
    delivers the firing to the new instance, as for a message start; `timer` is what was modelled."""

    def __init__(self, timer: ZeebeTimeDate | ZeebeCycle) -> None:
        super().__init__(timer.name)
        self.timer = timer

    def catches(self, my_task: Any, event: Any) -> bool:
        return False

    def details(self, my_task: Any) -> PendingBpmnEvent:
        return PendingBpmnEvent(self.name, "ZeebeTimerStart", None)


class ZeebeSignalDefinition(EventDefinition):
    """A signal catch waits on a (kind "signal") subscription; a throw broadcasts to every one."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)

    def catches(self, my_task: Any, event: Any) -> bool:
        return False

    def throw(self, my_task: Any) -> None:
        runtime_of(my_task).throw_signal(my_task, self.name)

    def details(self, my_task: Any) -> PendingBpmnEvent:
        return PendingBpmnEvent(self.name, "ZeebeSignal", None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ZeebeSignalDefinition) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("signal", self.name))


class ZeebeErrorDefinition(ErrorEventDefinition):
    """Thrown errors are routed by the runtime up the scope chain, as Zeebe does."""

    def throw(self, my_task: Any) -> None:
        runtime_of(my_task).throw_event(my_task, "error", self.code)

    def catches(self, my_task: Any, event: Any) -> bool:
        return False


class ZeebeEscalationDefinition(EscalationEventDefinition):
    def throw(self, my_task: Any) -> None:
        runtime_of(my_task).throw_event(my_task, "escalation", self.code)

    def catches(self, my_task: Any, event: Any) -> bool:
        return False


class ZeebeEventMixin(ZeebeTaskMixin):
    """Catch events apply their output mappings to what they caught (message or error variables)."""

    def _run_hook(self, my_task: Any) -> Any:
        result = super()._run_hook(my_task)  # type: ignore[misc]
        runtime_of(my_task).event_completed(my_task, self)
        return result


class ZeebeStartEvent(ZeebeEventMixin, StartEvent):
    interrupting = True  # only meaningful in an event sub-process (`isInterrupting`)


class ZeebeIntermediateCatchEvent(ZeebeEventMixin, IntermediateCatchEvent):
    pass


class ZeebeBoundaryEvent(ZeebeEventMixin, BoundaryEvent):
    pass


class ZeebeReceiveTask(ZeebeEventMixin, ReceiveTask):
    pass


class ZeebeEndEvent(ZeebeTaskMixin, EndEvent):
    pass


class ZeebeIntermediateThrowEvent(ZeebeTaskMixin, IntermediateThrowEvent):
    pass


# --- sub-processes, call activities, multi-instance -------------------------------------------


class ZeebeSubProcess(ZeebeTaskMixin, SubWorkflowTask):
    """An embedded sub-process is a variable scope: input mappings fill it, output mappings empty it."""

    def start_workflow(self, my_task: Any) -> None:
        runtime_of(my_task).enter_subprocess(my_task, self)
        super().start_workflow(my_task)

    def _on_subworkflow_completed(self, subworkflow: Any, my_task: Any) -> None:
        super()._on_subworkflow_completed(subworkflow, my_task)
        runtime_of(my_task).leave_subprocess(my_task, self)


class ZeebeEventSubProcess(ZeebeSubProcess):
    """An event sub-process: its body waits behind its start event while the enclosing scope runs;
    the runtime interrupts the scope (or not) when the start event fires."""


class CallActivityTask(ZeebeTaskMixin, ServiceTask):
    """A call activity starts a separate child process instance, as Zeebe does, and waits for it."""

    def _run_hook(self, my_task: Any) -> bool | None:
        runtime_of(my_task).start_call(my_task, self)
        return None

    def _on_cancel(self, my_task: Any) -> None:
        runtime_of(my_task).task_cancelled(my_task)
        super()._on_cancel(my_task)


@dataclass(frozen=True)
class LoopCharacteristics:
    sequential: bool
    input_collection: str
    input_element: str | None
    output_collection: str | None
    output_element: str | None
    completion_condition: str | None


class ZeebeMultiInstance(ZeebeTaskMixin, BpmnTaskSpec):
    """The multi-instance body: one inner instance per item of `inputCollection`, each with the item
    and `loopCounter` in its local scope; `outputCollection` gathers `outputElement` by position."""

    def __init__(self, wf_spec: Any, bpmn_id: str, loop: LoopCharacteristics, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.loop = loop
        self.task_spec = ""  # the inner activity's spec name, set by the parser

    def _run_hook(self, my_task: Any) -> bool | None:
        state = my_task.internal_data.get("mi")
        if state is not None and state.get("finished"):
            return True
        return runtime_of(my_task).start_multi_instance(my_task, self)

    def merge_child(self, workflow: Any, child: Any) -> None:
        body = child.parent
        if body is not None and body.task_spec is self:
            runtime_of(child).multi_instance_child_done(body, self, child)


# --- event-based gateway ----------------------------------------------------------------------


class ZeebeGatewayEvents(MultipleEventDefinition):
    """The events after an event-based gateway, in outgoing order; the first to occur wins. Timers
    are due times kept per choice; messages are delivered by the runtime into `chosen`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # a multiple-event definition, so Spiff's timer refresh visits it
        self.name = "event-based gateway"
        self.choices: list[Any] = []

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return id(self)

    def catches(self, my_task: Any, event: Any) -> bool:
        return False

    def has_fired(self, my_task: Any) -> bool:
        if "chosen" in my_task.internal_data:
            return True
        now = runtime_of(my_task).clock.now()
        for index, choice in enumerate(self.choices):
            if isinstance(choice, ZeebeTimeDate | ZeebeDuration):
                due = _guarded_due(choice, my_task, f"timer_{index}")
                if due is not None and due <= now:
                    my_task.internal_data["chosen"] = index
                    return True
        return False

    def details(self, my_task: Any) -> PendingBpmnEvent:
        dues = [v for k, v in my_task.internal_data.items() if k.startswith("timer_") and isinstance(v, str)]
        return PendingBpmnEvent(self.name, "ZeebeTimeDate", min(dues) if dues else None)

    def reset(self, my_task: Any) -> None:
        for key in [k for k in my_task.internal_data if k.startswith("timer_") or k == "chosen"]:
            my_task.internal_data.pop(key)
        super().reset(my_task)


class ZeebeEventBasedGateway(ZeebeTaskMixin, EventBasedGateway):
    def connect(self, child: Any) -> None:
        TaskSpec.connect(self, child)
        self.event_definition.choices.append(child.event_definition)
        child.event_definition = NoneEventDefinition()  # the gateway waits for it instead

    def _run_hook(self, my_task: Any) -> bool:
        index = my_task.internal_data.get("chosen", 0)
        caught = my_task.internal_data.pop("caught_variables", None)
        chosen = self.outputs[index]
        my_task._sync_children([chosen], TaskState.FUTURE)
        for child in my_task.children:
            if caught is not None:  # the message's variables belong to the catch event that follows
                child.internal_data["vars"] = dict(caught)
                child.internal_data["caught"] = "message"
            child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        self.event_definition.reset(my_task)
        return True
