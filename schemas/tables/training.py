"""Township training sessions (加强培训宣传): the yearly requirement is checked against these."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from schemas.tables.base import CaseRecordModel, instant_field


class TrainingSession(CaseRecordModel, table=True):
    __tablename__ = "training_sessions"

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="townships.id", index=True)
    held_on: date = Field(index=True)
    topic: str = Field(max_length=200)
    attendees: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # names
    recorded_by: str | None = Field(default=None, max_length=64)  # the login that entered it
    created_at: datetime = instant_field(now=True)
