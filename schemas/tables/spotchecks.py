"""County spot checks: the monthly draw (seed and rate recorded) and each on-site check with its finding."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Numeric, Text
from sqlmodel import Field

from schemas.tables.base import CaseRecordModel, instant_field


class SpotCheckDraw(CaseRecordModel, table=True):
    __tablename__ = "spot_check_draws"

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(unique=True)  # first day of the month whose decisions were drawn from
    seed: str = Field(max_length=100)
    rate: Decimal = Field(sa_column=Column(Numeric(5, 4), nullable=False))
    candidates: int
    selected: int
    drawn_at: datetime = instant_field()
    drawn_by: str = Field(max_length=64)


class SpotCheck(CaseRecordModel, table=True):
    """One drawn case: 待核查 until the on-site finding (相符 / 不相符 with the corrective action)."""

    __tablename__ = "spot_checks"

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="spot_check_draws.id", index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    township_id: int = Field(foreign_key="townships.id", index=True)
    finding: str | None = Field(default=None, max_length=10)
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    corrective_action: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    checked_at: datetime | None = instant_field(nullable=True)
    checked_by: str | None = Field(default=None, max_length=64)
