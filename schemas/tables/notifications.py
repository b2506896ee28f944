"""The notification outbox: one row per message, recipient and channel (in-app, email, SMS, WeCom).

Rows are written in the same transaction as what they report (the SLA escalation, the 不重 flag),
so a message exists exactly when its cause does; ``key`` is unique, so a job delivered twice or a
sweep run again adds nothing. A dispatcher sends pending rows and retries failures with back-off;
in-app rows are delivered when written and are the 消息 centre's messages (``read_at``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field

from schemas.tables.base import CaseRecordModel, instant_field


class Notification(CaseRecordModel, table=True):
    __tablename__ = "notifications"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)  # event, case, occasion, channel, recipient
    event: str = Field(max_length=40, index=True)  # e.g. "sla.warning" (jiuzhu/notify/routes.json)
    case_id: int | None = Field(default=None, index=True)  # no foreign key: a message outlives rows
    channel: str = Field(max_length=16)  # inapp | email | sms | wecom
    recipient_login: str | None = Field(default=None, max_length=64, index=True)  # staff, when one
    address: str | None = Field(default=None, max_length=200)  # email address, phone, WeCom user id
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    link: str | None = Field(default=None, max_length=300)  # the case in the task list
    created_at: datetime = instant_field()  # on the business clock (the engine's)
    status: str = Field(default="pending", max_length=16, index=True)  # pending | sent | failed
    attempts: int = 0
    next_attempt_at: datetime | None = instant_field(nullable=True)  # back-off, on the wall clock
    lease_until: datetime | None = instant_field(nullable=True)  # a dispatcher is sending it
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sent_at: datetime | None = instant_field(nullable=True)
    read_at: datetime | None = instant_field(nullable=True)  # in-app: opened in the 消息 centre
