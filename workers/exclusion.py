"""不重 across schemes: a household (or a member, by ID number) is never a recipient of two
schemes that exclude each other at the same time — 低保, 特困 and 低保边缘 are one group.

``application.accept`` refuses a second open case of the group (DUPLICATE_APPLICATION), but a
clash can still reach approval or payment: records imported or entered outside the processes
(seeded history, the county's legacy ledger), two applications accepted concurrently, or a case
approved while another one is still paying out a taper. ``approval.record`` (when it approves) and
``payment.schedule`` (when it writes the first ledger row) therefore look again. Neither contract
declares a BPMN error for this and neither output model has a field for it, so a clash is
**flagged, not refused**: one audit row ``flag.duplicate-recipient`` (actor ``worker:<job type>``)
per flagging job, ``duplicateRecipient`` in the job's own audit row, a warning in the log, and a
notification to the county (``duplicate.recipient`` in the routes), once per case and month.
"""

import logging
from datetime import date
from typing import Any

from sqlmodel import col, select

from jiuzhu.policy.masking import mask_id_number
from schemas.enums import CaseStatus, PaymentStatus, Programme
from schemas.tables import AuditEntry, Case, Member, Payment
from workers.notifications import notify
from workers.records import members_of
from workers.runtime import JobContext, actor

log = logging.getLogger("workers")

# Schemes a person may not receive at the same time (regular 保障: 低保, 特困, 低保边缘).
EXCLUSIVE = frozenset({Programme.DIBAO, Programme.TEKUN, Programme.NEAR_POOR})
FLAG_ACTION = "flag.duplicate-recipient"


def _receives_from(session: Any, other: Case, month: date) -> bool:
    """The other case is a recipient in or after ``month``: 已批准 (paying, or tapering), or
    ledger rows (scheduled or paid) for ``month`` or later — a stopped case still paying out."""
    if other.status is CaseStatus.APPROVED:
        return True
    later = session.exec(
        select(Payment.id).where(
            Payment.case_id == other.id,
            col(Payment.month) >= month,
            Payment.status != PaymentStatus.FAILED,
        )
    ).first()
    return later is not None


def duplicate_recipients(ctx: JobContext, case: Case, from_month: date) -> list[dict[str, Any]]:
    """Other cases of a scheme ``case`` excludes whose recipients include any member of its
    household (matched by ID number) from ``from_month`` on."""
    if case.type not in EXCLUSIVE:
        return []
    numbers = {m.id_number: m for m in members_of(ctx.session, case.household_id)}
    if not numbers:
        return []
    rows = ctx.session.exec(
        select(Case, Member)
        .where(
            Member.household_id == Case.household_id,
            col(Member.id_number).in_(list(numbers)),
            col(Case.type).in_(list(EXCLUSIVE)),
            Case.id != case.id,
        )
        .order_by(col(Case.id), col(Member.id))
    ).all()
    clashes: dict[int, dict[str, Any]] = {}
    not_receiving: set[int] = set()
    for other, member in rows:
        assert other.id is not None
        if other.id in not_receiving:
            continue
        if other.id not in clashes:
            if not _receives_from(ctx.session, other, from_month):
                not_receiving.add(other.id)
                continue
            clashes[other.id] = {
                "caseId": other.id,
                "caseNumber": other.case_number,
                "scheme": other.type.value,
                "status": other.status.value,
                "memberIds": [],
                "idNumbers": [],
            }
        clashes[other.id]["memberIds"].append(member.id)
        clashes[other.id]["idNumbers"].append(mask_id_number(member.id_number))
    return list(clashes.values())


def flag_duplicate_recipients(ctx: JobContext, case: Case, from_month: date) -> list[dict[str, Any]]:
    """Look for a duplicate recipient and, if there is one, record the flag (see the module)."""
    clashes = duplicate_recipients(ctx, case, from_month)
    if not clashes:
        return []
    summary = "；".join(f"{c['caseNumber']}（{c['scheme']}，{c['status']}）" for c in clashes)
    message = f"不重：案件 {case.case_number}（{case.type.value}）自 {from_month:%Y-%m} 起与在保案件 {summary} 重复享受"
    ctx.note(duplicateRecipient={"fromMonth": from_month.isoformat(), "cases": clashes, "message": message})
    ctx.session.add(
        AuditEntry(
            at=ctx.now,
            actor=actor(ctx.job.type),
            action=FLAG_ACTION,
            case_id=case.id,
            process_instance_key=ctx.job.process_instance_key,
            element_id=ctx.job.element_id,
            details={
                "jobKey": ctx.job.key,
                "jobType": ctx.job.type,
                "scheme": case.type.value,
                "caseNumber": case.case_number,
                "fromMonth": from_month.isoformat(),
                "cases": clashes,
                "message": message,
            },
        )
    )
    log.warning(message, extra={"job_type": ctx.job.type, "job_key": ctx.job.key, "case_number": case.case_number})
    notify(ctx, "duplicate.recipient", case, from_month.isoformat(), message=message)  # the county is told
    return clashes
