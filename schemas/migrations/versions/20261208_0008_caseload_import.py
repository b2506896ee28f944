"""The existing caseload brought in: import runs and the households each brought in, with the first
re-check due and the dynamic-management instance started for it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROGRAMMES = ("DIBAO", "NEAR_POOR", "TEKUN", "TEMPORARY_EMERGENCY", "TEMPORARY_EXPENDITURE")


def upgrade() -> None:
    op.create_table(
        "caseload_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caseload_imports")),
    )
    op.create_index(op.f("ix_caseload_imports_sha256"), "caseload_imports", ["sha256"], unique=False)
    op.create_table(
        "caseload_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.Enum(*PROGRAMMES, name="programme", native_enum=False, length=32), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("last_recheck", sa.Date(), nullable=True),
        sa.Column("income_stable", sa.Boolean(), nullable=False),
        sa.Column("member_able_to_work", sa.Boolean(), nullable=False),
        sa.Column("cadence_months", sa.Integer(), nullable=False),
        sa.Column("next_recheck_due", sa.Date(), nullable=False),
        sa.Column("process_instance_key", sa.BigInteger(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_caseload_entries_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_caseload_entries_decision_id_decisions")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_caseload_entries_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["caseload_imports.id"], name=op.f("fk_caseload_entries_import_id_caseload_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caseload_entries")),
        sa.UniqueConstraint("case_id", name=op.f("uq_caseload_entries_case_id")),
        sa.UniqueConstraint("id_number", name=op.f("uq_caseload_entries_id_number")),
        sa.UniqueConstraint("process_instance_key", name=op.f("uq_caseload_entries_process_instance_key")),
    )
    op.create_index(op.f("ix_caseload_entries_import_id"), "caseload_entries", ["import_id"], unique=False)
    op.create_index(op.f("ix_caseload_entries_household_id"), "caseload_entries", ["household_id"], unique=False)
    op.create_index(
        op.f("ix_caseload_entries_next_recheck_due"), "caseload_entries", ["next_recheck_due"], unique=False
    )


def downgrade() -> None:
    op.drop_table("caseload_entries")
    op.drop_table("caseload_imports")
