"""The engine's records: what the store persists, one dataclass per table.

Field names equal column names, so the store maps a record to a row with `asdict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Zeebe keys carry the partition id in the top bits; one partition, as a single broker has.
PARTITION_ID = 1
KEY_BASE = PARTITION_ID << 51


class JobState:
    ACTIVATABLE = "ACTIVATABLE"
    ACTIVATED = "ACTIVATED"
    FAILED = "FAILED"  # no retries left: an incident holds it
    ERROR_THROWN = "ERROR_THROWN"  # a BPMN error nobody caught: an incident holds it


class InstanceState:
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    TERMINATED = "TERMINATED"


class ElementInstanceState:
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    TERMINATED = "TERMINATED"


class UserTaskState:
    CREATED = "CREATED"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"


@dataclass
class Definition:
    key: int
    bpmn_process_id: str
    version: int
    name: str
    resource_name: str
    checksum: str
    deployment_key: int
    resource: bytes
    created_ms: int


@dataclass
class Instance:
    key: int
    definition_key: int
    bpmn_process_id: str
    version: int
    state: str
    created_ms: int
    ended_ms: int | None = None
    next_due_ms: int | None = None
    correlation_key: str | None = None  # set when a message start event created it
    parent_key: int | None = None  # the calling instance, for a call activity's child
    parent_task_id: str | None = None
    state_json: str | None = None


@dataclass
class Job:
    key: int
    type: str
    state: str
    instance_key: int
    element_instance_key: int
    element_id: str
    task_id: str
    bpmn_process_id: str
    version: int
    definition_key: int
    retries: int
    custom_headers: dict[str, str] = field(default_factory=dict)
    worker: str = ""
    deadline_ms: int = -1
    backoff_until_ms: int = 0
    error_message: str = ""
    created_ms: int = 0


@dataclass
class Incident:
    key: int
    instance_key: int
    element_instance_key: int
    element_id: str
    task_id: str
    error_type: str
    message: str
    job_key: int | None = None
    created_ms: int = 0


@dataclass
class UserTask:
    key: int
    instance_key: int
    element_instance_key: int
    element_id: str
    task_id: str
    bpmn_process_id: str
    version: int
    definition_key: int
    state: str
    assignee: str | None = None
    candidate_groups: list[str] = field(default_factory=list)
    candidate_users: list[str] = field(default_factory=list)
    due_date: str | None = None
    follow_up_date: str | None = None
    priority: int = 50
    form_key: str | None = None
    element_name: str | None = None
    created_ms: int = 0
    completed_ms: int | None = None


@dataclass
class Message:
    key: int
    name: str
    correlation_key: str
    message_id: str
    expires_ms: int
    variables: dict[str, Any] = field(default_factory=dict)
    correlated: list[int] = field(default_factory=list)  # instances it reached: at most once each
    started: list[str] = field(default_factory=list)  # processes it started through a start event


@dataclass
class ElementCompleted:
    """An element instance that completed, kept when its task leaves the instance's live state
    (bpmn/compaction.py): the history an operator or a test reads, outside the running state."""

    key: int
    instance_key: int
    element_id: str
    task_id: str


@dataclass
class ElementInstance:
    """One element instance of a process instance, as it happened (runtime/history.py): the process
    itself, each task, event, gateway and sub-process a token entered, with its times and end state."""

    key: int
    instance_key: int
    definition_key: int
    bpmn_process_id: str
    element_id: str
    element_name: str
    element_type: str
    flow_scope_key: int
    task_id: str
    state: str
    start_ms: int
    end_ms: int | None = None
    position: int = 0  # the order the engine saw it in (its key may have been taken earlier, by its job)


@dataclass
class TimerStart:
    """The next firing of a deployed process's timer start event (latest version only, as Zeebe)."""

    key: int
    definition_key: int
    bpmn_process_id: str
    element_id: str
    due_ms: int
    repetitions: int = 0  # firings left after the next one; -1: for ever
    interval_ms: int = 0


@dataclass
class Subscription:
    """An open message subscription of a waiting catch event."""

    key: int
    instance_key: int
    task_id: str
    element_id: str
    message_name: str
    correlation_key: str
    created_ms: int = 0
    slot: int = 0  # which of an event-based gateway's messages it is for
    kind: str = "message"  # or "signal" (no correlation key)


@dataclass
class DecisionRequirements:
    """A deployed `.dmn` resource (decision requirements graph), stored once per version."""

    key: int
    drg_id: str
    name: str
    version: int
    resource_name: str
    checksum: str
    deployment_key: int
    resource: bytes
    created_ms: int


@dataclass
class DecisionDefinition:
    key: int
    decision_id: str
    name: str
    version: int
    drg_key: int
    drg_id: str
