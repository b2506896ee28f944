"""notice.issue-rejection, notice.issue-decision, notice.record-delivery — 书面告知书 and decision notices.

A notice is numbered once per case, kind and basis (the check report or decision it answers): a
second job for the same basis returns the notice already issued. The HTML goes under the data dir
and into the audit row.
"""

from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from pyzeebe import ZeebeTaskRouter
from sqlmodel import col, func, select

from jiuzhu import metrics
from jiuzhu.policy import CST, rejection_notice_due
from schemas.contracts.errors import INPUT_REJECTED
from schemas.contracts.jobs.notice import (
    IssueDecisionInput,
    IssueDecisionOutput,
    IssueRejectionInput,
    IssueRejectionOutput,
    RecordDeliveryInput,
    RecordDeliveryOutput,
)
from schemas.enums import CaseStatus, NoticeKind
from schemas.tables import Case, Decision, EconomicCheck, EconomicCheckItem, Township, WrittenNotice
from workers import notice_texts
from workers.records import applicant_of, case_profile, issuing_body, load_case, set_status, township_of
from workers.runtime import FUTURE_TOLERANCE, CaseRecordError, JobContext, Thrown, job_type, keyed_effect

router = ZeebeTaskRouter()
Out = TypeVar("Out", IssueRejectionOutput, IssueDecisionOutput)

_TAGS = {NoticeKind.REJECTION: "民救告", NoticeKind.APPROVAL: "民救批", NoticeKind.CHANGE: "民救变"}


def next_number(ctx: JobContext, township: Township, kind: NoticeKind, year: int) -> str:
    """桃州镇民救告〔2026〕7号 — numbered per township, kind and year (unique: a race retries)."""
    prefix = f"{township.name}{_TAGS[kind]}〔{year}〕"
    count = ctx.session.exec(
        select(func.count()).select_from(WrittenNotice).where(col(WrittenNotice.number).startswith(prefix))
    ).one()
    return f"{prefix}{count + 1}号"


def _issue(
    ctx: JobContext,
    case: Case,
    kind: NoticeKind,
    key: str,
    *,
    decision: str,
    facts: list[str],
    template: str,
    **extra: object,
) -> WrittenNotice:
    township = township_of(ctx.session, case.township_id)
    issued_on = ctx.now.astimezone(CST)
    notice = WrittenNotice(
        number=next_number(ctx, township, kind, issued_on.year),
        kind=kind,
        case_id=case.id or 0,
        issuing_body=issuing_body(township),
        applicant_name=applicant_of(ctx.session, case).name,
        application_date=case.accepted_at.astimezone(CST).date(),
        application_type=case.type,
        decision=decision,
        facts="\n".join(facts),
        legal_basis=notice_texts.legal_basis(case.type, issued_on.date()),
        redress=notice_texts.redress(ctx.services.settings.county_name),
        issued_at=ctx.now,
    )
    ctx.session.add(notice)
    ctx.session.flush()
    document = ctx.services.documents.render(
        template,
        Path("notices") / f"case-{case.id}" / f"notice-{notice.id}.html",
        notice=notice,
        facts=facts,
        case=case,
        county=ctx.services.settings.county_name,
        **extra,
    )
    ctx.note(key=key, noticeId=notice.id, number=notice.number, kind=kind.value, document=document.audit())
    return notice


def _earlier(ctx: JobContext, action: str, case_id: int, key: str, output: type[Out]) -> Out | None:
    """What the job that first issued a notice on this basis answered (the same answer again)."""
    found = keyed_effect(ctx.session, action, case_id, key)
    return output.model_validate(found["output"]) if found else None


def _check_items(ctx: JobContext, case_id: int, report_id: int | None) -> list[EconomicCheckItem]:
    if report_id is None:
        return []
    report = ctx.session.get(EconomicCheck, report_id)
    if report is None or report.case_id != case_id:
        raise CaseRecordError(f"核对报告 {report_id} 不属于案件 {case_id}")
    return list(ctx.session.exec(select(EconomicCheckItem).where(EconomicCheckItem.check_id == report_id)))


@job_type(router, "notice.issue-rejection")
def issue_rejection(ctx: JobContext, data: IssueRejectionInput) -> IssueRejectionOutput:
    case = load_case(ctx, data.case_id)
    profile = case_profile(case)
    due: date = rejection_notice_due(data.decided_at, ctx.services.calendar, profile.sla).value
    key = f"rejection:{data.check_report_id}:{data.decision_id}"
    earlier = _earlier(ctx, "notice.issue-rejection", case.id or 0, key, IssueRejectionOutput)
    if earlier is not None:
        return earlier
    by_check = data.decision_id is None
    notice = _issue(
        ctx,
        case,
        NoticeKind.REJECTION,
        key,
        decision=notice_texts.rejection_decision(case.type, by_check),
        facts=list(data.facts),
        template="rejection.html.j2",
        items=_check_items(ctx, case.id or 0, data.check_report_id),
        notice_due=due,
    )
    set_status(ctx, case, CaseStatus.REJECTED)
    if by_check:  # the check decided: no approval record will count this rejection
        days = ctx.services.calendar.working_days_between(case.accepted_at, data.decided_at).value
        code, kind, path = township_of(ctx.session, case.township_id).code, case.type, case.path
        limit = profile.sla.decision_working_days
        ctx.on_commit(lambda: metrics.cases.case_decided(kind, path, code, "不予批准", days, limit))
    assert notice.id is not None
    return IssueRejectionOutput(
        notice_id=notice.id, notice_number=notice.number, issued_at=notice.issued_at, notice_due=due
    )


@job_type(router, "notice.issue-decision")
def issue_decision(ctx: JobContext, data: IssueDecisionInput) -> IssueDecisionOutput:
    case = load_case(ctx, data.case_id)
    decision = ctx.session.get(Decision, data.decision_id)
    if decision is None or decision.case_id != case.id:
        raise CaseRecordError(f"审批决定 {data.decision_id} 不属于案件 {data.case_id}")
    key = f"{data.notice_kind.name}:{data.decision_id}"
    earlier = _earlier(ctx, "notice.issue-decision", case.id or 0, key, IssueDecisionOutput)
    if earlier is not None:
        return earlier
    if data.notice_kind is NoticeKind.APPROVAL:
        sentence = notice_texts.approval_decision(case.type, decision)
    else:
        sentence = notice_texts.change_decision(case.type, decision)
    notice = _issue(
        ctx,
        case,
        data.notice_kind,
        key,
        decision=sentence,
        facts=[line for line in decision.reasons.splitlines() if line.strip()],
        template="decision.html.j2",
        amount=decision.amount,
        effective_month=decision.effective_month,
    )
    assert notice.id is not None
    return IssueDecisionOutput(notice_id=notice.id, notice_number=notice.number, issued_at=notice.issued_at)


@job_type(router, "notice.record-delivery")
def record_delivery(ctx: JobContext, data: RecordDeliveryInput) -> RecordDeliveryOutput | Thrown:
    notice = ctx.session.get(WrittenNotice, data.notice_id)
    if notice is None:
        raise CaseRecordError(f"文书 {data.notice_id} 不在案件记录中")
    ctx.case_id = notice.case_id
    if notice.delivered_at is None and data.delivered_at > ctx.now + FUTURE_TOLERANCE:
        return Thrown(INPUT_REJECTED.code, "送达时间不能晚于当前时间")
    if notice.delivered_at is None:
        notice.delivered_at, notice.receipt_reference = data.delivered_at, data.receipt_reference
        ctx.session.add(notice)
        ctx.note(receiptReference=data.receipt_reference)
    delivered: datetime = notice.delivered_at or data.delivered_at
    return RecordDeliveryOutput(notice_id=data.notice_id, delivered_at=delivered)
