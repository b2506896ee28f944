"""The payment ledger and the monthly runs that write it.

A row is the money for one month (``month``) of one case, written by one run (``run_month``: the
month whose run wrote it; for a 补发 row a later month than ``month``). Two database constraints
keep double payment out whatever a worker or an operator retries:

- one row per case, month, kind and run;
- for the regular schemes (按月发放 and 补发 rows), one per **household**, scheme, month, kind and
  run across all cases: a second case of the same household and scheme cannot be paid that month.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint, event, select, text
from sqlmodel import Field

from schemas.enums import PaymentKind, PaymentStatus, Programme
from schemas.tables.base import CaseRecordModel, enum_field, instant_field, money_field, process_key_field

REGULAR_KINDS = "kind IN ('MONTHLY', 'ARREARS')"


class Payment(CaseRecordModel, table=True):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("case_id", "month", "kind", "run_month"),
        Index(
            "uq_payments_household_scheme_month",
            "household_id",
            "scheme",
            "month",
            "kind",
            "run_month",
            unique=True,
            sqlite_where=text(REGULAR_KINDS),
            postgresql_where=text(REGULAR_KINDS),
        ),
        CheckConstraint("amount > 0", name="positive_amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    household_id: int = Field(foreign_key="households.id", index=True)
    decision_id: int | None = Field(default=None, foreign_key="decisions.id")  # None: 先行救助
    # The case's scheme (救助类别); filled from the case when a writer leaves it out.
    scheme: Programme = enum_field(Programme, default=None)
    month: date  # first day of the month the money is for
    # First day of the month whose run wrote the row; the month itself when a writer leaves it out.
    run_month: date = Field(default=None)
    kind: PaymentKind = enum_field(PaymentKind)
    amount: Decimal = money_field()
    status: PaymentStatus = enum_field(PaymentStatus, index=True)
    # A retried job sends the same key; the worker finds the row instead of failing.
    idempotency_key: str = Field(max_length=100, unique=True)
    paid_at: datetime | None = instant_field(nullable=True)
    # 发放失败: the bank's reason, as its return file gives it
    failure_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    returned_at: datetime | None = instant_field(nullable=True)  # when the bank's return file was taken
    created_at: datetime = instant_field(now=True)


@event.listens_for(Payment, "before_insert")
def _fill_scheme_and_run(_mapper: Any, connection: Any, target: Payment) -> None:
    """Older writers name neither the scheme nor the run: the case's type and the month itself."""
    if target.run_month is None:
        target.run_month = target.month
    if target.scheme is None:
        from schemas.tables.cases import Case

        kind = connection.execute(select(Case.__table__.c.type).where(Case.__table__.c.id == target.case_id)).scalar()
        target.scheme = kind


class PaymentRun(CaseRecordModel, table=True):
    """One month's payment run (发放批次): what it wrote the last time it ran, and its sign-offs."""

    __tablename__ = "payment_runs"

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(unique=True)  # first day of the run month
    first_run_at: datetime = instant_field()
    last_run_at: datetime = instant_field()
    times_run: int = 1
    created: int = 0  # rows written by the last run
    skipped: int = 0
    refused: int = 0
    process_instance_key: int | None = process_key_field()  # the payment-run process, when one runs it
    confirmed_by: str | None = Field(default=None, max_length=64)  # 乡镇确认
    released_by: str | None = Field(default=None, max_length=64)  # 县级放款
