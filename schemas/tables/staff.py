"""Staff who act on cases; the role and township scope decide what they may do."""

from __future__ import annotations

from sqlalchemy import CheckConstraint
from sqlmodel import Field

from schemas.enums import StaffRole
from schemas.tables.base import CaseRecordModel, enum_field


class Staff(CaseRecordModel, table=True):
    __tablename__ = "staff"
    # Everyone but the county supervisor and the county's system administrator works for one township.
    __table_args__ = (
        CheckConstraint(
            "role IN ('COUNTY_SUPERVISOR', 'SYSTEM_ADMIN') OR township_id IS NOT NULL", name="township_scope"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50)
    role: StaffRole = enum_field(StaffRole, index=True)
    township_id: int | None = Field(default=None, foreign_key="townships.id", index=True)
    village_id: int | None = Field(default=None, foreign_key="villages.id")  # 协理员: their village
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=200)  # notifications by mail
    login: str | None = Field(default=None, max_length=64, unique=True)  # task-list user / assignee
    active: bool = True
