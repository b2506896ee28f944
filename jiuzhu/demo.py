"""A sample county for ``jiuzhu up --demo``: townships, villages, staff of every role with task-list
passwords, households with valid resident IDs, registry data for the fake check platform, and a
few applications in flight.

    county = seed(database_url, now, data_dir=Path("var"))   # idempotent: a second run adds nothing
    print(county.sign_in_text())
    start_cases(server.engine, county)                         # or a gateway address "host:port"

Everything is invented; the ID numbers are valid GB 11643 numbers of no real person (area 341822).
"""

import asyncio
import json
import os
import threading
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session, select

from jiuzhu.policy import CST, WorkingCalendar
from jiuzhu.policy.ids import compute_check_char
from jiuzhu.tasklist.credentials import create_tables, set_password, stored_hash
from schemas.db import make_engine
from schemas.enums import Area, DisabilityKind, Relationship, StaffRole, VillageKind, WorkCapacity
from schemas.migrate import upgrade
from schemas.tables import Case, Household, Member, Staff, Township, Village

COUNTY = "广德市"
AREA_CODE = "341822"
PASSWORD_ENV = "JIUZHU_DEMO_PASSWORD"
DEFAULT_PASSWORD = "jiuzhu-demo-2026"
REGISTRY_FILE = "provincial-registry.json"
GROUPS = {
    StaffRole.VILLAGE_ASSISTANT: "village-assistant",
    StaffRole.CASEWORKER: "township-caseworker",
    StaffRole.LEADER: "township-leader",
    StaffRole.COUNTY_SUPERVISOR: "county-supervisor",
}


def id_number(born: str, sequence: str) -> str:
    body = AREA_CODE + born + sequence
    return body + compute_check_char(body)


# (code, name, population)
TOWNSHIPS = (("341822100", "桃州镇", 120_000), ("341822101", "新杭镇", 60_000), ("341822102", "邱村镇", 40_000))
# township code → [(administrative village or community, kind, [(natural village / group, kind)])]
VILLAGES = {
    "341822100": [
        ("东亭村", VillageKind.ADMINISTRATIVE, [("三组", VillageKind.GROUP), ("下庄", VillageKind.NATURAL)]),
        ("太极社区", VillageKind.COMMUNITY, [("一组", VillageKind.GROUP)]),
    ],
    "341822101": [("流洞村", VillageKind.ADMINISTRATIVE, [("大竹园", VillageKind.NATURAL)])],
    "341822102": [("柏垫村", VillageKind.ADMINISTRATIVE, [("二组", VillageKind.GROUP)])],
}
# (login, name, role, township code or None, administrative village of a 协理员)
STAFF = (
    ("taozhou.xieli", "赵协理", StaffRole.VILLAGE_ASSISTANT, "341822100", "东亭村"),
    ("taozhou.jingban", "王经办", StaffRole.CASEWORKER, "341822100", None),
    ("taozhou.jingban2", "孙经办", StaffRole.CASEWORKER, "341822100", None),
    ("taozhou.lingdao", "周分管", StaffRole.LEADER, "341822100", None),
    ("xinhang.xieli", "钱协理", StaffRole.VILLAGE_ASSISTANT, "341822101", "流洞村"),
    ("xinhang.jingban", "吴经办", StaffRole.CASEWORKER, "341822101", None),
    ("xinhang.jingban2", "郑经办", StaffRole.CASEWORKER, "341822101", None),
    ("xinhang.lingdao", "冯分管", StaffRole.LEADER, "341822101", None),
    ("qiucun.xieli", "陈协理", StaffRole.VILLAGE_ASSISTANT, "341822102", "柏垫村"),
    ("qiucun.jingban", "褚经办", StaffRole.CASEWORKER, "341822102", None),
    ("qiucun.jingban2", "卫经办", StaffRole.CASEWORKER, "341822102", None),
    ("qiucun.lingdao", "蒋分管", StaffRole.LEADER, "341822102", None),
    ("county.minzheng", "沈督查", StaffRole.COUNTY_SUPERVISOR, None, None),
    ("county.minzheng2", "韩督查", StaffRole.COUNTY_SUPERVISOR, None, None),
)


@dataclass(frozen=True)
class DemoMember:
    name: str
    id_number: str
    relationship: Relationship
    work_capacity: WorkCapacity = WorkCapacity.ABLE
    disability: tuple[DisabilityKind, int] | None = None
    seriously_ill: bool = False
    records: tuple[dict[str, Any], ...] = ()  # what the provincial registries hold about this person

    def variables(self) -> dict[str, Any]:
        kind, grade = self.disability if self.disability else (None, None)
        return {
            "name": self.name,
            "idNumber": self.id_number,
            "relationship": self.relationship.value,
            "disabilityKind": kind.value if kind else None,
            "disabilityGrade": grade,
            "seriouslyIll": self.seriously_ill,
            "workCapacity": self.work_capacity.value,
        }


@dataclass(frozen=True)
class DemoHousehold:
    key: str
    township: str  # code
    village: tuple[str, str]  # (administrative village, natural village / group)
    address: str
    area: Area
    members: tuple[DemoMember, ...]
    registered_poor: bool = False


def _wages(amount: int, who: str) -> dict[str, Any]:
    return {
        "source": "税务",
        "kind": "wages",
        "monthlyAmount": amount,
        "finding": f"{who}个税记录显示月工资收入 ¥{amount:,}",
    }


HOUSEHOLDS = (
    DemoHousehold(
        "zhang",
        "341822100",
        ("东亭村", "三组"),
        "安徽省广德市桃州镇东亭村三组18号",
        Area.RURAL,
        (
            DemoMember("张建国", id_number("19800312", "013"), Relationship.SELF, records=(_wages(900, "张建国"),)),
            DemoMember(
                "李秀英",
                id_number("19820907", "024"),
                Relationship.SPOUSE,
                WorkCapacity.PARTLY,
                records=({"source": "银行存款", "amount": 1200, "finding": "李秀英名下存款余额 ¥1,200"},),
            ),
            DemoMember("张小明", id_number("20120101", "035"), Relationship.CHILD, WorkCapacity.NONE),
        ),
        registered_poor=True,
    ),
    DemoHousehold(
        "wang",
        "341822100",
        ("东亭村", "下庄"),
        "安徽省广德市桃州镇东亭村下庄6号",
        Area.RURAL,
        (
            DemoMember(
                "王富贵",
                id_number("19750615", "017"),
                Relationship.SELF,
                records=(
                    _wages(4500, "王富贵"),
                    {"source": "车辆", "outcome": "不符合", "finding": "王富贵名下有小型轿车一辆（2023年登记）"},
                ),
            ),
            DemoMember("刘春梅", id_number("19780302", "028"), Relationship.SPOUSE),
        ),
    ),
    DemoHousehold(
        "zhao",
        "341822100",
        ("太极社区", "一组"),
        "安徽省广德市桃州镇太极社区一组3栋201室",
        Area.URBAN,
        (
            DemoMember("赵小红", id_number("19880520", "046"), Relationship.SELF, records=(_wages(600, "赵小红"),)),
            DemoMember("赵乐乐", id_number("20150810", "011"), Relationship.CHILD, WorkCapacity.NONE),
        ),
    ),
    DemoHousehold(
        "chen",
        "341822101",
        ("流洞村", "大竹园"),
        "安徽省广德市新杭镇流洞村大竹园12号",
        Area.RURAL,
        (
            DemoMember("陈志强", id_number("19700101", "031"), Relationship.SELF, records=(_wages(1500, "陈志强"),)),
            DemoMember("何美玲", id_number("19721111", "042"), Relationship.SPOUSE),
            DemoMember("陈浩", id_number("19990909", "053"), Relationship.CHILD),
            DemoMember(
                "陈奶奶", id_number("19450202", "064"), Relationship.PARENT, WorkCapacity.NONE, seriously_ill=True
            ),
        ),
    ),
    DemoHousehold(
        "li",
        "341822102",
        ("柏垫村", "二组"),
        "安徽省广德市邱村镇柏垫村二组7号",
        Area.RURAL,
        (
            DemoMember(
                "李桂兰",
                id_number("19480305", "022"),
                Relationship.SELF,
                WorkCapacity.NONE,
                disability=(DisabilityKind.PHYSICAL, 2),
                records=(
                    {
                        "source": "社会保险",
                        "kind": "basic_pension",
                        "monthlyAmount": 160,
                        "finding": "领取城乡居民基础养老金每月 ¥160",
                    },
                ),
            ),
        ),
    ),
)


@dataclass
class DemoCounty:
    county: str
    password: str
    database_url: str
    townships: dict[str, int] = field(default_factory=dict)  # code → id
    villages: dict[str, int] = field(default_factory=dict)  # "东亭村" or "东亭村/三组" → id
    staff: dict[str, int] = field(default_factory=dict)  # login → id
    households: dict[str, int] = field(default_factory=dict)  # key → id
    registry: dict[str, Any] = field(default_factory=dict)
    registry_file: Path | None = None

    def household(self, key: str) -> DemoHousehold:
        return next(h for h in HOUSEHOLDS if h.key == key)

    def accounts(self) -> list[tuple[str, str, str, str]]:
        """(login, name, role, township name) of every demo account."""
        names = {code: name for code, name, _ in TOWNSHIPS}
        return [(login, name, role.value, names.get(code or "", "全县")) for login, name, role, code, _ in STAFF]

    def sign_in_text(self) -> str:
        lines = [f"演示账号（{self.county}，密码均为 {self.password}）："]
        lines += [f"  {login:<18} {name}  {role}  {place}" for login, name, role, place in self.accounts()]
        return "\n".join(lines)

    def application(self, key: str, case_type: str, received_at: datetime, **extra: Any) -> dict[str, Any]:
        """Start variables of an application, shaped as the task list's intake sends them."""
        household = self.household(key)
        assistant = next(
            login
            for login, _, role, code, _ in STAFF
            if role is StaffRole.VILLAGE_ASSISTANT and code == household.township
        )
        village = "/".join(household.village)
        variables: dict[str, Any] = {
            "caseType": case_type,
            "channel": "帮办代办",
            "proxyAssistantId": self.staff[assistant],
            "acceptedById": None,
            "townshipId": self.townships[household.township],
            "townshipCode": household.township,
            "villageId": self.villages[village],
            "address": household.address,
            "area": household.area.value,
            "members": [m.variables() for m in household.members],
            "receivedAt": received_at.astimezone(CST).isoformat(),
            "checkAuthorised": True,
            "missingMaterials": [],
            "startedBy": assistant,
        }
        variables.update(extra)
        return variables


def _get_or_add(session: Session, model: Any, found: Any, **values: Any) -> Any:
    if found is not None:
        return found
    row = model(**values)
    session.add(row)
    session.flush()
    return row


def _seed_places(session: Session, county: DemoCounty) -> None:
    for code, name, population in TOWNSHIPS:
        township = _get_or_add(
            session,
            Township,
            session.exec(select(Township).where(Township.code == code)).first(),
            code=code,
            name=name,
            population=population,
        )
        county.townships[code] = township.id
        for top_name, kind, children in VILLAGES[code]:
            top = _get_or_add(
                session,
                Village,
                session.exec(
                    select(Village).where(Village.township_id == township.id, Village.name == top_name)
                ).first(),
                township_id=township.id,
                kind=kind,
                name=top_name,
            )
            county.villages[top_name] = top.id
            for child_name, child_kind in children:
                child = _get_or_add(
                    session,
                    Village,
                    session.exec(
                        select(Village).where(Village.parent_id == top.id, Village.name == child_name)
                    ).first(),
                    township_id=township.id,
                    parent_id=top.id,
                    kind=child_kind,
                    name=child_name,
                )
                county.villages[f"{top_name}/{child_name}"] = child.id


def _seed_staff(session: Session, county: DemoCounty) -> None:
    for login, name, role, code, village in STAFF:
        staff = _get_or_add(
            session,
            Staff,
            session.exec(select(Staff).where(Staff.login == login)).first(),
            login=login,
            name=name,
            role=role,
            township_id=county.townships[code] if code else None,
            village_id=county.villages[village] if village else None,
            phone=None,
        )
        county.staff[login] = staff.id


def _seed_households(session: Session, county: DemoCounty) -> None:
    for demo in HOUSEHOLDS:
        numbers = [m.id_number for m in demo.members]
        existing = session.exec(select(Member).where(Member.id_number == numbers[0])).first()
        household = _get_or_add(
            session,
            Household,
            session.get(Household, existing.household_id) if existing else None,
            township_id=county.townships[demo.township],
            village_id=county.villages["/".join(demo.village)],
            address=demo.address,
            area=demo.area,
            registered_poor=demo.registered_poor,
        )
        county.households[demo.key] = household.id
        for member in demo.members:
            kind, grade = member.disability if member.disability else (None, None)
            _get_or_add(
                session,
                Member,
                session.exec(select(Member).where(Member.id_number == member.id_number)).first(),
                household_id=household.id,
                name=member.name,
                id_number=member.id_number,
                relationship=member.relationship,
                disability_kind=kind,
                disability_grade=grade,
                seriously_ill=member.seriously_ill,
                work_capacity=member.work_capacity,
            )
            county.registry.setdefault("persons", {})[member.id_number] = {
                "name": member.name,
                "records": list(member.records),
            }


def _seed_passwords(db: Engine, county: DemoCounty) -> None:
    create_tables(db)
    for login in county.staff:
        if stored_hash(db, login) is None:
            set_password(db, login, county.password)


def seed(database_url: str, now: datetime, *, data_dir: Path | None = None, password: str | None = None) -> DemoCounty:
    """Seed the demo county (idempotent) and, with ``data_dir``, the fake platform's registry file.

    ``now`` dates the registry snapshot; nothing else in the county depends on the day it is seeded.
    """
    upgrade(database_url)
    county = DemoCounty(COUNTY, password or os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD, database_url)
    db = make_engine(database_url)
    try:
        with Session(db) as session, session.begin():
            _seed_places(session, county)
            _seed_staff(session, county)
            _seed_households(session, county)
        _seed_passwords(db, county)
    finally:
        db.dispose()
    county.registry["snapshot"] = now.astimezone(UTC).isoformat()
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        county.registry_file = data_dir / REGISTRY_FILE
        county.registry_file.write_text(json.dumps(county.registry, ensure_ascii=False, indent=2), "utf-8")
    return county


# --- applications in flight ------------------------------------------------------------------------


class _Starts(Protocol):
    def create_instance(self, bpmn_process_id: str, variables: dict[str, Any]) -> Any: ...


def demo_applications(
    county: DemoCounty, now: datetime, calendar: WorkingCalendar | None = None
) -> list[tuple[str, str, dict[str, Any]]]:
    """(household key, process id, start variables) of the cases ``start_cases`` opens."""
    calendar = calendar or WorkingCalendar.standard()
    local = now.astimezone(CST)
    # Accepted 7 working days ago: the SLA warning (working day 8) is due at the next working day.
    seven_back = local.date()
    while calendar.working_days_between(seven_back, local.date()).value < 7:
        seven_back -= timedelta(days=1)
    near_warning = datetime.combine(seven_back, time(9, 30), tzinfo=CST)
    return [
        ("zhang", "assistance-application", county.application("zhang", "低保", local)),
        ("zhao", "assistance-application", county.application("zhao", "低保", near_warning)),
        ("wang", "assistance-application", county.application("wang", "低保", local)),
        (
            "chen",
            "temporary-assistance",
            county.application(
                "chen",
                "急难型临时救助",
                local - timedelta(hours=20),
                emergencyCause="火灾",
                incidentLocation="新杭镇流洞村大竹园12号",
            ),
        ),
    ]


def _run_coroutine(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coroutine`` to the end on a fresh loop in its own thread (safe inside a running loop)."""
    result: dict[str, Any] = {}

    def main() -> None:
        try:
            result["value"] = asyncio.run(coroutine)
        except BaseException as error:
            result["error"] = error

    thread = threading.Thread(target=main, name="jiuzhu-demo-start")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


async def _start_over_grpc(address: str, starts: Iterable[tuple[str, dict[str, Any]]]) -> list[int]:
    from pyzeebe import ZeebeClient, create_insecure_channel

    channel = create_insecure_channel(grpc_address=address)
    try:
        client = ZeebeClient(channel)
        return [(await client.run_process(process, variables)).process_instance_key for process, variables in starts]
    finally:
        await channel.close()


def start_cases(zeebe_address_or_engine: str | Any, county: DemoCounty, *, now: datetime | None = None) -> list[int]:
    """Open the demo applications (one near its SLA warning, one 急难型 20 hours in) and return their
    process instance keys. Households that already have a case are skipped, so a restart adds none.

    ``zeebe_address_or_engine``: a gateway address ``host:port``, an ``EngineServer`` or an ``Engine``.
    """
    target = getattr(zeebe_address_or_engine, "engine", zeebe_address_or_engine)
    if now is None:
        clock = getattr(target, "clock", None)
        now = clock.now() if clock is not None else datetime.now(UTC)
    db = make_engine(county.database_url)
    try:
        with Session(db) as session:
            with_cases = {c.household_id for c in session.exec(select(Case)).all()}
    finally:
        db.dispose()
    starts = [
        (process, variables)
        for key, process, variables in demo_applications(county, now)
        if county.households.get(key) not in with_cases
    ]
    if isinstance(target, str):
        keys: list[int] = _run_coroutine(_start_over_grpc(target, starts))
        return keys
    engine: _Starts = target
    return [engine.create_instance(process, variables).key for process, variables in starts]
