"""Payments: monthly from the month after approval, or 急难型 relief paid first within 24 hours."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, Field

from schemas.contracts.base import JobInput, JobOutput, Month, PositiveMoney
from schemas.contracts.errors import ABOVE_EMERGENCY_LIMIT, DUPLICATE_PAYMENT, INPUT_REJECTED
from schemas.contracts.jobs._contract import JobContract
from schemas.enums import EmergencyCause, PaymentStatus


class SchedulePaymentInput(JobInput):
    case_id: int
    household_id: int
    decision_id: int
    monthly_amount: PositiveMoney
    effective_month: Month


class SchedulePaymentOutput(JobOutput):
    payment_id: int
    first_month: Month
    idempotency_key: str


class PayMonthlyInput(JobInput):
    case_id: int
    household_id: int
    decision_id: int
    month: Month
    amount: PositiveMoney
    idempotency_key: str = Field(min_length=1, max_length=100)  # same key on retry → same row


class PayMonthlyOutput(JobOutput):
    payment_id: int
    payment_status: PaymentStatus
    paid_at: datetime | None


class PayEmergencyInput(JobInput):
    case_id: int
    household_id: int
    amount: PositiveMoney
    emergency_cause: EmergencyCause
    reported_at: AwareDatetime
    paid_by_id: int
    idempotency_key: str = Field(min_length=1, max_length=100)


class PayEmergencyOutput(JobOutput):
    payment_id: int
    paid_at: datetime
    within_deadline: bool  # paid within 24 hours of the report
    paperwork_due: date  # 事后补充: the normal review follows


CONTRACTS = (
    JobContract(
        "payment.schedule",
        SchedulePaymentInput,
        SchedulePaymentOutput,
        "批准后安排按月发放（自批准次月起）",
        "Schedule monthly payment from the month after approval",
        (DUPLICATE_PAYMENT,),
    ),
    JobContract(
        "payment.pay-monthly",
        PayMonthlyInput,
        PayMonthlyOutput,
        "按月发放一期救助金（每户每月每案仅一笔）",
        "Pay one month (one row per household, month and case)",
        (DUPLICATE_PAYMENT,),
    ),
    JobContract(
        "payment.pay-emergency",
        PayEmergencyInput,
        PayEmergencyOutput,
        "急难型临时救助24小时内先行救助",
        "Emergency (急难型) relief paid first within 24 hours",
        (ABOVE_EMERGENCY_LIMIT, DUPLICATE_PAYMENT, INPUT_REJECTED),
        entered={"amount": "先行救助金额", "paid_by_id": "审批人"},
        rejection=INPUT_REJECTED,
    ),
)
