"""The county's system administrator (系统管理员): a role without a township, like the county supervisor.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-15 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("VILLAGE_ASSISTANT", "CASEWORKER", "LEADER", "COUNTY_SUPERVISOR")


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.alter_column(
            "role",
            type_=sa.Enum(*ROLES, "SYSTEM_ADMIN", name="staffrole", native_enum=False, length=32),
            existing_nullable=False,
        )
        batch.drop_constraint(op.f("ck_staff_township_scope"), type_="check")
        batch.create_check_constraint(
            "township_scope", "role IN ('COUNTY_SUPERVISOR', 'SYSTEM_ADMIN') OR township_id IS NOT NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_constraint(op.f("ck_staff_township_scope"), type_="check")
        batch.create_check_constraint("township_scope", "role = 'COUNTY_SUPERVISOR' OR township_id IS NOT NULL")
        batch.alter_column(
            "role", type_=sa.Enum(*ROLES, name="staffrole", native_enum=False, length=32), existing_nullable=False
        )
