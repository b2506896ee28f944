"""Notifications no job produces: looked for on the business clock at every dispatcher round.

急难型临时救助 is paid within 24 hours of acceptance (先行救助); at ``reliefUnpaidAfterHours`` (20)
without a paid payment the leader and the county are told, once per case.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from jiuzhu.notify.outbox import enqueue
from jiuzhu.notify.routes import Routes
from jiuzhu.policy import CST, Programme
from schemas.enums import CaseStatus, PaymentStatus
from schemas.tables import Case, Payment

OPEN_EXCLUDED = (
    CaseStatus.REJECTED, CaseStatus.WITHDRAWN, CaseStatus.TERMINATED, CaseStatus.CLOSED, CaseStatus.CANCELLED,
)  # fmt: skip
RELIEF_UNPAID = "relief.unpaid"


def unpaid_relief(session: Session, routes: Routes, now: datetime, link_base: str | None) -> int:
    """Tell about every open emergency case unpaid past the hours; returns how many cases."""
    if routes.route(RELIEF_UNPAID) is None:
        return 0
    cutoff = now - timedelta(hours=routes.relief_unpaid_after_hours)
    cases = session.exec(
        select(Case).where(
            Case.type == Programme.TEMPORARY_EMERGENCY,
            col(Case.accepted_at) <= cutoff,
            col(Case.status).not_in(OPEN_EXCLUDED),
        )
    ).all()
    told = 0
    for case in cases:
        paid = session.exec(
            select(Payment.id).where(Payment.case_id == case.id, Payment.status == PaymentStatus.PAID)
        ).first()
        if paid is not None:
            continue
        due = case.relief_due_at.astimezone(CST).strftime("%Y-%m-%d %H:%M") if case.relief_due_at else ""
        enqueue(
            session, routes, RELIEF_UNPAID, case=case, occasion="unpaid", now=now, link_base=link_base,
            facts={"due": due},
        )  # fmt: skip
        told += 1
    return told
