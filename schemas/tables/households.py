"""Households and their members: the unit of application (低保 is applied for per household)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Text
from sqlmodel import Field

from schemas.enums import Area, DisabilityKind, Relationship, WorkCapacity
from schemas.tables.base import CaseRecordModel, enum_field, instant_field


class Household(CaseRecordModel, table=True):
    __tablename__ = "households"

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="townships.id", index=True)
    village_id: int = Field(foreign_key="villages.id", index=True)  # natural village or group
    address: str = Field(sa_column=Column(Text, nullable=False))  # full address: internal only
    area: Area = enum_field(Area)
    registered_poor: bool = False  # 建档立卡/脱贫: watched for uncovered hardship
    bank_account: str | None = Field(default=None, max_length=40)  # internal only, never published
    created_at: datetime = instant_field(now=True)


class Member(CaseRecordModel, table=True):
    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint("disability_grade IS NULL OR disability_grade BETWEEN 1 AND 4", name="disability_grade"),
        CheckConstraint("(disability_kind IS NULL) = (disability_grade IS NULL)", name="disability_pair"),
    )

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="households.id", index=True)
    name: str = Field(max_length=50)
    # One person, one household: the unique ID number is how 不重 (no duplicates) is kept.
    id_number: str = Field(max_length=18, unique=True)
    relationship: Relationship = enum_field(Relationship)
    disability_kind: DisabilityKind | None = enum_field(DisabilityKind, default=None, nullable=True)
    disability_grade: int | None = None  # 1 (most severe) … 4
    seriously_ill: bool = False
    work_capacity: WorkCapacity = enum_field(WorkCapacity)
    phone: str | None = Field(default=None, max_length=20)
