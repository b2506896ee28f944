"""Complaints (投诉举报) taken by 12349, at the window or by letter, with their time limit and answer."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field

from schemas.tables.base import CaseRecordModel, enum_field, instant_field


class ComplaintStatus(enum.StrEnum):
    OPEN = "待答复"
    ANSWERED = "已答复"


class Complaint(CaseRecordModel, table=True):
    __tablename__ = "complaints"

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="townships.id", index=True)  # who must answer it
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)  # the case it is about, if any
    channel: str = Field(max_length=20)  # 12349热线 / 来访 / 来信
    complainant: str = Field(max_length=50)  # a name, or 匿名
    phone: str | None = Field(default=None, max_length=30)  # shown masked
    content: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime = instant_field()
    due_on: date = Field(index=True)  # jiuzhu.policy.complaints.complaint_deadline
    status: ComplaintStatus = enum_field(ComplaintStatus, index=True)
    registered_by: str = Field(max_length=64)  # login
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    answered_at: datetime | None = instant_field(nullable=True)
    answered_by: str | None = Field(default=None, max_length=64)
