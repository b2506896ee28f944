"""不漏: imported registers (建档立卡/脱贫, 低保边缘) and the visits of uncovered households.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "register_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column("uncovered", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_imports")),
    )
    op.create_index(op.f("ix_register_imports_kind"), "register_imports", ["kind"], unique=False)
    op.create_table(
        "register_households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("village", sa.String(length=100), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=True),
        sa.Column("covered", sa.Boolean(), nullable=False),
        sa.Column("visit_status", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["register_imports.id"], name=op.f("fk_register_households_import_id_register_imports")
        ),
        sa.ForeignKeyConstraint(
            ["township_id"], ["townships.id"], name=op.f("fk_register_households_township_id_townships")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_households")),
        sa.UniqueConstraint("import_id", "id_number", name=op.f("uq_register_households_import_id_id_number")),
    )
    op.create_index(op.f("ix_register_households_import_id"), "register_households", ["import_id"], unique=False)
    op.create_index(op.f("ix_register_households_id_number"), "register_households", ["id_number"], unique=False)
    op.create_index(op.f("ix_register_households_township_id"), "register_households", ["township_id"], unique=False)
    op.create_index(op.f("ix_register_households_visit_status"), "register_households", ["visit_status"], unique=False)


def downgrade() -> None:
    op.drop_table("register_households")
    op.drop_table("register_imports")
