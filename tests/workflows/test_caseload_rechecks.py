"""Imported households enter dynamic management (jiuzhu/caseload/rechecks.py): one dynamic-management
instance each, counting the cadence from the old system's last re-check, overdue ones re-checked at
once, and a second round starting nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from jiuzhu.caseload import import_caseload
from jiuzhu.caseload.rechecks import start_rechecks
from jiuzhu.policy.ids import compute_check_char
from jiuzhu.policy.recheck import next_recheck_due
from schemas.contracts.jobs.dynamic import ScheduleRecheckInput
from schemas.db import make_engine
from schemas.enums import VillageKind
from schemas.migrate import upgrade
from schemas.tables import AuditEntry, Case, CaseloadEntry, Township, Village
from tests.workflows.conftest import START
from tests.workflows.conftest import Case as Flow
from workers.dynamic import cadence

pytestmark = pytest.mark.workflows

HEADER = [
    "户主姓名",
    "身份证号",
    "乡镇",
    "村",
    "救助类型",
    "保障人数",
    "月救助金额",
    "认定日期",
    "最近复核日期",
    "收入稳定",
]


def pid(born: str) -> str:
    first = f"341822{born}101"
    return first + compute_check_char(first)


def test_imported_households_start_dynamic_management_once(case: Flow, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'caserecord.db'}"
    upgrade(url)
    db = make_engine(url)
    with Session(db) as session, session.begin():
        town = Township(code="341822100", name="桃州镇")
        session.add(town)
        session.flush()
        assert town.id is not None
        session.add(Village(township_id=town.id, kind=VillageKind.ADMINISTRATIVE, name="东亭村"))
    rows: list[list[object]] = [
        HEADER,
        ["甲", pid("19500101"), "桃州镇", "东亭村", "低保", "2", "1200", "2025-04-10", "", "是"],  # due 2026-04-10
        ["乙", pid("19510101"), "桃州镇", "东亭村", "特困", "1", "1500", "2024-01-05", "2025-02-20", "是"],  # overdue
        ["丙", pid("19520101"), "桃州镇", "东亭村", "低保", "3", "900", "2025-08-01", "", "否"],  # due 2026-02-01
    ]
    result = import_caseload(db, rows, file_name="在保户.csv", sha256="0" * 64, now=START)
    assert len(result.imported) == 3 and result.overdue == 2

    started = start_rechecks(lambda process, variables: case.start(process, variables), db, START)
    assert len(started) == 3
    assert start_rechecks(lambda process, variables: case.start(process, variables), db, START) == []

    given = [ScheduleRecheckInput.model_validate(case.complete("dynamic.schedule-recheck")) for _ in range(3)]
    assert sorted(g.from_date.isoformat() for g in given) == ["2025-02-20", "2025-04-10", "2025-08-01"]
    # The worker's rule on the process's variables gives the due date the import recorded.
    dues = {g.case_id: next_recheck_due(g.from_date, cadence(g)) for g in given}
    with Session(db) as session:
        entries = session.exec(select(CaseloadEntry)).all()
        assert {e.case_id: e.next_recheck_due for e in entries} == dues
        assert sorted(e.process_instance_key for e in entries) == sorted(started)
        for entry in entries:
            found = session.get(Case, entry.case_id)
            assert found is not None and found.process_instance_key == entry.process_instance_key
        audits = session.exec(select(AuditEntry).where(AuditEntry.action == "caseload.start-recheck")).all()
        assert len(audits) == 3
    case.advance(timedelta(minutes=1))
    # 乙 (2026-02-20) and 丙 (2026-02-01) are overdue: re-checked at once; 甲 is due in April.
    assert case.waiting() == ["verification.check-economic-status"] * 2
    case.advance(timedelta(days=40))
    assert case.waiting() == ["verification.check-economic-status"] * 3
