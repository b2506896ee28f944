"""User tasks as the v2 API shows them: open ones from the engine's memory, the rest from its store."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from jiuzhu.engine.records import Instance, UserTask, UserTaskState
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.store.repository import TABLE_OF
from jiuzhu.engine_rest.filters import parse_instant
from jiuzhu.engine_rest.forms import form_id_of, form_key_number
from jiuzhu.engine_rest.problems import ApiProblem

TENANT = "<default>"
TRUNCATE_AT = 8191  # Camunda's default limit for variable values in search answers


def iso_ms(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_text(value: str | None) -> str | None:
    """Dates set in the BPMN (due, follow-up) as ISO 8601 with offset; unparseable text is kept."""
    if not value:
        return None
    try:
        return parse_instant(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    except ApiProblem:
        return value


class RootVariables:
    """Process-scope variables of running instances, as the engine keeps them between commands
    (``Engine.root_variables``), so a search over many instances deserializes none of them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, instance_key: int) -> Mapping[str, Any]:
        """Read-only: the caller must not change the mapping it gets."""
        return self.engine.root_variables(instance_key)


class TaskReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.table = TABLE_OF[UserTask]
        self.roots = RootVariables(engine)

    def load(self, only_open: bool) -> list[UserTask]:
        """A consistent snapshot: the engine commits under its lock, so read both sides under it."""
        with self.engine.lock:
            rows = [copy.copy(t) for t in self.engine.user_tasks.values()]
            if not only_open:
                rows += self.engine.store.load(UserTask, self.table.c.state != UserTaskState.CREATED)
        return rows

    def get(self, key: int) -> UserTask | None:
        with self.engine.lock:
            record = self.engine.user_tasks.get(key)
            if record is not None:
                return copy.copy(record)
            found = self.engine.store.load(UserTask, self.table.c.key == key)
        return found[0] if found else None

    def process_name(self, definition_key: int) -> str | None:
        deployed = self.engine.definitions.get(definition_key)
        return (deployed.definition.name or None) if deployed else None

    def custom_headers(self, task: UserTask) -> dict[str, str]:
        """The element's zeebe:taskHeaders, read from the deployed model (they are static)."""
        deployed = self.engine.definitions.get(task.definition_key)
        if deployed is None:
            return {}
        for spec in (deployed.spec, *deployed.subprocess_specs.values()):
            element = spec.task_specs.get(task.element_id)
            if element is not None:
                return dict(getattr(getattr(element, "zeebe", None), "headers", None) or {})
        return {}

    def render(self, task: UserTask) -> dict[str, Any]:
        form_id = form_id_of(task.form_key)
        return {
            "userTaskKey": str(task.key),
            "name": task.element_name or task.element_id,
            "state": task.state,
            "assignee": task.assignee,
            "candidateGroups": list(task.candidate_groups),
            "candidateUsers": list(task.candidate_users),
            "dueDate": iso_text(task.due_date),
            "followUpDate": iso_text(task.follow_up_date),
            "priority": task.priority,
            "formKey": str(form_key_number(form_id)) if form_id else None,
            "externalFormReference": task.form_key if task.form_key and not form_id else None,
            "processInstanceKey": str(task.instance_key),
            "processDefinitionKey": str(task.definition_key),
            "processDefinitionId": task.bpmn_process_id,
            "processDefinitionVersion": task.version,
            "processName": self.process_name(task.definition_key),
            "elementId": task.element_id,
            "elementInstanceKey": str(task.element_instance_key),
            "creationDate": iso_ms(task.created_ms),
            "completionDate": iso_ms(task.completed_ms),
            "tenantId": TENANT,
            "customHeaders": self.custom_headers(task),
            "tags": [],
        }

    # ------------------------------------------------------------------ variables

    def instance_variables(self, instance_key: int) -> dict[str, Any]:
        """Root-scope variables of a running instance; an ended instance has none to show."""
        with self.engine.lock:
            return dict(self.roots.get(instance_key))

    def task_variables(self, task: UserTask) -> dict[str, Any]:
        """What the task sees (its local scope over the process's); a closed task: the process's."""
        if task.state == UserTaskState.CREATED:
            with self.engine.lock:
                if task.key in self.engine.user_tasks:
                    return dict(self.engine.user_task_variables(task.key))
        return self.instance_variables(task.instance_key)

    @staticmethod
    def render_variable(task: UserTask, name: str, value: Any, truncate: bool) -> dict[str, Any]:
        text = json.dumps(value, ensure_ascii=False, default=str)
        truncated = truncate and len(text) > TRUNCATE_AT
        digest = hashlib.sha256(f"{task.instance_key}:{name}".encode()).digest()
        return {
            "variableKey": str((3 << 51) + int.from_bytes(digest[:6], "big")),
            "name": name,
            "value": text[:TRUNCATE_AT] if truncated else text,
            "fullValue": None if truncated else text,
            "isTruncated": truncated,
            "processInstanceKey": str(task.instance_key),
            "scopeKey": str(task.instance_key),
            "tenantId": TENANT,
        }

    # ------------------------------------------------------------------ process instances

    def instance(self, key: int) -> Instance | None:
        with self.engine.lock:
            live = self.engine.instances.get(key)
            if live is not None:
                return copy.copy(live)
            found = self.engine.store.load(Instance, TABLE_OF[Instance].c.key == key)
        return found[0] if found else None
