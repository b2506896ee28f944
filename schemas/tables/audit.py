"""The append-only audit log.

Rows are only ever inserted. The ORM refuses updates and deletes here (mapper events and bulk
statements); the migration adds database triggers so raw SQL is refused too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, event
from sqlalchemy.orm import Mapper, ORMExecuteState, Session
from sqlmodel import Field

from schemas.tables.base import CaseRecordModel, instant_field, process_key_field


class AuditLogAppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit entry."""


class AuditEntry(CaseRecordModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = instant_field(now=True, index=True)
    actor: str = Field(max_length=64)  # staff login, or "worker:<name>" for automated steps
    role: str | None = Field(default=None, max_length=32)  # StaffRole value, or None for workers
    action: str = Field(max_length=64, index=True)  # e.g. a job type, "case.accepted"
    case_id: int | None = Field(default=None, index=True)  # no foreign key: the log outlives rows
    process_instance_key: int | None = process_key_field()
    element_id: str | None = Field(default=None, max_length=100)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def _refuse(mapper: Mapper[Any], connection: Any, target: AuditEntry) -> None:
    raise AuditLogAppendOnlyError(f"audit entry {target.id} is append-only: it cannot be updated or deleted")


event.listen(AuditEntry, "before_update", _refuse)
event.listen(AuditEntry, "before_delete", _refuse)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state: ORMExecuteState) -> None:
    """``session.execute(update(AuditEntry)...)`` bypasses the mapper events: catch it here."""
    if (state.is_update or state.is_delete) and any(m.class_ is AuditEntry for m in state.all_mappers):
        raise AuditLogAppendOnlyError("the audit log is append-only: bulk update/delete refused")
