"""Timer start events: a process started on a date or on a cycle (monthly payment runs, yearly sweeps).

As in Zeebe, only the latest version of a process has its timer start events scheduled: deploying a new
version replaces them. Each firing creates the instance and moves the schedule in one command, so a
crash between the two cannot start the instance twice, and a restart resumes the schedule. A firing
that fell due while the engine was down happens at the next tick (Zeebe catches up the same way).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jiuzhu.engine import expressions
from jiuzhu.engine.bpmn.specs import ZeebeTimeDate, ZeebeTimerStartDefinition, _parse_cycle, _to_datetime
from jiuzhu.engine.errors import invalid
from jiuzhu.engine.records import TimerStart
from jiuzhu.engine.runtime.core import EngineCore
from jiuzhu.engine.runtime.model import DeployedProcess, _top_start_events


def timer_start_events(spec: Any) -> list[Any]:
    return [s for s in _top_start_events(spec) if isinstance(s.event_definition, ZeebeTimerStartDefinition)]


def first_firing(start: Any, now: datetime) -> tuple[int, int, int]:
    """(due ms, repetitions left after it, interval ms) of a timer start event deployed at `now`.

    The expression has no variables to read (there is no instance yet); a failure is an
    ExpressionError, which deployment reports as INVALID_ARGUMENT."""
    definition = start.event_definition.timer
    value = expressions.Expressions(lambda: now).evaluate_raw(definition.expression, {})
    if isinstance(definition, ZeebeTimeDate):
        return _ms(_to_datetime(value)), 0, 0
    cycle = _parse_cycle(str(value), now)
    if cycle["duration"] <= 0:
        raise expressions.ExpressionError(f"the cycle '{value}' has no interval")
    cycles = cycle["cycles"]
    repetitions = -1 if cycles < 0 else cycles - 1
    return _ms(datetime.fromisoformat(cycle["next"])), repetitions, int(cycle["duration"] * 1000)


def _ms(when: datetime) -> int:
    return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp() * 1000)


class TimerStartMixin(EngineCore):
    def _schedule_timer_starts(self, deployed: DeployedProcess) -> None:
        process_id = deployed.definition.bpmn_process_id
        for old in [t for t in self.timer_starts.values() if t.bpmn_process_id == process_id]:
            self.timer_starts.pop(old.key)
            self._tx().changes.drop(old)
        now = self.clock.now()
        for start in timer_start_events(deployed.spec):
            try:
                due_ms, repetitions, interval_ms = first_firing(start, now)  # a date already past fires at once
            except expressions.ExpressionError as err:
                raise invalid(
                    f"Expected the timer start event '{start.bpmn_id}' of process '{process_id}' to have a valid "
                    f"timer, but {err}"
                ) from err
            timer = TimerStart(
                key=self.new_key(),
                definition_key=deployed.definition.key,
                bpmn_process_id=process_id,
                element_id=start.bpmn_id,
                due_ms=due_ms,
                repetitions=repetitions,
                interval_ms=interval_ms,
            )
            self.timer_starts[timer.key] = timer
            self._tx().wake = True
            self._tx().changes.put(timer)

    def _fire_timer_starts(self, now_ms: int) -> int:
        fired = 0
        with self.lock:
            due = sorted((t for t in self.timer_starts.values() if t.due_ms <= now_ms), key=lambda t: t.due_ms)
        for timer in due:  # each its own command: others' commands get the lock in between
            with self.command() as txn:
                if self.timer_starts.get(timer.key) is not timer or timer.due_ms > now_ms:
                    continue  # replaced by a new version, or fired, since
                deployed = self.definitions.get(timer.definition_key)
                start = deployed.spec.task_specs.get(timer.element_id) if deployed else None
                if deployed is not None and start is not None:
                    self._start_at(deployed, start, "timer", {})
                    fired += 1
                if deployed is None or start is None or timer.repetitions == 0:
                    self.timer_starts.pop(timer.key)
                    txn.changes.drop(timer)
                    continue
                timer.due_ms += timer.interval_ms
                if timer.repetitions > 0:
                    timer.repetitions -= 1
                txn.changes.put(timer)
        return fired
