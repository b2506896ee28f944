"""dynamic.schedule-recheck and dynamic.record-recheck — 动态管理: keep, adjust, taper, stop."""

from datetime import UTC
from decimal import Decimal

from pyzeebe import ZeebeTaskRouter
from sqlmodel import col, select

from jiuzhu.policy import payment_start
from jiuzhu.policy.recheck import next_recheck_due, recheck_cadence
from schemas.contracts.errors import HOUSEHOLD_NOT_HEARD, INPUT_REJECTED
from schemas.contracts.jobs.dynamic import (
    RecordRecheckInput,
    RecordRecheckOutput,
    ScheduleRecheckInput,
    ScheduleRecheckOutput,
)
from schemas.enums import CaseStatus, DecisionOutcome, RecheckOutcome
from schemas.tables import Case, Decision
from workers.records import load_case, month_after, set_status, staff_member
from workers.runtime import CaseRecordError, JobContext, Thrown, job_type, keyed_effect

router = ZeebeTaskRouter()

TAPER_MONTHS = 6  # 渐退期: at most 6 months


def cadence(data: ScheduleRecheckInput) -> int:
    """The cadence rule of jiuzhu.policy.recheck (12 / 6 / 3 months)."""
    return recheck_cadence(
        income_stable=data.income_stable,
        member_able_to_work=data.member_able_to_work,
        recipient_died=data.recipient_died,
    )


@job_type(router, "dynamic.schedule-recheck")
def schedule_recheck(ctx: JobContext, data: ScheduleRecheckInput) -> ScheduleRecheckOutput:
    load_case(ctx, data.case_id)
    months = cadence(data)
    due = next_recheck_due(data.from_date, months)
    ctx.note(nextRecheckDue=due.isoformat(), cadenceMonths=months)
    return ScheduleRecheckOutput(next_recheck_due=due, cadence_months=months)


def current_amount(ctx: JobContext, case: Case) -> Decimal | None:
    decision = ctx.session.exec(
        select(Decision)
        .where(Decision.case_id == case.id, Decision.outcome == DecisionOutcome.APPROVED)
        .order_by(col(Decision.decided_at).desc(), col(Decision.id).desc())
    ).first()
    return decision.amount if decision else None


@job_type(router, "dynamic.record-recheck")
def record_recheck(ctx: JobContext, data: RecordRecheckInput) -> RecordRecheckOutput | Thrown:
    case = load_case(ctx, data.case_id)
    # One re-check decision per case and decision instant: a new job for it answers the same.
    key = f"recheck:{data.decided_at.astimezone(UTC).isoformat()}"
    earlier = keyed_effect(ctx.session, "dynamic.record-recheck", case.id or 0, key)
    if earlier is not None:
        return RecordRecheckOutput.model_validate(earlier["output"])
    if staff_member(ctx.session, data.approver_id) is None:
        return Thrown(INPUT_REJECTED.code, f"审批人（工作人员编号 {data.approver_id}）不是在职工作人员")
    current = current_amount(ctx, case)
    cut = data.recheck_outcome is RecheckOutcome.STOP or (
        data.recheck_outcome is RecheckOutcome.ADJUST
        and data.new_amount is not None
        and (current is None or data.new_amount < current)
    )
    if cut and not data.household_heard:  # law Art. 48: hear the household before cutting or stopping
        return Thrown(HOUSEHOLD_NOT_HEARD.code, f"{data.recheck_outcome.value}前须听取家庭陈述申辩")
    ctx.note(key=key, outcome=data.recheck_outcome.value, previousAmount=str(current) if current is not None else None)
    if data.recheck_outcome is RecheckOutcome.CONTINUE:
        return RecordRecheckOutput(decision_id=None, effective_month=None, taper_until=None, recorded_at=ctx.now)
    effective = payment_start(data.decided_at)
    taper_until = None
    if data.recheck_outcome is RecheckOutcome.STOP:
        outcome, amount = DecisionOutcome.REJECTED, None
        set_status(ctx, case, CaseStatus.TERMINATED)
    elif data.recheck_outcome is RecheckOutcome.ADJUST:
        outcome, amount = DecisionOutcome.APPROVED, data.new_amount
    else:  # 渐退: the current amount goes on for the taper period, then stops
        if current is None:
            raise CaseRecordError(f"案件 {case.id} 没有批准的救助金额，无法渐退")
        outcome, amount = DecisionOutcome.APPROVED, current
        taper_until = month_after(effective, TAPER_MONTHS - 1)
    label = f"（渐退至{taper_until:%Y年%m月}）" if taper_until else ""
    decision = Decision(
        case_id=data.case_id,
        outcome=outcome,
        amount=amount,
        effective_month=effective,
        taper_until=taper_until,
        reasons=f"复核{data.recheck_outcome.value}{label}：{data.reasons}",
        approver_id=data.approver_id,
        decided_at=data.decided_at,
    )
    ctx.session.add(decision)
    ctx.session.flush()
    ctx.note(decisionId=decision.id)
    return RecordRecheckOutput(
        decision_id=decision.id, effective_month=effective, taper_until=taper_until, recorded_at=ctx.now
    )
