"""A small county for task-list tests: two townships, staff of every role, households, cases,
decisions, a written notice, a publicity notice — and unique sensitive markers that must never
reach a public page."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlmodel import Session

from jiuzhu.engine.clock import Clock
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.store.repository import Store, open_database
from jiuzhu.policy.ids import compute_check_char
from jiuzhu.tasklist.credentials import create_tables, credentials
from schemas.db import make_engine
from schemas.enums import (
    Area,
    CasePath,
    CaseStatus,
    Channel,
    DecisionOutcome,
    NoticeKind,
    Programme,
    Relationship,
    StaffRole,
    VillageKind,
    WorkCapacity,
)
from schemas.tables import (
    Case,
    Decision,
    Household,
    Member,
    PublicityNotice,
    PublicityRow,
    Staff,
    Township,
    Village,
    WrittenNotice,
    metadata,
)

DATA = Path(__file__).parent / "data"
FORMS = DATA / "forms"
PASSWORD = "correct-horse-battery"
TOWNSHIP_A = "341821100"
TOWNSHIP_B = "341821101"
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)

# Sensitive data that exists in the case record but must never appear on a public page.
SECRET_NAME_MIDDLE = "秘密"
SECRETS = {
    "bank": "6222SECRETACCT0001",
    "phone": "13912345678",
    "house": "SECRETHOUSE",
    "full_name": f"王{SECRET_NAME_MIDDLE}明",
    "spouse": "刘隐私",
    "notice_name": "李保密华",
}


def id_number(area: str, birth: str, seq: str) -> str:
    first = f"{area}{birth}{seq}"
    return first + compute_check_char(first)


@functools.lru_cache(maxsize=1)
def password_hash() -> str:
    from jiuzhu.tasklist.credentials import hash_password

    return hash_password(PASSWORD)


@dataclass
class World:
    engine: Engine
    db: SqlEngine
    ids: dict[str, int] = field(default_factory=dict)
    instances: dict[str, int] = field(default_factory=dict)

    def start(self, name: str, township: str, village: int, **extra: Any) -> int:
        variables = {"townshipCode": township, "villageId": village, **extra}
        instance = self.engine.create_instance("social-assistance-application", variables)
        self.instances[name] = instance.key
        return instance.key

    def open_task(self, instance_key: int, element_id: str = "review") -> int:
        with self.engine.lock:
            for task in self.engine.user_tasks.values():
                if task.instance_key == instance_key and task.element_id == element_id:
                    return task.key
        raise AssertionError(f"no open task {element_id} in instance {instance_key}")


def new_engine(tmp: Path) -> Engine:
    engine = Engine(Store(open_database(f"sqlite:///{tmp / 'engine.db'}")), Clock(controlled=True, start=NOW))
    engine.deploy([("application.bpmn", (DATA / "application.bpmn").read_bytes())])
    return engine


def build_world(tmp: Path) -> World:
    engine = new_engine(tmp)
    db = make_engine(f"sqlite:///{tmp / 'caserecord.db'}")
    metadata.create_all(db)
    create_tables(db)
    world = World(engine, db)
    seed(world)
    return world


def _add(session: Session, row: Any) -> int:
    session.add(row)
    session.flush()
    return int(row.id)


def seed(world: World) -> None:
    ids = world.ids
    with Session(world.db) as s:
        ids["town_a"] = _add(s, Township(code=TOWNSHIP_A, name="城关镇", population=52000))
        ids["town_b"] = _add(s, Township(code=TOWNSHIP_B, name="东亭乡", population=21000))
        ids["xingfu"] = _add(s, Village(township_id=ids["town_a"], kind=VillageKind.ADMINISTRATIVE, name="幸福村"))
        ids["xingfu_1"] = _add(
            s, Village(township_id=ids["town_a"], parent_id=ids["xingfu"], kind=VillageKind.GROUP, name="一组")
        )
        ids["heping"] = _add(s, Village(township_id=ids["town_a"], kind=VillageKind.COMMUNITY, name="和平社区"))
        ids["dongting"] = _add(s, Village(township_id=ids["town_b"], kind=VillageKind.ADMINISTRATIVE, name="东亭村"))
        staff = [
            ("zhang", "张经办", StaffRole.CASEWORKER, "town_a", None),
            ("li", "李分管", StaffRole.LEADER, "town_a", None),
            ("wang", "王协理", StaffRole.VILLAGE_ASSISTANT, "town_a", "xingfu"),
            ("zhao", "赵经办", StaffRole.CASEWORKER, "town_b", None),
            ("county", "孙县局", StaffRole.COUNTY_SUPERVISOR, None, None),
            ("admin", "陆运维", StaffRole.SYSTEM_ADMIN, None, None),
        ]
        for login, name, role, town, village in staff:
            ids[f"staff_{login}"] = _add(
                s,
                Staff(
                    name=name,
                    role=role,
                    township_id=ids[town] if town else None,
                    village_id=ids[village] if village else None,
                    login=login,
                ),
            )
        s.commit()
    with world.db.begin() as conn:
        for login, *_ in staff:
            conn.execute(credentials.insert().values(login=login, password_hash=password_hash(), updated_at=NOW))

    # An approved 低保 household (public list), with every kind of sensitive marker.
    with Session(world.db) as s:
        ids["h1"] = _add(
            s,
            Household(
                township_id=ids["town_a"],
                village_id=ids["xingfu_1"],
                address=f"城关镇幸福村一组幸福路88号{SECRETS['house']}",
                area=Area.RURAL,
                bank_account=SECRETS["bank"],
            ),
        )
        ids["m1"] = _add(
            s,
            Member(
                household_id=ids["h1"],
                name=SECRETS["full_name"],
                id_number=id_number("341821", "19600101", "123"),
                relationship=Relationship.SELF,
                seriously_ill=True,
                work_capacity=WorkCapacity.NONE,
                phone=SECRETS["phone"],
            ),
        )
        _add(
            s,
            Member(
                household_id=ids["h1"],
                name=SECRETS["spouse"],
                id_number=id_number("341821", "19620202", "124"),
                relationship=Relationship.SPOUSE,
                work_capacity=WorkCapacity.PARTLY,
            ),
        )
        ids["case_approved"] = _add(
            s,
            Case(
                case_number="CG-2026-001",
                household_id=ids["h1"],
                applicant_id=ids["m1"],
                township_id=ids["town_a"],
                type=Programme.DIBAO,
                path=CasePath.REFORM,
                status=CaseStatus.APPROVED,
                channel=Channel.ONE_WINDOW,
                accepted_by_id=ids["staff_zhang"],
                accepted_at=NOW - timedelta(days=40),
            ),
        )
        _add(
            s,
            Decision(
                case_id=ids["case_approved"],
                outcome=DecisionOutcome.APPROVED,
                amount=Decimal("960.00"),
                effective_month=date(2026, 2, 1),
                reasons="家庭月人均收入低于当地低保标准",
                approver_id=ids["staff_li"],
                decided_at=NOW - timedelta(days=30),
            ),
        )
        _add(
            s,
            WrittenNotice(
                number="城关镇救告〔2026〕1号",
                kind=NoticeKind.APPROVAL,
                case_id=ids["case_approved"],
                issuing_body="城关镇人民政府",
                applicant_name=SECRETS["full_name"],
                application_date=date(2026, 1, 29),
                application_type=Programme.DIBAO,
                decision="批准享受农村最低生活保障，每月960.00元",
                facts="核对显示家庭月人均收入低于当地低保标准",
                legal_basis="《最低生活保障审核确认办法》第二十一条",
                redress="如不服本决定，可在60日内申请行政复议，或在6个月内提起行政诉讼",
                issued_at=NOW - timedelta(days=30),
            ),
        )
        notice_id = _add(
            s,
            PublicityNotice(
                township_id=ids["town_a"],
                village_id=ids["xingfu_1"],
                issuer="城关镇人民政府",
                period_start=NOW.date() - timedelta(days=2),
                period_end=NOW.date() + timedelta(days=4),
                published_at=NOW - timedelta(days=2),
                complaint_phone="0564-1234567",
            ),
        )
        _add(
            s,
            PublicityRow(
                notice_id=notice_id,
                case_id=ids["case_approved"],
                village_label="幸福村一组",
                masked_name="李*华",
                household_size=2,
                category="农村低保",
                monthly_amount=Decimal("960.00"),
            ),
        )
        s.commit()

    # Cases in flight: one per township, each with a process instance waiting at "review".
    for name, town, village, household_name, seq in (
        ("a", "town_a", "xingfu_1", "陈大文", "211"),
        ("b", "town_b", "dongting", "周小梅", "212"),
    ):
        code = TOWNSHIP_A if town == "town_a" else TOWNSHIP_B
        key = world.start(name, code, world.ids[village], reviewDue=(NOW + timedelta(hours=20)).isoformat())
        with Session(world.db) as s:
            household = _add(
                s,
                Household(
                    township_id=ids[town], village_id=ids[village], address=f"{household_name}家", area=Area.RURAL
                ),
            )
            member = _add(
                s,
                Member(
                    household_id=household,
                    name=household_name,
                    id_number=id_number("341821", "19700303", seq),
                    relationship=Relationship.SELF,
                    work_capacity=WorkCapacity.ABLE,
                ),
            )
            ids[f"case_{name}"] = _add(
                s,
                Case(
                    case_number=f"CASE-{name.upper()}",
                    household_id=household,
                    applicant_id=member,
                    township_id=ids[town],
                    type=Programme.DIBAO,
                    path=CasePath.REFORM,
                    status=CaseStatus.VISITING,
                    process_instance_key=key,
                    channel=Channel.ONE_WINDOW,
                    accepted_at=NOW - timedelta(days=2),
                ),
            )
            s.commit()
