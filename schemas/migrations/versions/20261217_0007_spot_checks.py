"""County spot checks: monthly draws (seed, rate) and on-site checks with findings.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spot_check_draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("seed", sa.String(length=100), nullable=False),
        sa.Column("rate", sa.Numeric(5, 4), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("selected", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drawn_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_draws")),
        sa.UniqueConstraint("month", name=op.f("uq_spot_check_draws_month")),
    )
    op.create_table(
        "spot_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("finding", sa.String(length=10), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("corrective_action", sa.Text(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_spot_checks_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["spot_check_draws.id"], name=op.f("fk_spot_checks_draw_id_spot_check_draws")
        ),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"], name=op.f("fk_spot_checks_township_id_townships")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_checks")),
    )
    op.create_index(op.f("ix_spot_checks_draw_id"), "spot_checks", ["draw_id"], unique=False)
    op.create_index(op.f("ix_spot_checks_case_id"), "spot_checks", ["case_id"], unique=False)
    op.create_index(op.f("ix_spot_checks_township_id"), "spot_checks", ["township_id"], unique=False)


def downgrade() -> None:
    op.drop_table("spot_checks")
    op.drop_table("spot_check_draws")
