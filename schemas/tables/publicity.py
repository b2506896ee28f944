"""Result publicity (公示) in the natural village, its masked rows, and objections to it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field

from schemas.enums import ObjectionStatus
from schemas.tables.base import CaseRecordModel, enum_field, instant_field, money_field


class PublicityNotice(CaseRecordModel, table=True):
    """One posting; the period counts calendar days, both ends included."""

    __tablename__ = "publicity_notices"
    __table_args__ = (CheckConstraint("period_end >= period_start", name="period_order"),)

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="townships.id", index=True)
    village_id: int = Field(foreign_key="villages.id", index=True)
    issuer: str = Field(max_length=100)
    period_start: date
    period_end: date
    published_at: datetime = instant_field()
    complaint_phone: str = Field(max_length=40)  # 12349 and a local number


class PublicityRow(CaseRecordModel, table=True):
    """What the public sees, already masked; there is no column an ID number could go into.

    ``case_id`` links the row back for the caseworkers and is never rendered.
    """

    __tablename__ = "publicity_rows"
    __table_args__ = (
        UniqueConstraint("notice_id", "case_id"),
        CheckConstraint("household_size >= 1", name="household_size"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="publicity_notices.id", index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    village_label: str = Field(max_length=100)  # village + group, no house number
    masked_name: str = Field(max_length=50)
    household_size: int
    category: str = Field(max_length=20)
    monthly_amount: Decimal = money_field()


class Objection(CaseRecordModel, table=True):
    """An objection to a publicity, correlated into the process by a message."""

    __tablename__ = "objections"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="publicity_notices.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    message_id: str | None = Field(default=None, max_length=64, unique=True)  # Zeebe messageId: dedupe
    channel: str = Field(max_length=40)  # 12349, local phone, letter, in person
    content: str = Field(sa_column=Column(Text, nullable=False))
    status: ObjectionStatus = enum_field(ObjectionStatus, index=True)
    received_at: datetime = instant_field()
    resolution: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    resolved_at: datetime | None = instant_field(nullable=True)
