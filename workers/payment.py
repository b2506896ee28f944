"""payment.schedule, payment.pay-monthly, payment.pay-emergency — the payment ledger.

The ledger holds one row per household, month and case (a database constraint) and one per
idempotency key: a job delivered twice finds its row by key and returns it; a *different* key
for a month already in the ledger is DUPLICATE_PAYMENT.
"""

from datetime import date

from pyzeebe import ZeebeTaskRouter
from sqlmodel import col, select

from jiuzhu import metrics
from jiuzhu.policy import emergency_relief_due
from jiuzhu.policy.calendar import local_date
from jiuzhu.policy.money import format_yuan
from schemas.contracts.errors import ABOVE_EMERGENCY_LIMIT, DUPLICATE_PAYMENT
from schemas.contracts.jobs.payment import (
    PayEmergencyInput,
    PayEmergencyOutput,
    PayMonthlyInput,
    PayMonthlyOutput,
    SchedulePaymentInput,
    SchedulePaymentOutput,
)
from schemas.enums import CaseStatus, PaymentKind, PaymentStatus
from schemas.tables import Case, Decision, Payment
from workers.exclusion import flag_duplicate_recipients
from workers.records import case_profile, load_case, set_status, township_of
from workers.runtime import CaseRecordError, JobContext, Thrown, job_type

router = ZeebeTaskRouter()


def by_key(ctx: JobContext, key: str, case_id: int) -> Payment | None:
    payment = ctx.session.exec(select(Payment).where(Payment.idempotency_key == key)).first()
    if payment is not None and payment.case_id != case_id:
        raise CaseRecordError(f"幂等键 {key} 已用于案件 {payment.case_id} 的发放，不能用于案件 {case_id}")
    return payment


def month_taken(ctx: JobContext, household_id: int, month: date, case_id: int) -> Payment | None:
    """This case's row for the month, or — for the regular schemes — another case's row of the same
    household and scheme (once per household, month and scheme: the second case is refused)."""
    own = ctx.session.exec(
        select(Payment).where(Payment.household_id == household_id, Payment.month == month, Payment.case_id == case_id)
    ).first()
    if own is not None:
        return own
    case = ctx.session.get(Case, case_id)
    if case is None or case.type.value.endswith("临时救助"):
        return None
    return ctx.session.exec(
        select(Payment).where(
            Payment.household_id == household_id,
            Payment.month == month,
            Payment.scheme == case.type,
            col(Payment.kind).in_([PaymentKind.MONTHLY, PaymentKind.ARREARS]),
            Payment.case_id != case_id,
        )
    ).first()


def _decision(ctx: JobContext, case: Case, decision_id: int) -> Decision:
    decision = ctx.session.get(Decision, decision_id)
    if decision is None or decision.case_id != case.id:
        raise CaseRecordError(f"审批决定 {decision_id} 不属于案件 {case.id}")
    return decision


def _duplicate(month: date, existing: Payment, case_id: int | None = None) -> Thrown:
    own = case_id is None or existing.case_id == case_id
    whose = "本案" if own else f"案件 {existing.case_id} 的{existing.scheme.value}"
    return Thrown(
        DUPLICATE_PAYMENT.code,
        f"该户 {month:%Y-%m} 已有{whose}发放记录"
        f"（{existing.kind.value} {format_yuan(existing.amount)}，{existing.status.value}）",
    )


def _record(ctx: JobContext, case: Case, payment: Payment) -> None:
    ctx.session.add(payment)
    ctx.session.flush()
    ctx.note(paymentId=payment.id, idempotencyKey=payment.idempotency_key, amount=str(payment.amount))
    code = township_of(ctx.session, case.township_id).code
    kind, ptype, amount, status = case.type, payment.kind, payment.amount, payment.status
    ctx.on_commit(lambda: metrics.cases.payment(kind, ptype, code, amount, status))


@job_type(router, "payment.schedule")
def schedule(ctx: JobContext, data: SchedulePaymentInput) -> SchedulePaymentOutput | Thrown:
    case = load_case(ctx, data.case_id)
    decision = _decision(ctx, case, data.decision_id)
    if decision.amount != data.monthly_amount:
        raise CaseRecordError(
            f"发放金额 {data.monthly_amount} 与审批决定 {decision.id} 的金额 {decision.amount} 不一致"
        )
    key = f"monthly-{data.case_id}-{data.decision_id}-{data.effective_month:%Y-%m}"
    payment = by_key(ctx, key, data.case_id)
    if payment is None:
        existing = month_taken(ctx, data.household_id, data.effective_month, data.case_id)
        if existing is not None:
            return _duplicate(data.effective_month, existing, data.case_id)
        payment = Payment(
            case_id=data.case_id,
            household_id=data.household_id,
            decision_id=data.decision_id,
            month=data.effective_month,
            kind=PaymentKind.MONTHLY,
            amount=data.monthly_amount,
            status=PaymentStatus.SCHEDULED,
            idempotency_key=key,
        )
        flag_duplicate_recipients(ctx, case, data.effective_month)  # 不重: flagged, not refused
        _record(ctx, case, payment)
    assert payment.id is not None
    return SchedulePaymentOutput(payment_id=payment.id, first_month=payment.month, idempotency_key=key)


@job_type(router, "payment.pay-monthly")
def pay_monthly(ctx: JobContext, data: PayMonthlyInput) -> PayMonthlyOutput | Thrown:
    case = load_case(ctx, data.case_id)
    _decision(ctx, case, data.decision_id)
    payment = by_key(ctx, data.idempotency_key, data.case_id)
    if payment is None:
        existing = month_taken(ctx, data.household_id, data.month, data.case_id)
        if existing is not None:
            return _duplicate(data.month, existing, data.case_id)
        temporary = case.type.value.endswith("临时救助")
        payment = Payment(
            case_id=data.case_id,
            household_id=data.household_id,
            decision_id=data.decision_id,
            month=data.month,
            kind=PaymentKind.ONE_OFF if temporary else PaymentKind.MONTHLY,
            amount=data.amount,
            status=PaymentStatus.PAID,
            idempotency_key=data.idempotency_key,
            paid_at=ctx.now,
        )
        _record(ctx, case, payment)
    elif payment.status is PaymentStatus.SCHEDULED:  # the run pays the row payment.schedule wrote
        if payment.month != data.month or payment.amount != data.amount:
            raise CaseRecordError(
                f"幂等键 {data.idempotency_key} 的待发放记录为 {payment.month:%Y-%m} {format_yuan(payment.amount)}，"
                f"与本次发放 {data.month:%Y-%m} {format_yuan(data.amount)} 不一致"
            )
        payment.status, payment.paid_at = PaymentStatus.PAID, ctx.now
        _record(ctx, case, payment)
    assert payment.id is not None
    return PayMonthlyOutput(payment_id=payment.id, payment_status=payment.status, paid_at=payment.paid_at)


@job_type(router, "payment.pay-emergency")
def pay_emergency(ctx: JobContext, data: PayEmergencyInput) -> PayEmergencyOutput | Thrown:
    case = load_case(ctx, data.case_id)
    profile = case_profile(case)
    payment = by_key(ctx, data.idempotency_key, data.case_id)
    if payment is None:
        small = profile.temporary_on(local_date(data.reported_at)).emergency_small_amount
        if data.amount > small:
            return Thrown(
                ABOVE_EMERGENCY_LIMIT.code,
                f"先行救助金额 {format_yuan(data.amount)} 超过小额标准 {format_yuan(small)}，按常规程序审批",
            )
        month = local_date(ctx.now).replace(day=1)
        existing = month_taken(ctx, data.household_id, month, data.case_id)
        if existing is not None:
            return _duplicate(month, existing)
        payment = Payment(
            case_id=data.case_id,
            household_id=data.household_id,
            month=month,
            kind=PaymentKind.EMERGENCY,
            amount=data.amount,
            status=PaymentStatus.PAID,
            idempotency_key=data.idempotency_key,
            paid_at=ctx.now,
        )
        _record(ctx, case, payment)
        set_status(ctx, case, CaseStatus.RELIEVED_FIRST)
        hours = (ctx.now - data.reported_at).total_seconds() / 3600
        code = township_of(ctx.session, case.township_id).code
        ctx.note(hours=round(hours, 2), paidById=data.paid_by_id, cause=data.emergency_cause.value)
        ctx.on_commit(lambda: metrics.cases.emergency_relief_paid(code, hours))
    assert payment.paid_at is not None and payment.id is not None
    due = emergency_relief_due(data.reported_at, profile.sla)
    paperwork = ctx.services.calendar.add_working_days(payment.paid_at, profile.sla.emergency_paperwork_working_days)
    return PayEmergencyOutput(
        payment_id=payment.id,
        paid_at=payment.paid_at,
        within_deadline=payment.paid_at <= due,
        paperwork_due=paperwork.value,
    )
