"""Audit entries for what people do in the task list (append-only ``audit_log``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from jiuzhu.tasklist.roles import Principal
from schemas.tables import AuditEntry


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def record(
    db: Engine,
    principal: Principal,
    action: str,
    *,
    case_id: Any = None,
    process_instance_key: Any = None,
    element_id: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """``at``: the task list's clock (a controlled clock in tests and demos); the wall clock when omitted."""
    entry = AuditEntry(
        actor=principal.login,
        role=principal.role.value,
        action=action,
        case_id=_int(case_id),
        process_instance_key=_int(process_instance_key),
        element_id=element_id,
        details=details or {},
    )
    if at is not None:
        entry.at = at
    with Session(db) as session:
        session.add(entry)
        session.commit()
