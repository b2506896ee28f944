"""Referrals (转介) to medical, education, charity and other assistance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field

from schemas.enums import ReferralStatus, ReferralTarget
from schemas.tables.base import CaseRecordModel, enum_field, instant_field


class Referral(CaseRecordModel, table=True):
    __tablename__ = "referrals"

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="households.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="members.id")
    target: ReferralTarget = enum_field(ReferralTarget)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    status: ReferralStatus = enum_field(ReferralStatus, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = instant_field(now=True)
    closed_at: datetime | None = instant_field(nullable=True)
