"""Imported households enter dynamic management: a ``dynamic-management`` instance each.

An approved case of jiuzhu enters ``dynamic-management`` from its ``assistance-application``
instance; an imported case has no such instance. :func:`start_rechecks` starts ``dynamic-management``
for each imported household that has none yet, with the variables the call activity would pass and
``recheckFrom`` = the old system's last re-check (or 认定日期). ``dynamic.schedule-recheck`` then
counts the cadence from that date — the same due date as ``caseload_entries.next_recheck_due`` —
and the boundary timer fires on it (at once when overdue). After the first re-check the process
clears ``recheckFrom`` and counts from the re-check, as for every other case.

The instance key is written to the entry and to the case (the case page shows the process; the
reconciler closes the case if the instance is cancelled) right after each start, so a second round
starts nothing twice. A crash between a start and its record could start one household twice;
the record is written per instance to keep that window to one household.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from schemas.enums import CaseStatus
from schemas.tables import AuditEntry, Case, CaseloadEntry, Decision, Household, Member, Township

log = logging.getLogger(__name__)
PROCESS_ID = "dynamic-management"
ACTOR = "worker:caseload.start-rechecks"
ROUND = 200  # instances started per round
Create = Callable[[str, dict[str, Any]], int]  # (process id, variables) → process instance key


def recheck_variables(
    entry: CaseloadEntry,
    case: Case,
    household: Household,
    members: list[Member],
    township: Township,
    decision: Decision,
) -> dict[str, Any]:
    """What ``Activity_DynamicManagement`` of assistance-application would pass, and ``recheckFrom``."""
    return {
        "caseId": case.id,
        "caseNumber": case.case_number,
        "townshipCode": township.code,
        "townshipId": township.id,
        "villageId": household.village_id,
        "householdId": household.id,
        "members": [
            {
                "name": m.name,
                "idNumber": m.id_number,
                "relationship": m.relationship.value,
                "workCapacity": m.work_capacity.value,
                "seriouslyIll": m.seriously_ill,
            }
            for m in members
        ],
        "monthlyAmount": float(decision.amount) if decision.amount is not None else None,
        "decisionId": decision.id,
        "incomeStable": entry.income_stable,
        "memberAbleToWork": entry.member_able_to_work,
        "checkAuthorised": True,
        "recheckFrom": (entry.last_recheck or entry.approved_on).isoformat(),
        "imported": True,
    }


def start_rechecks(create: Create, engine: Engine, now: datetime, *, limit: int = ROUND) -> list[int]:
    """Start ``dynamic-management`` for up to ``limit`` imported households without one; their keys."""
    started: list[int] = []
    with Session(engine) as session:
        pending = session.exec(
            select(CaseloadEntry)
            .where(col(CaseloadEntry.started_at).is_(None))
            .order_by(col(CaseloadEntry.next_recheck_due), col(CaseloadEntry.id))
            .limit(limit)
        ).all()
        entry_ids = [e.id for e in pending]
    for entry_id in entry_ids:
        with Session(engine) as session, session.begin():
            entry = session.get(CaseloadEntry, entry_id)
            if entry is None or entry.started_at is not None:
                continue
            case = session.get(Case, entry.case_id)
            household = session.get(Household, entry.household_id)
            decision = session.get(Decision, entry.decision_id)
            assert case is not None and household is not None and decision is not None
            township = session.get(Township, case.township_id)
            members = session.exec(
                select(Member).where(Member.household_id == household.id).order_by(col(Member.id))
            ).all()
            assert township is not None and members
            if case.process_instance_key is not None or case.status is not CaseStatus.APPROVED:
                # a process already, or stopped before it entered dynamic management: nothing to start
                entry.process_instance_key, entry.started_at = case.process_instance_key, now
                session.add(entry)
                continue
            key = create(PROCESS_ID, recheck_variables(entry, case, household, list(members), township, decision))
            entry.process_instance_key, entry.started_at = key, now
            case.process_instance_key = key
            session.add(entry)
            session.add(case)
            session.add(
                AuditEntry(
                    actor=ACTOR,
                    action="caseload.start-recheck",
                    case_id=case.id,
                    process_instance_key=key,
                    details={"nextRecheckDue": entry.next_recheck_due.isoformat(), "process": PROCESS_ID},
                )
            )
            started.append(key)
    return started


def start_in_background(
    create: Create, engine: Engine, now: Callable[[], datetime], *, every_s: float = 60.0
) -> threading.Event:
    """``jiuzhu up``: start the imported households' re-check processes now and every minute."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                while len(start_rechecks(create, engine, now())) == ROUND and not stop.is_set():
                    pass
            except Exception:  # the next round tries again; the log says why
                log.exception("starting the imported households' re-check processes failed")
            stop.wait(every_s)

    threading.Thread(target=loop, name="caseload-rechecks", daemon=True).start()
    return stop
