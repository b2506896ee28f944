"""publicity.publish, publicity.record-objection, publicity.close, publicity.resolve-objections — 公示 in
the natural village, and the township's answer to objections after the re-investigation.

Each publication is one ``publicity_notices`` row with the case's masked row (built only by
``jiuzhu.policy.masking.publishable_record``), rendered to HTML. One notice per case, because
``publicity.close`` names only the notice: objections counted on it belong to that case.
"""

from decimal import Decimal
from pathlib import Path

from pyzeebe import ZeebeTaskRouter
from sqlmodel import col, select

from jiuzhu import metrics
from jiuzhu.policy import CST, publicity_period, publishable_record
from jiuzhu.policy.calendar import end_of_day
from schemas.contracts.jobs.publicity import (
    ClosePublicityInput,
    ClosePublicityOutput,
    PublishInput,
    PublishOutput,
    RecordObjectionInput,
    RecordObjectionOutput,
    ResolveObjectionsInput,
    ResolveObjectionsOutput,
)
from schemas.enums import CaseStatus, DecisionOutcome, ObjectionStatus
from schemas.tables import Case, Decision, Objection, PublicityNotice, PublicityRow, Village
from workers.records import (
    applicant_of,
    case_profile,
    household_of,
    issuing_body,
    load_case,
    members_of,
    set_status,
    township_of,
    village_label,
)
from workers.runtime import CaseRecordError, JobContext, job_type

router = ZeebeTaskRouter()

OPEN = (ObjectionStatus.RECEIVED, ObjectionStatus.UNDER_REVIEW)


def _published(notice: PublicityNotice) -> PublishOutput:
    assert notice.id is not None
    return PublishOutput(
        publicity_id=notice.id,
        period_start=notice.period_start,
        period_end=notice.period_end,
        publicity_ends_at=end_of_day(notice.period_end),
    )


def render_notice(ctx: JobContext, notice: PublicityNotice, village: str) -> None:
    rows = ctx.session.exec(select(PublicityRow).where(PublicityRow.notice_id == notice.id)).all()
    document = ctx.services.documents.render(
        "publicity.html.j2",
        Path("publicity") / f"publicity-{notice.id}.html",
        notice=notice,
        village=village,
        rows=rows,
        county=ctx.services.settings.county_name,
    )
    ctx.note(document=document.audit())


def _publicised_amount(ctx: JobContext, data: PublishInput, case_id: int | None) -> Decimal:
    """The approved amount (result publicity), or before any decision the proposed one (初审公示)."""
    if data.decision_id is None:
        if data.proposed_amount is None:
            raise CaseRecordError(f"案件 {data.case_id} 的初审公示既无审批决定也无拟保障金额，不能公示")
        return data.proposed_amount
    decision = ctx.session.get(Decision, data.decision_id)
    if decision is None or decision.case_id != case_id or decision.outcome is not DecisionOutcome.APPROVED:
        raise CaseRecordError(f"审批决定 {data.decision_id} 不是案件 {data.case_id} 的批准决定，不能公示")
    if decision.amount is None:
        raise CaseRecordError(f"审批决定 {data.decision_id} 没有保障金额，不能公示")
    return decision.amount


@job_type(router, "publicity.publish")
def publish(ctx: JobContext, data: PublishInput) -> PublishOutput:
    case = load_case(ctx, data.case_id)
    amount = _publicised_amount(ctx, data, case.id)
    village = ctx.session.get(Village, data.village_id)
    if village is None:
        raise CaseRecordError(f"村（组） {data.village_id} 不在案件记录中")
    profile = case_profile(case)
    start, end = publicity_period(data.start_date, data.days or profile.publicity.result_publicity_days)
    earlier = ctx.session.exec(
        select(PublicityNotice)
        .join(PublicityRow, col(PublicityRow.notice_id) == PublicityNotice.id)
        .where(PublicityRow.case_id == case.id, PublicityNotice.period_start == start)
    ).first()
    if earlier is not None:
        return _published(earlier)
    township = township_of(ctx.session, case.township_id)
    household = household_of(ctx.session, case)
    row = publishable_record(
        {
            "applicant_name": applicant_of(ctx.session, case).name,
            "household_size": len(members_of(ctx.session, household.id or 0)),
            "category": case.type.value,
            "monthly_amount": amount,
            "village": village_label(ctx.session, household.village_id),
        }
    )
    notice = PublicityNotice(
        township_id=case.township_id,
        village_id=data.village_id,
        issuer=issuing_body(township),
        period_start=start,
        period_end=end,
        published_at=ctx.now,
        complaint_phone=f"12349；{ctx.services.settings.complaint_phone}",
    )
    ctx.session.add(notice)
    ctx.session.flush()
    assert notice.id is not None
    ctx.session.add(
        PublicityRow(
            notice_id=notice.id,
            case_id=data.case_id,
            village_label=row.village,
            masked_name=row.name,
            household_size=row.household_size,
            category=row.category,
            monthly_amount=row.monthly_amount,
        )
    )
    ctx.session.flush()
    render_notice(ctx, notice, village_label(ctx.session, data.village_id))
    set_status(ctx, case, CaseStatus.IN_PUBLICITY)
    ctx.note(publicityId=notice.id, periodStart=start.isoformat(), periodEnd=end.isoformat())
    kind, code = case.type, township.code
    ctx.on_commit(lambda: metrics.cases.publicity_published(kind, code))
    return _published(notice)


@job_type(router, "publicity.record-objection")
def record_objection(ctx: JobContext, data: RecordObjectionInput) -> RecordObjectionOutput:
    existing = ctx.session.exec(select(Objection).where(Objection.message_id == data.message_id)).first()
    if existing is not None and existing.id is not None:  # the same message again is not a second objection
        ctx.case_id = existing.case_id
        return RecordObjectionOutput(objection_id=existing.id, objection_status=existing.status)
    notice = ctx.session.get(PublicityNotice, data.publicity_id)
    if notice is None:
        raise CaseRecordError(f"公示 {data.publicity_id} 不在案件记录中")
    case = load_case(ctx, data.case_id) if data.case_id is not None else None
    objection = Objection(
        notice_id=data.publicity_id,
        case_id=data.case_id,
        message_id=data.message_id,
        channel=data.channel,
        content=data.content,
        status=ObjectionStatus.RECEIVED,
        received_at=data.received_at,
    )
    ctx.session.add(objection)
    ctx.session.flush()
    assert objection.id is not None
    ctx.note(objectionId=objection.id, channel=data.channel)
    if case is not None:
        kind, code = case.type, township_of(ctx.session, notice.township_id).code
        ctx.on_commit(lambda: metrics.cases.publicity_objection(kind, code))
    return RecordObjectionOutput(objection_id=objection.id, objection_status=objection.status)


@job_type(router, "publicity.close")
def close(ctx: JobContext, data: ClosePublicityInput) -> ClosePublicityOutput:
    notice = ctx.session.get(PublicityNotice, data.publicity_id)
    if notice is None:
        raise CaseRecordError(f"公示 {data.publicity_id} 不在案件记录中")
    objections = ctx.session.exec(select(Objection).where(Objection.notice_id == notice.id)).all()
    still_open = [o for o in objections if o.status in OPEN]
    upheld = [o for o in objections if o.status is ObjectionStatus.UPHELD]
    for objection in still_open:  # the re-investigation now verifies them
        objection.status = ObjectionStatus.UNDER_REVIEW
        ctx.session.add(objection)
    case_ids = ctx.session.exec(select(PublicityRow.case_id).where(PublicityRow.notice_id == notice.id)).all()
    for case in ctx.session.exec(select(Case).where(col(Case.id).in_(case_ids))).all():
        ctx.case_id = case.id
        if case.status is CaseStatus.IN_PUBLICITY:
            set_status(ctx, case, CaseStatus.VISITING if still_open or upheld else CaseStatus.APPROVED)
    ctx.note(openObjections=len(still_open), upheldObjections=len(upheld))
    return ClosePublicityOutput(
        open_objections=len(still_open),
        upheld_objections=len(upheld),
        closed_at=ctx.now,
        objection_summary=objection_summary(still_open),
    )


def objection_summary(objections: list[Objection]) -> str:
    """What the caseworker answers: each objection's channel, day received and content."""
    lines = []
    for n, objection in enumerate(objections, start=1):
        day = objection.received_at.astimezone(CST).strftime("%Y-%m-%d")
        lines.append(f"{n}. {objection.channel}（{day}）：{objection.content}")
    return "\n\n".join(lines)


@job_type(router, "publicity.resolve-objections")
def resolve_objections(ctx: JobContext, data: ResolveObjectionsInput) -> ResolveObjectionsOutput:
    """异议成立 / 异议不成立 with the reason, on every objection of the case still being checked.

    Idempotent: objections already answered keep their answer; a redelivery changes nothing."""
    case = load_case(ctx, data.case_id)
    outcome = ObjectionStatus(data.objection_outcome)
    still_open = ctx.session.exec(
        select(Objection)
        .where(Objection.case_id == case.id, col(Objection.status).in_(list(OPEN)))
        .order_by(col(Objection.id))
    ).all()
    reason = data.objection_reason.strip()
    for objection in still_open:
        objection.status = outcome
        objection.resolution = reason
        objection.resolved_at = data.answered_at
        ctx.session.add(objection)
    ctx.session.flush()
    # The objections this answer covers: the same on a redelivery, which finds none still open.
    answered = ctx.session.exec(
        select(Objection).where(Objection.case_id == case.id, Objection.resolved_at == data.answered_at)
    ).all()
    ctx.note(objections=[o.id for o in answered], outcome=outcome.value, decisionId=data.decision_id)
    return ResolveObjectionsOutput(resolved_objections=len(answered), objection_outcome=outcome)
