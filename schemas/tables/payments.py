"""The payment ledger: one row per household, month and case — a second one cannot be written."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field

from schemas.enums import PaymentKind, PaymentStatus
from schemas.tables.base import CaseRecordModel, enum_field, instant_field, money_field


class Payment(CaseRecordModel, table=True):
    __tablename__ = "payments"
    __table_args__ = (
        # Double payment is impossible at the database level, whatever a worker retries.
        UniqueConstraint("household_id", "month", "case_id"),
        CheckConstraint("amount > 0", name="positive_amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    household_id: int = Field(foreign_key="households.id", index=True)
    decision_id: int | None = Field(default=None, foreign_key="decisions.id")  # None: 先行救助
    month: date  # first day of the month paid for
    kind: PaymentKind = enum_field(PaymentKind)
    amount: Decimal = money_field()
    status: PaymentStatus = enum_field(PaymentStatus, index=True)
    # A retried job sends the same key; the worker finds the row instead of failing.
    idempotency_key: str = Field(max_length=100, unique=True)
    paid_at: datetime | None = instant_field(nullable=True)
    created_at: datetime = instant_field(now=True)
