"""A migrated SQLite case record with two townships of villages and communities, and generated
households for the caseload import (one row per household, the documented columns)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text
from sqlmodel import Session

from jiuzhu.policy.ids import compute_check_char
from schemas.db import make_engine
from schemas.enums import VillageKind
from schemas.migrate import upgrade
from schemas.tables import Township, Village

TODAY = date(2026, 12, 7)
HEADER = [
    "序号",
    "户主姓名",
    "身份证号",
    "乡镇",
    "村",
    "救助类型",
    "保障人数",
    "月救助金额",
    "认定日期",
    "收入稳定",
    "有劳动能力成员",
    "银行账号",
]
PLACES = {"桃州镇": ["东亭村", "太极社区", "桐川村"], "新杭镇": ["流洞村", "独山村", "新杭社区"]}


@dataclass
class Record:
    data_dir: Path
    engine: Engine

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def record(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Record]:
    """The case record on SQLite (``<data-dir>/caserecord.db``) or on a fresh PostgreSQL database
    (``JIUZHU_DATABASE_URL``, as an operator names it)."""
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    if request.param == "sqlite":
        url = f"sqlite:///{data_dir / 'caserecord.db'}"
        monkeypatch.delenv("JIUZHU_DATABASE_URL", raising=False)
    else:
        server = make_url(request.getfixturevalue("postgres_url"))
        database = f"caseload_{uuid.uuid4().hex[:12]}"
        admin = make_engine(server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        url = server.set(database=database).render_as_string(hide_password=False)
        monkeypatch.setenv("JIUZHU_DATABASE_URL", url)
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for n, (name, villages) in enumerate(PLACES.items()):
            town = Township(code=f"34182210{n}", name=name, population=50_000)
            session.add(town)
            session.flush()
            assert town.id is not None
            for village in villages:
                kind = VillageKind.COMMUNITY if village.endswith("社区") else VillageKind.ADMINISTRATIVE
                session.add(Village(township_id=town.id, kind=kind, name=village))
    yield Record(data_dir, engine)
    engine.dispose()
    if request.param != "sqlite":
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{database}" WITH (FORCE)'))
        admin.dispose()


def household_rows(count: int, seed: int = 18) -> list[list[str]]:
    """``count`` distinct households: both schemes, both townships, both cadences, dates over 3 years."""
    chance = random.Random(seed)
    rows = []
    for n in range(1, count + 1):
        township = "桃州镇" if n % 2 else "新杭镇"
        scheme = "特困" if n % 10 == 0 else "低保"
        approved = date(2024, 1, 1).toordinal() + chance.randrange(0, 1000)
        rows.append(
            [
                str(n),
                f"户主{n:04d}",
                f"3418{22 + n // 1000:02d}{1950 + n % 40}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}",
                township,
                PLACES[township][n % 3],
                scheme,
                "1" if scheme == "特困" else str(1 + n % 5),
                f"{chance.randrange(300, 3000)}.{chance.choice(['00', '50'])}",
                date.fromordinal(min(approved, TODAY.toordinal())).isoformat(),
                "否" if n % 7 == 0 else "是",
                "是" if n % 3 == 0 and scheme == "低保" else "否",
                f"62301234{n:08d}",
            ]
        )
    for row in rows:  # a real check character on every generated ID number
        body = row[2][:17]
        row[2] = body + compute_check_char(body)
    return rows
