"""A small county on a real SQLite case record for the payment commands: two townships, four
households (丁 without a bank account), five cases (甲 twice in 低保) and their decisions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jiuzhu.cli import main
from jiuzhu.policy import CST
from jiuzhu.policy.ids import compute_check_char
from schemas.db import make_engine
from schemas.enums import (
    Area,
    CasePath,
    CaseStatus,
    Channel,
    DecisionOutcome,
    Programme,
    Relationship,
    StaffRole,
    VillageKind,
    WorkCapacity,
)
from schemas.migrate import upgrade
from schemas.tables import (
    Case,
    Decision,
    Household,
    Member,
    Payment,
    Staff,
    Township,
    Village,
)

D = Decimal


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


@dataclass
class County:
    data_dir: Path
    engine: Engine
    ids: dict[str, int]  # name → case id
    households: dict[str, int]
    approver: int

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def decide(self, case: str, decided: str, effective: str, amount: str | None, taper: str | None = None) -> None:
        with self.session() as session, session.begin():
            session.add(
                Decision(
                    case_id=self.ids[case],
                    outcome=DecisionOutcome.APPROVED if amount else DecisionOutcome.REJECTED,
                    amount=D(amount) if amount else None,
                    effective_month=date.fromisoformat(effective + "-01"),
                    taper_until=date.fromisoformat(taper + "-01") if taper else None,
                    reasons="测试决定",
                    approver_id=self.approver,
                    decided_at=at(decided),
                )
            )


def _id(n: int) -> str:
    first = f"34152319{60 + n % 30:02d}0101{n:03d}"
    return first + compute_check_char(first)


@pytest.fixture
def county(tmp_path: Path) -> Iterator[County]:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    url = f"sqlite:///{data_dir / 'caserecord.db'}"
    upgrade(url)
    engine = make_engine(url)
    ids: dict[str, int] = {}
    households: dict[str, int] = {}
    with Session(engine) as session, session.begin():
        towns = []
        for code, name in (("341523100", "城关镇"), ("341523101", "东山乡")):
            town = Township(code=code, name=name, population=20000)
            session.add(town)
            session.flush()
            assert town.id is not None
            village = Village(township_id=town.id, kind=VillageKind.ADMINISTRATIVE, name=f"{name[:2]}村")
            session.add(village)
            session.flush()
            towns.append((town, village))
        leader = Staff(name="孙领导", role=StaffRole.LEADER, township_id=towns[0][0].id, login="sun")
        session.add(leader)
        session.flush()
        assert leader.id is not None
        approver = leader.id
        # (case name, household name, township index, scheme, bank account)
        layout = [
            ("a", "甲", 0, Programme.DIBAO, "6230000000000001"),
            ("b", "乙", 0, Programme.DIBAO, "6230000000000002"),
            ("c", "丙", 1, Programme.TEKUN, "6230000000000003"),
            ("d", "丁", 1, Programme.DIBAO, None),
            ("a2", "甲", 0, Programme.DIBAO, None),  # a second 低保 case of household 甲
        ]
        for n, (name, household_name, town_index, scheme, account) in enumerate(layout, start=1):
            town, village = towns[town_index]
            assert town.id is not None and village.id is not None
            if household_name not in households:
                household = Household(
                    township_id=town.id,
                    village_id=village.id,
                    address=f"{town.name}{household_name}户",
                    area=Area.RURAL,
                    bank_account=account,
                )
                session.add(household)
                session.flush()
                assert household.id is not None
                households[household_name] = household.id
                member = Member(
                    household_id=household.id,
                    name=f"{household_name}户主",
                    id_number=_id(n),
                    relationship=Relationship.SELF,
                    work_capacity=WorkCapacity.NONE,
                )
                session.add(member)
                session.flush()
            applicant = session.exec(select(Member).where(Member.household_id == households[household_name])).first()
            assert applicant is not None and applicant.id is not None
            case = Case(
                case_number=f"T-2027-{n:04d}",
                household_id=households[household_name],
                applicant_id=applicant.id,
                township_id=town.id,
                type=scheme,
                path=CasePath.REFORM,
                status=CaseStatus.APPROVED,
                channel=Channel.ONE_WINDOW,
                accepted_at=at("2026-12-01T09:00"),
            )
            session.add(case)
            session.flush()
            assert case.id is not None
            ids[name] = case.id
    world = County(data_dir, engine, ids, households, approver)
    world.decide("a", "2026-12-10T10:00", "2027-01", "1440")
    world.decide("b", "2026-12-11T10:00", "2027-01", "800")
    world.decide("b", "2027-02-20T10:00", "2027-03", None)  # stopped from March
    world.decide("c", "2026-12-12T10:00", "2027-01", "1200")
    world.decide("c", "2027-01-20T10:00", "2027-02", "1200", taper="2027-03")  # 渐退 February–March
    world.decide("d", "2026-12-13T10:00", "2027-01", "655")
    world.decide("d", "2027-01-25T10:00", "2027-02", "700")  # raised from February
    world.decide("a2", "2026-12-14T10:00", "2027-01", "900")  # the same household, the same scheme
    yield world
    engine.dispose()


def cli(county: County, capsys: pytest.CaptureFixture[str], *argv: str, now: str = "2027-01-05T09:00+08:00") -> Any:
    code = main(["payments", *argv, "--data-dir", str(county.data_dir), "--now", now, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def ledger(county: County) -> list[tuple[str, str, str, str, str]]:
    names = {v: k for k, v in county.ids.items()}
    with county.session() as session:
        rows = session.exec(select(Payment).order_by(col(Payment.run_month), col(Payment.case_id), col(Payment.month)))
        return [
            (names[p.case_id], f"{p.month:%Y-%m}", p.kind.value, str(p.amount), f"{p.run_month:%Y-%m}") for p in rows
        ]
