"""SQLModel tables of the engine's durable state (the records of `jiuzhu.engine.records`).

Instances hold only their own state as JSON; process definitions (with the BPMN resource) are
stored once and shared.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column, LargeBinary, Text
from sqlmodel import Field, SQLModel


def _key() -> Any:
    return Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))


def _big(index: bool = False, nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(BigInteger, index=index, nullable=nullable))


class DefinitionTable(SQLModel, table=True):
    __tablename__ = "engine_process_definitions"
    key: int = _key()
    bpmn_process_id: str = Field(index=True)
    version: int
    name: str
    resource_name: str
    checksum: str
    deployment_key: int = _big()
    resource: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_ms: int = _big()


class InstanceTable(SQLModel, table=True):
    __tablename__ = "engine_process_instances"
    key: int = _key()
    definition_key: int = _big(index=True)
    bpmn_process_id: str = Field(index=True)
    version: int
    state: str = Field(index=True)
    created_ms: int = _big()
    ended_ms: int | None = _big(nullable=True)
    next_due_ms: int | None = _big(index=True, nullable=True)
    correlation_key: str | None = None
    parent_key: int | None = _big(index=True, nullable=True)
    parent_task_id: str | None = None
    state_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class JobTable(SQLModel, table=True):
    __tablename__ = "engine_jobs"
    key: int = _key()
    type: str = Field(index=True)
    state: str
    instance_key: int = _big(index=True)
    element_instance_key: int = _big()
    element_id: str
    task_id: str
    bpmn_process_id: str
    version: int
    definition_key: int = _big()
    retries: int
    custom_headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    worker: str = ""
    deadline_ms: int = _big()
    backoff_until_ms: int = _big()
    error_message: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_ms: int = _big()


class IncidentTable(SQLModel, table=True):
    __tablename__ = "engine_incidents"
    key: int = _key()
    instance_key: int = _big(index=True)
    element_instance_key: int = _big()
    element_id: str
    task_id: str
    error_type: str
    message: str = Field(sa_column=Column(Text, nullable=False))
    job_key: int | None = _big(nullable=True)
    created_ms: int = _big()


class UserTaskTable(SQLModel, table=True):
    __tablename__ = "engine_user_tasks"
    key: int = _key()
    instance_key: int = _big(index=True)
    element_instance_key: int = _big()
    element_id: str
    task_id: str
    bpmn_process_id: str
    version: int
    definition_key: int = _big()
    state: str = Field(index=True)
    assignee: str | None = None
    candidate_groups: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    candidate_users: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    due_date: str | None = None
    follow_up_date: str | None = None
    priority: int = 50
    form_key: str | None = None
    element_name: str | None = None
    created_ms: int = _big()
    completed_ms: int | None = _big(nullable=True)


class MessageTable(SQLModel, table=True):
    __tablename__ = "engine_messages"
    key: int = _key()
    name: str = Field(index=True)
    correlation_key: str
    message_id: str
    expires_ms: int = _big()
    variables: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    correlated: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    started: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class SubscriptionTable(SQLModel, table=True):
    __tablename__ = "engine_message_subscriptions"
    key: int = _key()
    instance_key: int = _big(index=True)
    task_id: str
    element_id: str
    message_name: str = Field(index=True)
    correlation_key: str
    created_ms: int = _big()
    slot: int = 0
    kind: str = "message"


class ElementCompletedTable(SQLModel, table=True):
    __tablename__ = "engine_elements_completed"
    key: int = _key()
    instance_key: int = _big(index=True)
    element_id: str
    task_id: str


class ElementInstanceTable(SQLModel, table=True):
    __tablename__ = "engine_element_instances"
    key: int = _key()
    instance_key: int = _big(index=True)
    definition_key: int = _big()
    bpmn_process_id: str = Field(index=True)
    element_id: str
    element_name: str
    element_type: str
    flow_scope_key: int = _big()
    task_id: str
    state: str = Field(index=True)
    start_ms: int = _big()
    end_ms: int | None = _big(nullable=True)
    position: int = _big()


class TimerStartTable(SQLModel, table=True):
    __tablename__ = "engine_timer_starts"
    key: int = _key()
    definition_key: int = _big()
    bpmn_process_id: str = Field(index=True)
    element_id: str
    due_ms: int = _big()
    repetitions: int = 0
    interval_ms: int = _big()


class DecisionRequirementsTable(SQLModel, table=True):
    __tablename__ = "engine_decision_requirements"
    key: int = _key()
    drg_id: str = Field(index=True)
    name: str
    version: int
    resource_name: str
    checksum: str
    deployment_key: int = _big()
    resource: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_ms: int = _big()


class DecisionTable(SQLModel, table=True):
    __tablename__ = "engine_decisions"
    key: int = _key()
    decision_id: str = Field(index=True)
    name: str
    version: int
    drg_key: int = _big(index=True)
    drg_id: str


class MetaTable(SQLModel, table=True):
    __tablename__ = "engine_meta"
    name: str = Field(primary_key=True)
    value: int = _big()
