"""不漏: registers imported (建档立卡/脱贫, 低保边缘), each household on them, and the visit of the uncovered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field

from schemas.tables.base import CaseRecordModel, instant_field


class RegisterImport(CaseRecordModel, table=True):
    __tablename__ = "register_imports"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)  # 建档立卡/脱贫 or 低保边缘
    file_name: str = Field(max_length=200)
    imported_at: datetime = instant_field()
    imported_by: str = Field(max_length=64)
    rows: int  # entries read
    problems: int  # rows that could not be used
    uncovered: int  # visits opened


class RegisterHousehold(CaseRecordModel, table=True):
    """One person of a register. ``visit_status`` is None when a case covered them at import; else the
    township's visit: 待走访, then 纳入 / 不符合 / 转介 with the reason."""

    __tablename__ = "register_households"
    __table_args__ = (UniqueConstraint("import_id", "id_number"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="register_imports.id", index=True)
    kind: str = Field(max_length=20)
    id_number: str = Field(max_length=18, index=True)
    name: str = Field(max_length=50)
    township_id: int = Field(foreign_key="townships.id", index=True)
    village: str = Field(default="", max_length=100)
    household_size: int | None = None
    covered: bool
    visit_status: str | None = Field(default=None, max_length=10, index=True)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    outcome_at: datetime | None = instant_field(nullable=True)
    outcome_by: str | None = Field(default=None, max_length=64)
