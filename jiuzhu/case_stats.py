"""Open cases as the metrics see them: read from the case record at scrape time.

Feeds the open-case gauges (`jiuzhu_cases_open`, the oldest case's working days, emergency relief
still waiting) that the SLA dashboards and the "case past its deadline" alerts read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jiuzhu.metrics import OpenCase
from jiuzhu.policy import WorkingCalendar
from jiuzhu.policy.deadlines import decision_sla
from jiuzhu.policy.eligibility import Programme
from jiuzhu.policy.profiles import get_profile
from schemas.enums import CaseStatus
from schemas.tables.cases import Case
from schemas.tables.places import Township

# Accepted and not yet decided; 急难型 also counts until relief is paid (已先行救助).
UNDECIDED = (
    CaseStatus.ACCEPTED,
    CaseStatus.CHECKING,
    CaseStatus.VISITING,
    CaseStatus.AWAITING_APPROVAL,
    CaseStatus.IN_PUBLICITY,
)


class CaseRecordStats:
    """`jiuzhu.metrics.CaseStats` over the case record; register it in one process only."""

    def __init__(self, db: Engine, calendar: WorkingCalendar, now: Callable[[], datetime]) -> None:
        self.db = db
        self.calendar = calendar
        self.now = now

    def open_cases(self) -> Iterator[OpenCase]:
        now = self.now()
        statement = (
            select(Case, Township.code)
            .join(Township, col(Township.id) == col(Case.township_id))
            .where(col(Case.status).in_(UNDECIDED))
        )
        with Session(self.db) as session:
            rows = session.exec(statement).all()
        for case, township in rows:
            sla = decision_sla(case.accepted_at, now, self.calendar, get_profile(case.path.value).sla)
            waiting = None
            if case.type == Programme.TEMPORARY_EMERGENCY:
                waiting = max((now - case.accepted_at).total_seconds() / 3600, 0.0)
            yield OpenCase(
                case_type=case.type,
                path=case.path,
                township=township,
                sla_state=sla.state,
                working_days_open=sla.elapsed_working_days,
                relief_waiting_hours=waiting,
            )
