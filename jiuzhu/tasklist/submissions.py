"""Submitting an application once: idempotency keys, what became of a submission, kept drafts.

Every intake form carries a fresh submission key (hidden field). Starting the process and
writing the ``application.started`` audit entry happen under a per-key lock, and the entry holds
the key: a reload or a second click finds it and shows the same case instead of starting another.
The lock is per task-list process, which is how the task list runs (one process per county).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from schemas.tables import AuditEntry, Case

STARTED = "application.started"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
DRAFT_TTL_S = 24 * 3600

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def new_key() -> str:
    return secrets.token_urlsafe(18)


def valid_key(key: str | None) -> bool:
    return bool(key and KEY_PATTERN.match(key))


@contextmanager
def once(key: str) -> Iterator[None]:
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        yield
    with _locks_guard:
        if not lock.locked():
            _locks.pop(key, None)


def started_entry(db: Engine, key: str) -> AuditEntry | None:
    """The audit entry of the process this submission started, if any."""
    with Session(db) as session:
        # JSON path (json_extract on SQLite, ->> on PostgreSQL) over the started entries only.
        submission = col(AuditEntry.details)["submission"].as_string()
        query = select(AuditEntry).where(AuditEntry.action == STARTED, submission == key)
        return session.exec(query.order_by(col(AuditEntry.id))).first()


@dataclass(frozen=True)
class Outcome:
    """What the process made of a submission so far."""

    case: Case | None = None  # registered: the case it opened
    duplicate_of: Case | None = None  # refused as a duplicate of this open case
    refusal: str | None = None  # the process's own words when it refused
    pending: bool = False  # application.accept has not run yet


def outcome_of(db: Engine, process_instance_key: int) -> Outcome:
    with Session(db) as session:
        case = session.exec(select(Case).where(Case.process_instance_key == process_instance_key)).first()
        if case is not None:
            return Outcome(case=case)
        accepted = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "application.accept", AuditEntry.process_instance_key == process_instance_key
            )
        ).all()
        refused = next((e for e in reversed(accepted) if "error" in e.details), None)
        if refused is None:
            return Outcome(pending=True)
        number = refused.details.get("openCase")
        other = session.exec(select(Case).where(Case.case_number == number)).first() if number else None
        return Outcome(duplicate_of=other, refusal=str(refused.details["error"].get("message", "")))


# --- drafts kept across a session expiry -------------------------------------------------------

_drafts: dict[str, tuple[float, dict[str, Any]]] = {}
_drafts_guard = threading.Lock()


def keep_draft(values: dict[str, str]) -> str:
    """Keep what was typed when the session had expired; the token goes into the sign-in link."""
    token = secrets.token_urlsafe(18)
    now = time.monotonic()
    with _drafts_guard:
        for stale in [k for k, (at, _) in _drafts.items() if now - at > DRAFT_TTL_S]:
            del _drafts[stale]
        _drafts[token] = (now, dict(values))
    return token


def take_draft(token: str) -> dict[str, str] | None:
    with _drafts_guard:
        found = _drafts.pop(token, None)
    if found is None or time.monotonic() - found[0] > DRAFT_TTL_S:
        return None
    return dict(found[1])
