"""The existing caseload brought in (存量导入): each import run, and each household it brought in with
its first re-check due (``jiuzhu caseload import``; the rules in ``jiuzhu/policy/caseload.py``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field

from schemas.enums import Programme
from schemas.tables.base import CaseRecordModel, enum_field, instant_field, process_key_field


class CaseloadImport(CaseRecordModel, table=True):
    """One run of ``jiuzhu caseload import`` that wrote something (a dry run writes nothing)."""

    __tablename__ = "caseload_imports"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str = Field(max_length=200)
    sha256: str = Field(max_length=64, index=True)
    imported_at: datetime = instant_field()
    imported_by: str = Field(max_length=64)
    rows: int  # data rows read
    imported: int = 0
    present: int = 0  # already brought in by an earlier run: skipped
    rejected: int = 0


class CaseloadEntry(CaseRecordModel, table=True):
    """A household brought in: its case (已批准, a decision in force) and its first re-check.

    ``id_number`` is the head's and unique: a second run of the same file skips the household.
    ``next_recheck_due`` is the first re-check after the import (later ones are the engine's timers);
    ``process_instance_key`` is the ``dynamic-management`` instance started for it; ``started_at`` says
    when it was started (or found not to be needed: the case had a process or had stopped), so each
    household is looked at once.
    """

    __tablename__ = "caseload_entries"

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="caseload_imports.id", index=True)
    row: int  # the spreadsheet row it came from
    id_number: str = Field(max_length=18, unique=True)
    case_id: int = Field(foreign_key="cases.id", unique=True)
    household_id: int = Field(foreign_key="households.id", index=True)
    decision_id: int = Field(foreign_key="decisions.id")
    scheme: Programme = enum_field(Programme)
    household_size: int
    approved_on: date  # 认定日期 in the old system
    last_recheck: date | None = None
    income_stable: bool = True
    member_able_to_work: bool = False
    cadence_months: int
    next_recheck_due: date = Field(index=True)
    process_instance_key: int | None = process_key_field(unique=True)
    started_at: datetime | None = instant_field(nullable=True)
