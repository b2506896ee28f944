"""Where households live and who serves them: townships and their villages."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from schemas.enums import VillageKind
from schemas.tables.base import CaseRecordModel, enum_field, instant_field


class Township(CaseRecordModel, table=True):
    """乡镇/街道/开发区: since the reform, the body that approves 低保 and 特困."""

    __tablename__ = "townships"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True)  # statistical division code
    name: str = Field(max_length=50)
    population: int | None = Field(default=None, ge=0)  # sets the staffing rule
    created_at: datetime = instant_field(now=True)


class Village(CaseRecordModel, table=True):
    """行政村/社区 with their 自然村 and 村民小组 below them (``parent_id``)."""

    __tablename__ = "villages"

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="townships.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="villages.id", index=True)
    kind: VillageKind = enum_field(VillageKind)
    name: str = Field(max_length=50)
