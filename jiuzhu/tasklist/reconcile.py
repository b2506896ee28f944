"""The case record follows the engine: a case whose process instance was cancelled is closed.

An instance can be cancelled outside the task list — ``zbctl cancel instance``, ``POST
/v2/process-instances/{key}/cancellation``, an operator's console — and then no job of its process
runs again, so no worker ever closes its case: the record would say 入户调查 for a process that has
ended. Zeebe has no hook the case record could subscribe to, and the engine may run in another
process (``jiuzhu engine`` + ``jiuzhu workers``), so a reconciling sweep asks the engine, over REST
v2, for the state of the open cases' instances, a batch at a time in case-id order (a cursor, so a
county's thousands of open cases cost one batch a round, not all of them). A TERMINATED instance
closes its case as 已终止办理 at the instance's end date, with an audit entry whose reason the case
page shows in its 办理记录. A missing instance (404) changes nothing: only the engine's word that
the instance was cancelled closes a case.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jiuzhu.policy import CST
from jiuzhu.tasklist.client import ApiError
from schemas.enums import CaseStatus
from schemas.tables import AuditEntry, Case

log = logging.getLogger(__name__)
ACTOR = "worker:case.reconcile"
ACTION = "case.cancelled"
ENDED = (CaseStatus.REJECTED, CaseStatus.WITHDRAWN, CaseStatus.TERMINATED, CaseStatus.CLOSED, CaseStatus.CANCELLED)


class InstanceSource(Protocol):
    def get_process_instance(self, key: int | str) -> dict[str, Any]: ...


def _end_date(instance: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(instance.get("endDate")).replace("Z", "+00:00"))
    except ValueError:
        return None


class CaseReconciler:
    def __init__(
        self, source: InstanceSource, db: Engine, clock: Callable[[], datetime],
        acting: Callable[[], AbstractContextManager[None]] = nullcontext, batch: int = 100,
    ) -> None:  # fmt: skip
        self.source, self.db, self.clock, self.acting, self.batch = source, db, clock, acting, batch
        self.cursor = 0  # the last case id looked at; back to 0 after the last open case

    def open_cases(self) -> list[tuple[int, int]]:
        """The next batch of (case id, instance key) of open cases with a process instance."""
        with Session(self.db) as session:
            rows = session.exec(
                select(Case.id, Case.process_instance_key)
                .where(
                    col(Case.id) > self.cursor,
                    col(Case.closed_at).is_(None),
                    col(Case.process_instance_key).is_not(None),
                    col(Case.status).not_in(ENDED),
                )
                .order_by(col(Case.id))
                .limit(self.batch)
            ).all()
        found = [(int(case_id), int(key)) for case_id, key in rows if case_id is not None and key is not None]
        self.cursor = found[-1][0] if len(found) == self.batch else 0
        return found

    def reconcile_once(self) -> int:
        """Close the cases of the next batch whose instance was cancelled; returns how many."""
        closed = 0
        for case_id, key in self.open_cases():
            try:
                instance = self.source.get_process_instance(key)
            except ApiError as err:
                if err.status == 404:
                    continue  # not the engine's word that it was cancelled: leave the case as it is
                raise
            if instance.get("state") == "TERMINATED" and self.close_cancelled(case_id, key, _end_date(instance)):
                closed += 1
        return closed

    def close_cancelled(self, case_id: int, instance_key: int, ended: datetime | None) -> bool:
        """Close the case of a cancelled instance (once: a case closed meanwhile stays as it is)."""
        ended = ended or self.clock()
        with Session(self.db) as session, session.begin():
            case = session.get(Case, case_id)
            if case is None or case.closed_at is not None or case.status in ENDED:
                return False
            when = ended.astimezone(CST).strftime("%Y-%m-%d %H:%M")
            reason = f"流程实例 {instance_key} 已于 {when} 在流程引擎中被取消，案件终止办理"
            details = {"statusFrom": case.status.value, "statusTo": CaseStatus.CANCELLED.value, "reason": reason}
            session.add(
                AuditEntry(
                    actor=ACTOR,
                    action=ACTION,
                    case_id=case_id,
                    process_instance_key=instance_key,
                    details=details,
                )
            )
            case.status, case.closed_at = CaseStatus.CANCELLED, ended
            session.add(case)
        log.warning("case %s closed: its process instance %s was cancelled in the engine", case_id, instance_key)
        return True

    def start(self, interval_s: float = 5.0) -> threading.Event:
        """Sweep in a daemon thread until the returned event is set."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(interval_s):
                try:
                    with self.acting():
                        self.reconcile_once()
                except Exception:
                    log.exception("case record reconciliation: this round failed; trying again")

        threading.Thread(target=loop, name="jiuzhu-case-reconcile", daemon=True).start()
        return stop
