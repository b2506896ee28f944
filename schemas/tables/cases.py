"""Applications and the cases they open: type, path, status, the process instance, deadlines."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Text
from sqlmodel import Field

from schemas.enums import CasePath, CaseStatus, Channel, EmergencyCause, Programme
from schemas.tables.base import CaseRecordModel, enum_field, instant_field, process_key_field


class Case(CaseRecordModel, table=True):
    """One application (申请) and the casework on it, from acceptance to closing."""

    __tablename__ = "cases"
    __table_args__ = (
        # 帮办代办 must say which village assistant applied on the household's behalf.
        CheckConstraint("channel <> 'PROXY' OR proxy_assistant_id IS NOT NULL", name="proxy_assistant"),
        CheckConstraint("warn_at IS NULL OR breach_at IS NULL OR warn_at <= breach_at", name="warn_before_breach"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(max_length=32, unique=True)
    household_id: int = Field(foreign_key="households.id", index=True)
    applicant_id: int = Field(foreign_key="members.id")
    township_id: int = Field(foreign_key="townships.id", index=True)
    type: Programme = enum_field(Programme, index=True)
    path: CasePath = enum_field(CasePath)
    status: CaseStatus = enum_field(CaseStatus, index=True)
    process_instance_key: int | None = process_key_field(unique=True)
    channel: Channel = enum_field(Channel)
    proxy_assistant_id: int | None = Field(default=None, foreign_key="staff.id")
    accepted_by_id: int | None = Field(default=None, foreign_key="staff.id")
    accepted_at: datetime = instant_field()
    check_authorised_at: datetime | None = instant_field(nullable=True)  # 授权核对 signed
    # A close relative of a caseworker or village cadre: registered separately, county visits.
    registered_separately: bool = False
    # Deadlines (sla.compute-deadlines): decision_due counts working days, so it may be provisional.
    decision_due: date | None = None
    warn_at: datetime | None = instant_field(nullable=True, index=True)
    breach_at: datetime | None = instant_field(nullable=True, index=True)
    deadline_provisional: bool = False
    # 急难型: what happened, where (apply where it happened, law Art. 37), relief due within 24 h.
    emergency_cause: EmergencyCause | None = enum_field(EmergencyCause, default=None, nullable=True)
    incident_location: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    relief_due_at: datetime | None = instant_field(nullable=True)
    closed_at: datetime | None = instant_field(nullable=True)
    created_at: datetime = instant_field(now=True)
