"""Written notices (书面告知书 and decision notices) with their delivery receipt."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Text
from sqlmodel import Field

from schemas.enums import NoticeKind, Programme
from schemas.tables.base import CaseRecordModel, enum_field, instant_field


class WrittenNotice(CaseRecordModel, table=True):
    __tablename__ = "written_notices"
    __table_args__ = (
        CheckConstraint("delivered_at IS NULL OR receipt_reference IS NOT NULL", name="delivery_receipt"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=40, unique=True)  # e.g. 城关镇救告〔2026〕12号
    kind: NoticeKind = enum_field(NoticeKind)
    case_id: int = Field(foreign_key="cases.id", index=True)
    issuing_body: str = Field(max_length=100)
    applicant_name: str = Field(max_length=50)
    application_date: date
    application_type: Programme = enum_field(Programme)
    decision: str = Field(sa_column=Column(Text, nullable=False))
    facts: str = Field(sa_column=Column(Text, nullable=False))  # quotes the check findings
    legal_basis: str = Field(sa_column=Column(Text, nullable=False))
    redress: str = Field(sa_column=Column(Text, nullable=False))  # 60 days reconsideration / 6 months suit
    issued_at: datetime = instant_field()
    delivered_at: datetime | None = instant_field(nullable=True)
    receipt_reference: str | None = Field(default=None, max_length=64)  # 送达回证
