"""What readers may ask the engine (health, metrics at scrape time, REST reads): answers are copies
or read-only views taken under the engine's lock by the engine itself, so a reader never holds the
lock nor walks the engine's dictionaries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from jiuzhu.engine.records import Incident, UserTask


class EngineQueries(Protocol):
    def now_ms(self) -> int: ...

    def instance_count(self) -> int: ...

    def job_count(self) -> int: ...

    def activatable_job_counts(self) -> Mapping[str, int]: ...

    def open_incident_count(self) -> int: ...

    def due_timer_count(self, now_ms: int) -> int: ...

    def subscription_count(self) -> int: ...

    def user_task_count(self) -> int: ...

    def variables(self, instance_key: int) -> dict[str, Any]:
        """The process-scope variables of a running instance (a copy)."""

    def root_variables(self, instance_key: int) -> Mapping[str, Any]: ...

    def open_user_tasks(self) -> list[UserTask]:
        """Open user tasks, oldest first (copies)."""

    def user_task_variables(self, key: int) -> dict[str, Any]: ...

    def open_incidents(self) -> list[Incident]:
        """Open incidents, oldest first (copies)."""

    def completed_elements(self, instance_key: int) -> list[str]: ...
