"""What the engine tells an observer (metrics, audit) once a command has committed.

The engine knows nothing of who listens: `jiuzhu.metrics`' engine recorder is one observer, a test
may pass its own. Every call is made after the command's commit, never for a rollback, and an
observer that raises does not fail the command.
"""

from __future__ import annotations

from typing import Protocol


class EngineObserver(Protocol):
    def instance_created(self, bpmn_process_id: str) -> None: ...

    def instance_ended(self, bpmn_process_id: str, state: str) -> None:
        """`state`: COMPLETED or TERMINATED."""

    def job_created(self, job_type: str) -> None: ...

    def job_completed(self, job_type: str, seconds: float) -> None:
        """`seconds`: from the job's creation to its completion (engine clock)."""

    def job_failed(self, job_type: str, retries_left: int) -> None: ...

    def job_error_thrown(self, job_type: str, caught: bool) -> None: ...

    def job_timed_out(self, job_type: str) -> None: ...

    def incident_raised(self, error_type: str) -> None: ...

    def message_published(self, correlated: bool) -> None: ...

    def timers_fired(self, count: int = 1) -> None: ...


class NullObserver:
    """Observes nothing: the engine as a library, without metrics."""

    def instance_created(self, bpmn_process_id: str) -> None:
        pass

    def instance_ended(self, bpmn_process_id: str, state: str) -> None:
        pass

    def job_created(self, job_type: str) -> None:
        pass

    def job_completed(self, job_type: str, seconds: float) -> None:
        pass

    def job_failed(self, job_type: str, retries_left: int) -> None:
        pass

    def job_error_thrown(self, job_type: str, caught: bool) -> None:
        pass

    def job_timed_out(self, job_type: str) -> None:
        pass

    def incident_raised(self, error_type: str) -> None:
        pass

    def message_published(self, correlated: bool) -> None:
        pass

    def timers_fired(self, count: int = 1) -> None:
        pass
