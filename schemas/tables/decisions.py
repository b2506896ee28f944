"""Approval decisions and the per-member category add-ons (分类施保) in the amount."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field

from schemas.enums import DecisionOutcome, MemberCategory, SelfCareLevel
from schemas.tables.base import CaseRecordModel, enum_field, instant_field, money_field


class Decision(CaseRecordModel, table=True):
    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint(
            "outcome <> 'APPROVED' OR (amount IS NOT NULL AND amount > 0 AND effective_month IS NOT NULL)",
            name="approved_has_amount",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    outcome: DecisionOutcome = enum_field(DecisionOutcome)
    amount: Decimal | None = money_field(nullable=True)  # monthly for 低保/特困, one-off for 临时救助
    # Paid from the month after the decision (Art. 21, 25): the first day of that month.
    effective_month: date | None = None
    # 渐退: the amount goes on up to and including this month, then stops (动态管理).
    taper_until: date | None = None
    self_care_level: SelfCareLevel | None = enum_field(SelfCareLevel, default=None, nullable=True)
    reasons: str = Field(sa_column=Column(Text, nullable=False))
    approver_id: int = Field(foreign_key="staff.id")
    decided_at: datetime = instant_field()


class DecisionAddon(CaseRecordModel, table=True):
    __tablename__ = "decision_addons"
    __table_args__ = (UniqueConstraint("decision_id", "member_id", "category"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decisions.id", index=True)
    member_id: int = Field(foreign_key="members.id")
    category: MemberCategory = enum_field(MemberCategory)
    amount: Decimal = money_field()
