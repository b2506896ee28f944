"""Home visits (入户调查): at least two visitors, a record signed by visitors and family present."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Text
from sqlmodel import Field

from schemas.enums import SignatoryRole
from schemas.tables.base import CaseRecordModel, enum_field, instant_field


class HomeVisit(CaseRecordModel, table=True):
    __tablename__ = "home_visits"
    __table_args__ = (
        # Art. 16: a visit counts only with two different visitors and a result.
        CheckConstraint(
            "visited_at IS NULL OR (lead_visitor_id IS NOT NULL AND second_visitor_id IS NOT NULL"
            " AND lead_visitor_id <> second_visitor_id AND passed IS NOT NULL)",
            name="two_visitors",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    scheduled_at: datetime = instant_field()
    due_at: datetime = instant_field()
    visited_at: datetime | None = instant_field(nullable=True)
    lead_visitor_id: int | None = Field(default=None, foreign_key="staff.id")
    second_visitor_id: int | None = Field(default=None, foreign_key="staff.id")
    county_led: bool = False  # separately registered cases: the county visits (Art. 20)
    findings: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    passed: bool | None = None


class VisitSignature(CaseRecordModel, table=True):
    """One signature on the visit record: a visitor (staff) or a family member present."""

    __tablename__ = "visit_signatures"
    __table_args__ = (CheckConstraint("role <> 'VISITOR' OR staff_id IS NOT NULL", name="visitor_is_staff"),)

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="home_visits.id", index=True)
    role: SignatoryRole = enum_field(SignatoryRole)
    name: str = Field(max_length=50)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    member_id: int | None = Field(default=None, foreign_key="members.id")
    signed_at: datetime = instant_field()
