"""The month's run on the case record: read awards and the ledger, write the plan, all at once.

One transaction per run: a run killed half way writes nothing, and the ledger's constraints (one
row per household, scheme, month, kind and run) refuse a second run racing it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from jiuzhu.policy.calendar import local_date
from jiuzhu.policy.payments import (
    Award,
    AwardDecision,
    LedgerEntry,
    PayKind,
    RunPlan,
    plan_month,
)
from schemas.enums import DecisionOutcome, PaymentKind, PaymentStatus, Programme
from schemas.tables import AuditEntry, Case, Decision, Payment, PaymentRun

# Schemes paid monthly by the run (临时救助 is paid once, by its own process).
MONTHLY_SCHEMES = (Programme.DIBAO, Programme.NEAR_POOR, Programme.TEKUN)
KINDS = {PayKind.MONTHLY: PaymentKind.MONTHLY, PayKind.ARREARS: PaymentKind.ARREARS}
POLICY_KINDS = {value: key for key, value in KINDS.items()}


@dataclass(frozen=True)
class RunResult:
    plan: RunPlan
    created: int
    arrears_from: date

    def summary(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "month": f"{plan.run_month:%Y-%m}",
            "created": self.created,
            "skipped": plan.skipped,
            "arrears": sum(1 for p in plan.payments if p.kind is PayKind.ARREARS),
            "total": str(plan.total),
            "arrearsFrom": f"{self.arrears_from:%Y-%m}",
            "refused": [
                {"caseId": r.case_id, "householdId": r.household_id, "month": f"{r.month:%Y-%m}", "reason": r.reason}
                for r in plan.refused
            ],
            "deferred": [
                {"caseId": r.case_id, "householdId": r.household_id, "month": f"{r.month:%Y-%m}", "reason": r.reason}
                for r in plan.deferred
            ],
            "overpaid": [
                {"householdId": o.household_id, "scheme": o.scheme, "month": f"{o.month:%Y-%m}", "reason": o.reason}
                for o in plan.overpaid
            ],
        }


def load_awards(session: Session) -> list[Award]:
    """Every case of a monthly scheme with a decision that pays or stops from a month."""
    rows = session.exec(
        select(Case, Decision)
        .where(Decision.case_id == Case.id, col(Case.type).in_(MONTHLY_SCHEMES))
        .where(col(Decision.effective_month).is_not(None))
        .order_by(col(Case.id), col(Decision.id))
    ).all()
    by_case: dict[int, tuple[Case, list[AwardDecision]]] = {}
    for case, decision in rows:
        assert case.id is not None and decision.id is not None and decision.effective_month is not None
        approved = decision.outcome is DecisionOutcome.APPROVED
        if not approved and case.id not in by_case:
            continue  # a refusal before any approval pays nothing and stops nothing
        by_case.setdefault(case.id, (case, []))[1].append(
            AwardDecision(
                decision.id,
                decision.decided_at,
                decision.effective_month,
                decision.amount if approved else None,
                decision.taper_until,
            )
        )
    return [Award(case_id, case.household_id, case.type.value, tuple(ds)) for case_id, (case, ds) in by_case.items()]


def load_ledger(session: Session, first: date, last: date) -> list[LedgerEntry]:
    rows = session.exec(
        select(Payment).where(
            col(Payment.scheme).in_(MONTHLY_SCHEMES), col(Payment.month) >= first, col(Payment.month) <= last
        )
    ).all()
    return [
        LedgerEntry(
            p.case_id,
            p.household_id,
            p.scheme.value,
            p.month,
            POLICY_KINDS.get(p.kind, PayKind.MONTHLY),
            p.amount,
            p.run_month,
            failed=p.status is PaymentStatus.FAILED,
        )
        for p in rows
    ]


def first_run_month(session: Session) -> date | None:
    return session.exec(select(func.min(PaymentRun.month))).one()


def run_month(engine: Engine, month: date, now: datetime, *, actor: str = "cli:payments") -> RunResult:
    """Compute and write the run for ``month`` (idempotent: a rerun writes only what is new)."""
    with Session(engine) as session, session.begin():
        arrears_from = first_run_month(session) or month
        awards = load_awards(session)
        ledger = load_ledger(session, min(arrears_from, month), month)
        plan = plan_month(month, awards, ledger, today=local_date(now), arrears_from=arrears_from)
        for planned in plan.payments:
            session.add(
                Payment(
                    case_id=planned.case_id,
                    household_id=planned.household_id,
                    decision_id=planned.decision_id,
                    scheme=Programme(planned.scheme),
                    month=planned.month,
                    run_month=planned.run_month,
                    kind=KINDS[planned.kind],
                    amount=planned.amount,
                    status=PaymentStatus.SCHEDULED,
                    idempotency_key=planned.key,
                )
            )
        run = session.exec(select(PaymentRun).where(PaymentRun.month == month)).first()
        if run is None:
            run = PaymentRun(month=month, first_run_at=now, last_run_at=now, times_run=0)
        run.last_run_at, run.times_run = now, run.times_run + 1
        run.created, run.skipped, run.refused = len(plan.payments), plan.skipped, len(plan.refused)
        session.add(run)
        result = RunResult(plan, len(plan.payments), arrears_from)
        details = {k: v for k, v in result.summary().items() if k not in ("refused", "deferred", "overpaid")}
        details["refused"] = len(plan.refused)
        session.add(AuditEntry(actor=actor, action="payments.run", details=details, at=now))
        for refusal in plan.refused:
            session.add(
                AuditEntry(
                    actor=actor,
                    action="payments.refused-duplicate",
                    case_id=refusal.case_id,
                    details={"month": f"{refusal.month:%Y-%m}", "reason": refusal.reason},
                    at=now,
                )
            )
    return result


def township_totals(payments: list[tuple[str, Decimal]]) -> dict[str, tuple[int, Decimal]]:
    totals: dict[str, tuple[int, Decimal]] = defaultdict(lambda: (0, Decimal(0)))
    for township, amount in payments:
        count, total = totals[township]
        totals[township] = (count + 1, total + amount)
    return dict(sorted(totals.items()))
