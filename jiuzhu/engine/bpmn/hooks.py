"""What the Zeebe specs ask of the runtime while Spiff runs them: a typed interface, so data flows
from a spec into named engine operations and the specs know nothing else of the engine.

Spiff hands each task its workflow's script engine; the runtime's script engine carries the hooks
(`runtime_of`). Tasks and specs stay `Any`: SpiffWorkflow ships no type information.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class Now(Protocol):
    def now(self) -> datetime: ...


class RuntimeHooks(Protocol):
    @property
    def clock(self) -> Now:
        """The engine's clock (timers compare their due times with it)."""

    # work handed to the outside: a job, a user task, a called process
    def start_job(self, task: Any, spec: Any) -> None: ...

    def start_user_task(self, task: Any, spec: Any) -> None: ...

    def start_call(self, task: Any, spec: Any) -> None: ...

    def task_cancelled(self, task: Any) -> None:
        """The element was cancelled: its job, user task, called instance and incidents go."""

    # work done in the step
    def run_script(self, task: Any, spec: Any) -> None: ...

    def run_decision(self, task: Any, spec: Any) -> None: ...

    def enter_subprocess(self, task: Any, spec: Any) -> None: ...

    def leave_subprocess(self, task: Any, spec: Any) -> None: ...

    def start_multi_instance(self, body: Any, spec: Any) -> bool | None: ...

    def multi_instance_child_done(self, body: Any, spec: Any, child: Any) -> None: ...

    # events
    def event_completed(self, task: Any, spec: Any) -> None: ...

    def throw_event(self, task: Any, kind: str, code: str | None) -> None:
        """An error or escalation was thrown (`kind`); delivered once the step has finished."""

    def throw_signal(self, task: Any, name: str) -> None: ...

    def evaluate_timer(self, task: Any, expression: str) -> Any: ...

    def timer_failed(self, task: Any, message: str) -> None:
        """A timer expression failed: an incident on the timer."""


def runtime_of(my_task: Any) -> RuntimeHooks:
    """The runtime hooks hang off the script engine, which Spiff hands to every task."""
    hooks: RuntimeHooks = my_task.workflow.top_workflow.script_engine.runtime
    return hooks
