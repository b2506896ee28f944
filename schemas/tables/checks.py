"""Family economic-status check (家庭经济状况核对) reports with one finding per data source."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field

from schemas.enums import CheckOutcome, CheckSource
from schemas.tables.base import CaseRecordModel, enum_field, instant_field, money_field


class EconomicCheck(CaseRecordModel, table=True):
    __tablename__ = "economic_checks"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    requested_at: datetime = instant_field()
    completed_at: datetime | None = instant_field(nullable=True)
    outcome: CheckOutcome | None = enum_field(CheckOutcome, default=None, nullable=True)
    platform_reference: str | None = Field(default=None, max_length=64)  # provincial platform's id
    per_capita_income: Decimal | None = money_field(nullable=True)
    summary: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    recheck_of_id: int | None = Field(default=None, foreign_key="economic_checks.id")  # dispute (Art. 18)


class EconomicCheckItem(CaseRecordModel, table=True):
    """What one source said; the written notice quotes ``finding``."""

    __tablename__ = "economic_check_items"
    __table_args__ = (UniqueConstraint("check_id", "source"),)

    id: int | None = Field(default=None, primary_key=True)
    check_id: int = Field(foreign_key="economic_checks.id", index=True)
    source: CheckSource = enum_field(CheckSource)
    outcome: CheckOutcome = enum_field(CheckOutcome)
    finding: str = Field(sa_column=Column(Text, nullable=False))
    amount: Decimal | None = money_field(nullable=True)  # e.g. deposits found, monthly wages
