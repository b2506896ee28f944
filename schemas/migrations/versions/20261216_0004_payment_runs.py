"""Payment runs: scheme and run month on each ledger row, once per household/scheme/month across
cases, the bank's return (failure reason), 渐退 end month on decisions, the runs table.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-15 10:00:00
"""

import re
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROGRAMMES = ("DIBAO", "NEAR_POOR", "TEKUN", "TEMPORARY_EMERGENCY", "TEMPORARY_EXPENDITURE")
REGULAR_KINDS = "kind IN ('MONTHLY', 'ARREARS')"
TAPER = re.compile(r"渐退至(\d{4})年(\d{2})月")


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("scheme", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("run_month", sa.Date(), nullable=True))
        batch.add_column(sa.Column("failure_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE payments SET run_month = month")
    op.execute("UPDATE payments SET scheme = (SELECT cases.type FROM cases WHERE cases.id = payments.case_id)")
    with op.batch_alter_table("payments") as batch:
        batch.alter_column(
            "scheme",
            existing_type=sa.String(length=32),
            type_=sa.Enum(*PROGRAMMES, name="programme", native_enum=False, length=32),
            nullable=False,
        )
        batch.alter_column("run_month", existing_type=sa.Date(), nullable=False)
        batch.drop_constraint("uq_payments_household_id_month_case_id", type_="unique")
        batch.create_unique_constraint(
            op.f("uq_payments_case_id_month_kind_run_month"), ["case_id", "month", "kind", "run_month"]
        )
    op.create_index(
        "uq_payments_household_scheme_month",
        "payments",
        ["household_id", "scheme", "month", "kind", "run_month"],
        unique=True,
        sqlite_where=sa.text(REGULAR_KINDS),
        postgresql_where=sa.text(REGULAR_KINDS),
    )
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("taper_until", sa.Date(), nullable=True))
    # 渐退 decisions recorded before this column name their last month in the reasons.
    bind = op.get_bind()
    decisions = sa.table("decisions", sa.column("id"), sa.column("reasons"), sa.column("taper_until", sa.Date()))
    for row in bind.execute(sa.select(decisions.c.id, decisions.c.reasons)).all():
        found = TAPER.search(row.reasons or "")
        if found:
            until = date(int(found.group(1)), int(found.group(2)), 1)
            bind.execute(decisions.update().where(decisions.c.id == row.id).values(taper_until=until))
    op.create_table(
        "payment_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("first_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("times_run", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("process_instance_key", sa.BigInteger(), nullable=True),
        sa.Column("confirmed_by", sa.String(length=64), nullable=True),
        sa.Column("released_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_runs")),
        sa.UniqueConstraint("month", name=op.f("uq_payment_runs_month")),
    )
    op.create_index(op.f("ix_payment_runs_process_instance_key"), "payment_runs", ["process_instance_key"])


def downgrade() -> None:
    op.drop_table("payment_runs")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("taper_until")
    op.drop_index("uq_payments_household_scheme_month", table_name="payments")
    # Rows a later run wrote for an earlier month (补发) do not fit the old one-per-month constraint.
    op.execute("DELETE FROM payments WHERE kind = 'ARREARS'")
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint("uq_payments_case_id_month_kind_run_month", type_="unique")
        batch.create_unique_constraint(
            op.f("uq_payments_household_id_month_case_id"), ["household_id", "month", "case_id"]
        )
        batch.drop_column("returned_at")
        batch.drop_column("failure_reason")
        batch.drop_column("run_month")
        batch.drop_column("scheme")
