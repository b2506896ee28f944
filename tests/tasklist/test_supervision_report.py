"""The county's staffing report: required staff per township from its population (the county's
rule, 3 below 50,000 and one more per further 20,000), against the caseworkers registered, and the
township without a training session this year flagged."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from jiuzhu.tasklist.staffing_data import StaffingDataError, load_county_staffing
from jiuzhu.tasklist.supervision_report import staffing_report
from schemas.db import make_engine
from schemas.enums import StaffRole
from schemas.migrate import upgrade
from schemas.tables import Staff, Township, TrainingSession

TOWNSHIPS = [("341822201", "甲镇", 30_000), ("341822202", "乙镇", 50_000), ("341822203", "丙镇", 71_000),
             ("341822204", "丁镇", 90_000)]  # fmt: skip


@pytest.fixture
def session(tmp_path: Path) -> Session:
    url = f"sqlite:///{tmp_path / 'caserecord.db'}"
    upgrade(url)
    db = make_engine(url)
    with Session(db) as s:
        ids = {}
        for code, name, population in TOWNSHIPS:
            township = Township(code=code, name=name, population=population)
            s.add(township)
            s.flush()
            ids[name] = township.id
        for i in range(3):  # 乙镇 has its 3; the others have 1 each
            s.add(Staff(name=f"乙{i}", role=StaffRole.CASEWORKER, township_id=ids["乙镇"], login=f"yi{i}"))
        for name in ("甲镇", "丙镇", "丁镇"):
            s.add(Staff(name=f"{name}经办", role=StaffRole.CASEWORKER, township_id=ids[name], login=f"cw-{name}"))
            s.add(Staff(name=f"{name}分管", role=StaffRole.LEADER, township_id=ids[name], login=f"ld-{name}"))
            held = date(2026, 5, 10) if name != "丙镇" else date(2025, 11, 3)  # 丙镇: last year only
            s.add(TrainingSession(township_id=ids[name], held_on=held, topic="低保审核确认", attendees=["甲", "乙"]))
        s.commit()
        yield s
    db.dispose()


def test_required_staff_and_training_per_township(session: Session, tmp_path: Path) -> None:
    rows = staffing_report(session, load_county_staffing(tmp_path), 2026)
    table = [(r.name, r.population, r.required, r.registered, r.shortfall, r.training_due) for r in rows]
    assert table == [
        ("甲镇", 30_000, 3, 1, 2, False),
        ("乙镇", 50_000, 3, 3, 0, True),  # no training recorded at all
        ("丙镇", 71_000, 4, 1, 3, True),  # trained last year, not this year
        ("丁镇", 90_000, 5, 1, 4, False),
    ]
    assert not any(r.above_typical_range for r in rows)


def test_the_rule_is_the_countys_data(session: Session, tmp_path: Path) -> None:
    figures = {"minimum": 4, "stepPopulation": 10_000, "typicalRange": [4, 6], "trainingsPerYear": 2}
    (tmp_path / "staffing.json").write_text(json.dumps(figures), "utf-8")
    rows = staffing_report(session, load_county_staffing(tmp_path), 2026)
    # Two sessions a year now, and nobody had two.
    assert [(r.required, r.above_typical_range, r.training_due) for r in rows] == [
        (4, False, True), (4, False, True), (6, False, True), (8, True, True),
    ]  # fmt: skip
    (tmp_path / "staffing.json").write_text('{"stepPopulation": 0}', "utf-8")
    with pytest.raises(StaffingDataError, match="每档人口须为正数"):
        load_county_staffing(tmp_path)
