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
import random
import tempfile
import threading
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, event
from sqlmodel import Session, select

from jiuzhu.policy import CST, WorkingCalendar
from jiuzhu.policy.ids import compute_check_char
from jiuzhu.policy.money import format_yuan
from jiuzhu.tasklist.credentials import create_tables, credentials, hash_password, stored_hash
from schemas.db import make_engine
from schemas.enums import (
    Area,
    CaseStatus,
    DisabilityKind,
    Programme,
    Relationship,
    StaffRole,
    VillageKind,
    WorkCapacity,
)
from schemas.migrate import upgrade
from schemas.tables import AuditEntry, Case, Household, Member, Staff, Township, Village

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
    StaffRole.SYSTEM_ADMIN: "system-admin",
}


def id_number(born: str, sequence: str) -> str:
    body = AREA_CODE + born + sequence
    return body + compute_check_char(body)


# (code, name, population)
TOWNSHIPS = (("341822100", "桃州镇", 120_000), ("341822101", "新杭镇", 60_000))
# township code → [(administrative village or community, kind, [(natural village / group, kind)])]
VILLAGES = {
    "341822100": [
        (
            "东亭村",
            VillageKind.ADMINISTRATIVE,
            [("三组", VillageKind.GROUP), ("五组", VillageKind.GROUP), ("下庄", VillageKind.NATURAL)],
        ),
        ("太极社区", VillageKind.COMMUNITY, [("一组", VillageKind.GROUP), ("二组", VillageKind.GROUP)]),
        ("桐川村", VillageKind.ADMINISTRATIVE, [("上桐", VillageKind.NATURAL), ("四组", VillageKind.GROUP)]),
    ],
    "341822101": [
        ("流洞村", VillageKind.ADMINISTRATIVE, [("大竹园", VillageKind.NATURAL), ("二组", VillageKind.GROUP)]),
        ("独山村", VillageKind.ADMINISTRATIVE, [("独山头", VillageKind.NATURAL), ("六组", VillageKind.GROUP)]),
        ("新杭社区", VillageKind.COMMUNITY, [("一组", VillageKind.GROUP)]),
    ],
}
# (login, name, role, township code or None, administrative village of a 协理员)
STAFF = (
    ("taozhou.xieli", "赵协理", StaffRole.VILLAGE_ASSISTANT, "341822100", "东亭村"),
    ("taozhou.xieli2", "许协理", StaffRole.VILLAGE_ASSISTANT, "341822100", "太极社区"),
    ("taozhou.xieli3", "何协理", StaffRole.VILLAGE_ASSISTANT, "341822100", "桐川村"),
    ("taozhou.jingban", "王经办", StaffRole.CASEWORKER, "341822100", None),
    ("taozhou.jingban2", "孙经办", StaffRole.CASEWORKER, "341822100", None),
    ("taozhou.lingdao", "周分管", StaffRole.LEADER, "341822100", None),
    ("xinhang.xieli", "钱协理", StaffRole.VILLAGE_ASSISTANT, "341822101", "流洞村"),
    ("xinhang.xieli2", "施协理", StaffRole.VILLAGE_ASSISTANT, "341822101", "独山村"),
    ("xinhang.xieli3", "张协理", StaffRole.VILLAGE_ASSISTANT, "341822101", "新杭社区"),
    ("xinhang.jingban", "吴经办", StaffRole.CASEWORKER, "341822101", None),
    ("xinhang.jingban2", "郑经办", StaffRole.CASEWORKER, "341822101", None),
    ("xinhang.lingdao", "冯分管", StaffRole.LEADER, "341822101", None),
    ("county.minzheng", "沈督查", StaffRole.COUNTY_SUPERVISOR, None, None),
    ("county.minzheng2", "韩督查", StaffRole.COUNTY_SUPERVISOR, None, None),
    ("county.yunwei", "陆运维", StaffRole.SYSTEM_ADMIN, None, None),
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
    phone: str | None = None  # internal only: never on a notice or a 公示
    in_registry: bool = True  # False: the platform does not know the person (需进一步核实)

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


# What the registries say about a household, as the economic check will judge it.
MEETS, INCOME_TOO_HIGH, PROPERTY, UNVERIFIED = "meets", "income", "property", "unverified"


@dataclass(frozen=True)
class DemoHousehold:
    key: str
    township: str  # code
    village: tuple[str, str]  # (administrative village, natural village / group)
    address: str
    area: Area
    members: tuple[DemoMember, ...]
    registered_poor: bool = False
    expected: str = MEETS  # MEETS / INCOME_TOO_HIGH / PROPERTY / UNVERIFIED

    def income_items(self) -> list[dict[str, Any]]:
        """The registry's income records as the township assessment form enters them."""
        return [
            {"kind": r["kind"], "amount": r["monthlyAmount"], "periodMonths": 1}
            for m in self.members
            for r in m.records
            if r.get("kind") and r.get("monthlyAmount") is not None
        ]


def _wages(amount: int, who: str) -> dict[str, Any]:
    return {
        "source": "税务",
        "kind": "wages",
        "monthlyAmount": amount,
        "finding": f"{who}个税记录显示月工资收入 ¥{amount:,}",
    }


def _pension(amount: int, who: str) -> dict[str, Any]:
    return {
        "source": "社会保险",
        "kind": "basic_pension",
        "monthlyAmount": amount,
        "finding": f"{who}领取城乡居民基础养老金每月 ¥{amount:,}",
    }


NAMED_HOUSEHOLDS = (
    DemoHousehold(
        "zhang",
        "341822100",
        ("东亭村", "三组"),
        "安徽省广德市桃州镇东亭村三组18号",
        Area.RURAL,
        (
            DemoMember(
                "张建国",
                id_number("19800312", "013"),
                Relationship.SELF,
                records=(_wages(900, "张建国"),),
                phone="13905631234",
            ),
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
                phone="13805639876",
            ),
            DemoMember("刘春梅", id_number("19780302", "028"), Relationship.SPOUSE),
        ),
        expected=PROPERTY,
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
        "341822101",
        ("独山村", "六组"),
        "安徽省广德市新杭镇独山村六组7号",
        Area.RURAL,
        (
            DemoMember(
                "李桂兰",
                id_number("19480305", "022"),
                Relationship.SELF,
                WorkCapacity.NONE,
                disability=(DisabilityKind.PHYSICAL, 2),
                records=(_pension(160, "李桂兰"),),
            ),
        ),
    ),
)

# --- the generated households --------------------------------------------------------------------

HOUSEHOLD_COUNT = 200


def _pairs(text: str) -> tuple[str, ...]:
    return tuple(text[i : i + 2] for i in range(0, len(text), 2))


_SURNAMES = "王李张刘陈杨黄吴周徐孙朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁沈任姚卢汪戴"
_MEN = _pairs(
    "建华国强志明德胜永福家宝和平文斌长春学军金生立新春生海林顺发宏伟根林玉林明辉红兵正荣立华新民福林东升卫国宝山仁杰友良兴旺"
)
_WOMEN = _pairs("秀兰桂芳玉梅春花凤英丽华淑珍月娥美华金凤翠萍雪梅爱琴秋菊红霞彩云素珍冬梅小燕慧敏晓兰巧云荷英玉兰凤仙")
_BOYS = _pairs("子轩浩然宇航俊杰梓豪一鸣思远博文嘉乐天佑")
_GIRLS = _pairs("欣怡梓涵雨桐佳琪诗涵若曦可馨语嫣梦瑶思琪")
_SHAPES = ("elderly", "elderly_couple", "family", "single_parent", "disabled_adult")
_SHAPE_WEIGHTS = (24, 14, 34, 16, 12)
_EXPECTED = (MEETS, INCOME_TOO_HIGH, PROPERTY, UNVERIFIED)
_EXPECTED_WEIGHTS = (62, 18, 15, 5)
_PROPERTY_FINDINGS = (
    ("车辆", "{who}名下有小型轿车一辆（2022年登记，非残疾人代步车）"),
    ("市场主体登记", "{who}名下有个体工商户一户，状态：存续（在营）"),
    ("不动产", "{who}名下有城区商品住房一套（除唯一自住房外）"),
    ("证券", "{who}证券账户持有股票市值 ¥86,400"),
)


class _People:
    """Names, valid GB 11643 ID numbers (odd sequence for men, even for women) and mobile numbers."""

    def __init__(self, rng: random.Random, taken: set[str]) -> None:
        self.rng = rng
        self.taken = set(taken)
        self.names: set[str] = set()

    def name(self, surname: str, male: bool, child: bool = False) -> str:
        pool = (_BOYS if male else _GIRLS) if child else (_MEN if male else _WOMEN)
        for _ in range(50):
            name = surname + self.rng.choice(pool)
            if name not in self.names:
                break
        self.names.add(name)
        return name

    def id_number(self, born: date, male: bool) -> str:
        while True:
            sequence = self.rng.randrange(10, 500) * 2 + (1 if male else 0)
            number = id_number(born.strftime("%Y%m%d"), f"{sequence:03d}")
            if number not in self.taken:
                self.taken.add(number)
                return number

    def born(self, low: int, high: int) -> date:
        return date(self.rng.randint(low, high), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def phone(self) -> str:
        return self.rng.choice(("139", "138", "137", "158", "151", "182", "188")) + f"{self.rng.randrange(10**8):08d}"


def _person(
    people: _People,
    surname: str,
    male: bool,
    born: tuple[int, int],
    relationship: Relationship,
    capacity: WorkCapacity,
    **extra: Any,
) -> DemoMember:
    child = born[0] >= 2008
    return DemoMember(
        people.name(surname, male, child),
        people.id_number(people.born(*born), male),
        relationship,
        capacity,
        **extra,
    )


def _shape(people: _People, shape: str) -> list[DemoMember]:
    rng = people.rng
    surname = rng.choice(_SURNAMES)
    other = rng.choice(_SURNAMES)
    able, partly, none = WorkCapacity.ABLE, WorkCapacity.PARTLY, WorkCapacity.NONE
    male = rng.random() < 0.5
    if shape == "elderly":
        disability = (DisabilityKind.PHYSICAL, rng.choice((2, 3, 4))) if rng.random() < 0.3 else None
        return [_person(people, surname, male, (1936, 1958), Relationship.SELF, none, disability=disability)]
    if shape == "elderly_couple":
        return [
            _person(people, surname, True, (1938, 1960), Relationship.SELF, none),
            _person(people, other, False, (1940, 1962), Relationship.SPOUSE, none, seriously_ill=rng.random() < 0.4),
        ]
    if shape == "family":
        members = [
            _person(people, surname, True, (1972, 1990), Relationship.SELF, able),
            _person(people, other, False, (1974, 1992), Relationship.SPOUSE, rng.choice((able, partly))),
        ]
        for _ in range(rng.randint(1, 3)):
            members.append(_person(people, surname, rng.random() < 0.5, (2008, 2021), Relationship.CHILD, none))
        if rng.random() < 0.3:
            members.append(_person(people, surname, False, (1942, 1955), Relationship.PARENT, none))
        return members
    if shape == "single_parent":
        members = [_person(people, surname, male, (1978, 1993), Relationship.SELF, rng.choice((able, partly)))]
        for _ in range(rng.randint(1, 2)):
            members.append(_person(people, surname, rng.random() < 0.5, (2009, 2021), Relationship.CHILD, none))
        return members
    parent = _person(people, surname, male, (1950, 1965), Relationship.SELF, rng.choice((partly, none)))
    kind = rng.choice((DisabilityKind.INTELLECTUAL, DisabilityKind.PHYSICAL, DisabilityKind.MENTAL))
    adult = _person(
        people,
        surname,
        rng.random() < 0.5,
        (1985, 2000),
        Relationship.CHILD,
        none,
        disability=(kind, rng.choice((1, 2))),
    )
    return [parent, adult]


def _with_records(people: _People, members: list[DemoMember], expected: str, standard: int) -> list[DemoMember]:
    """Registry records that make the household's check come out as ``expected``."""
    rng = people.rng
    size = len(members)
    records: list[list[dict[str, Any]]] = [[] for _ in members]
    income = 0
    for index, member in enumerate(members):
        born = int(member.id_number[6:10])
        if born <= 1961 and rng.random() < 0.8:
            amount = rng.choice((160, 175, 188, 205))
            records[index].append(_pension(amount, member.name))
            income += amount
    earners = [i for i, m in enumerate(members) if m.work_capacity is not WorkCapacity.NONE]
    if expected == INCOME_TOO_HIGH:
        target = int(standard * size * rng.uniform(1.25, 2.4))
    else:
        target = int(standard * size * rng.uniform(0.15, 0.8))
    wages = max(0, target - income)
    if expected == INCOME_TOO_HIGH and not earners:  # an enterprise pension lifts the elderly above the line
        records[0].append(
            {
                "source": "社会保险",
                "kind": "transfer",
                "monthlyAmount": wages,
                "finding": f"{members[0].name}领取企业职工基本养老金每月 ¥{wages:,}",
            }
        )
    elif earners and wages >= 100:
        shares = [wages] if len(earners) == 1 else [wages * 2 // 3, wages - wages * 2 // 3]
        for index, amount in zip(earners, shares, strict=False):
            amount = round(amount / 10) * 10
            if amount:
                records[index].append(_wages(amount, members[index].name))
    for index, member in enumerate(members):
        if member.relationship is Relationship.SELF:
            records[index].append(
                {"source": "不动产", "finding": f"{member.name}名下农村宅基地自建房一处（唯一住房）"}
                if rng.random() < 0.7
                else {"source": "住房公积金", "finding": f"{member.name}无住房公积金缴存记录"}
            )
        if member.work_capacity is not WorkCapacity.NONE or member.relationship is Relationship.SELF:
            deposit = rng.choice((0, 300, 800, 1500, 2600, 4800, 9000))
            if deposit:
                records[index].append(
                    {"source": "银行存款", "amount": deposit, "finding": f"{member.name}名下存款余额 ¥{deposit:,}"}
                )
    if expected == PROPERTY:
        index = rng.choice(earners or [0])
        if rng.random() < 0.25:
            amount = standard * 24 * size + rng.randrange(5_000, 40_000, 100)
            records[index].append(
                {"source": "银行存款", "amount": amount, "finding": f"{members[index].name}名下定期存款 ¥{amount:,}"}
            )
        else:
            source, text = rng.choice(_PROPERTY_FINDINGS)
            records[index].append(
                {"source": source, "outcome": "不符合", "finding": text.format(who=members[index].name)}
            )
    missing = rng.randrange(1, size) if expected == UNVERIFIED and size > 1 else None
    return [
        replace(
            member,
            records=tuple(records[index]),
            phone=people.phone() if member.relationship is Relationship.SELF or rng.random() < 0.3 else None,
            in_registry=index != missing,
        )
        for index, member in enumerate(members)
    ]


def _places() -> list[tuple[str, str, str, Area]]:
    """(township code, administrative village, natural village / group, area) where people live."""
    return [
        (code, top, child, Area.URBAN if kind is VillageKind.COMMUNITY else Area.RURAL)
        for code, _, _ in TOWNSHIPS
        for top, kind, children in VILLAGES[code]
        for child, _ in children
    ]


def generate_households(count: int = HOUSEHOLD_COUNT - len(NAMED_HOUSEHOLDS)) -> tuple[DemoHousehold, ...]:
    """The county's other households: the same every time (a fixed random seed)."""
    rng = random.Random(20260302)
    people = _People(rng, {m.id_number for h in NAMED_HOUSEHOLDS for m in h.members})
    people.names.update(m.name for h in NAMED_HOUSEHOLDS for m in h.members)
    township_names = {code: name for code, name, _ in TOWNSHIPS}
    places = _places()
    households = []
    for number in range(1, count + 1):
        code, top, child, area = rng.choice(places)
        shape = rng.choices(_SHAPES, _SHAPE_WEIGHTS)[0]
        expected = rng.choices(_EXPECTED, _EXPECTED_WEIGHTS)[0]
        if expected == UNVERIFIED and shape == "elderly":
            expected = MEETS
        standard = 780 if area is Area.URBAN else 755
        members = _with_records(people, _shape(people, shape), expected, standard)
        house = f"{rng.randint(1, 12)}栋{rng.randint(1, 6)}0{rng.randint(1, 4)}室" if area is Area.URBAN else ""
        address = f"安徽省广德市{township_names[code]}{top}{child}{house or f'{rng.randint(1, 60)}号'}"
        households.append(
            DemoHousehold(
                f"h{number:03d}",
                code,
                (top, child),
                address,
                area,
                tuple(members),
                registered_poor=rng.random() < 0.12,
                expected=expected,
            )
        )
    return tuple(households)


HOUSEHOLDS = NAMED_HOUSEHOLDS + generate_households()


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
    history: dict[str, list[int]] = field(default_factory=dict)  # seeded-history state → case ids

    def household(self, key: str) -> DemoHousehold:
        return _BY_KEY[key]

    def accounts(self) -> list[tuple[str, str, str, str]]:
        """(login, name, role, township name) of every demo account."""
        names = {code: name for code, name, _ in TOWNSHIPS}
        return [(login, name, role.value, names.get(code or "", "全县")) for login, name, role, code, _ in STAFF]

    def sign_in_text(self) -> str:
        lines = [f"演示账号（{self.county}，密码均为 {self.password}）："]
        lines += [f"  {login:<18} {name}  {role}  {place}" for login, name, role, place in self.accounts()]
        if self.history:
            seeded = "，".join(f"{STATES[state]} {len(ids)}" for state, ids in self.history.items() if ids)
            lines.append(f"演示历史案件（无流程实例）：{seeded}")
        return "\n".join(lines)

    def assistant_for(self, household: DemoHousehold) -> str:
        """The village assistant (协理员) of the household's administrative village."""
        return next(
            login
            for login, _, role, code, village in STAFF
            if role is StaffRole.VILLAGE_ASSISTANT and code == household.township and village == household.village[0]
        )

    def application(self, key: str, case_type: str, received_at: datetime, **extra: Any) -> dict[str, Any]:
        """Start variables of an application, shaped as the task list's intake sends them."""
        household = self.household(key)
        assistant = self.assistant_for(household)
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


_BY_KEY = {h.key: h for h in HOUSEHOLDS}
_NAMED_KEYS = frozenset(h.key for h in NAMED_HOUSEHOLDS)


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
    known = {m.id_number: m for m in session.exec(select(Member))}
    new_members: list[Member] = []
    for demo in HOUSEHOLDS:
        existing = known.get(demo.members[0].id_number)
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
            if member.id_number not in known:
                new_members.append(
                    Member(
                        household_id=household.id,
                        name=member.name,
                        id_number=member.id_number,
                        relationship=member.relationship,
                        disability_kind=kind,
                        disability_grade=grade,
                        seriously_ill=member.seriously_ill,
                        work_capacity=member.work_capacity,
                        phone=member.phone,
                    )
                )
            if member.in_registry:
                county.registry.setdefault("persons", {})[member.id_number] = {
                    "name": member.name,
                    "records": list(member.records),
                }
    session.add_all(new_members)
    session.flush()


def _seed_passwords(db: Engine, county: DemoCounty) -> None:
    """Every demo account gets the demo password (hashed once: argon2 is slow on purpose)."""
    create_tables(db)
    missing = [login for login in county.staff if stored_hash(db, login) is None]
    if not missing:
        return
    hashed = hash_password(county.password)
    with db.begin() as conn:
        conn.execute(
            credentials.insert(),
            [{"login": login, "password_hash": hashed, "updated_at": datetime.now(UTC)} for login in missing],
        )


def seed(
    database_url: str,
    now: datetime,
    *,
    data_dir: Path | None = None,
    password: str | None = None,
    history: bool = True,
) -> DemoCounty:
    """Seed the demo county (idempotent) and, with ``data_dir``, the fake platform's registry file.

    ``history`` also writes the seeded-history cases (every state, dated back from ``now``) by
    running the workers' handlers; they have no process instance. Households that already have a
    case are left alone, so a second run adds nothing.
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
    if history:
        seed_history(county, now, data_dir=data_dir)
    return county


# --- seeded history: cases in every state, written by the workers' own handlers -----------------

# Job and process-instance keys of seeded history: far above any key the engine hands out, and the
# cases lose theirs afterwards (they have no process instance).
HISTORY_KEYS = 9_000_000_000_000_000
HISTORY_ACTOR = "demo:seed"
HISTORY_ACTION = "demo.seeded-history"
HISTORY_NOTE = "演示数据：按现行规则由工作人员任务处理程序生成的历史案件，无流程实例"
STATES = {
    "accepted": "已受理",
    "checking": "核对中",
    "visiting": "入户调查",
    "awaiting_approval": "待审批",
    "in_publicity": "公示中",
    "paying": "已批准、按月发放",
    "check_failed": "核对不符合、已书面告知",
    "emergency_paid": "已先行救助",
    "emergency_closed": "先行救助后结案",
    "dynamic": "动态管理中（已复核）",
    "stopped": "已停发",
}
# (state, programme, number of cases, which households)
HISTORY_PLAN: tuple[tuple[str, Programme, int, str], ...] = (
    ("accepted", Programme.DIBAO, 3, MEETS),
    ("checking", Programme.DIBAO, 2, MEETS),
    ("visiting", Programme.DIBAO, 3, MEETS),
    ("visiting", Programme.DIBAO, 1, UNVERIFIED),  # 需进一步核实: the township verifies on the visit
    ("awaiting_approval", Programme.DIBAO, 3, MEETS),
    ("in_publicity", Programme.DIBAO, 3, MEETS),
    ("paying", Programme.DIBAO, 26, MEETS),
    ("paying", Programme.TEKUN, 4, "tekun"),
    ("check_failed", Programme.DIBAO, 5, INCOME_TOO_HIGH),
    ("check_failed", Programme.DIBAO, 4, PROPERTY),
    ("emergency_paid", Programme.TEMPORARY_EMERGENCY, 2, MEETS),
    ("emergency_closed", Programme.TEMPORARY_EMERGENCY, 1, MEETS),
    ("dynamic", Programme.DIBAO, 5, MEETS),
    ("stopped", Programme.DIBAO, 3, MEETS),
)
_CAUSES = (("火灾", "房屋失火，家中衣物、粮食和家具烧毁"), ("意外事故", "户主务工时受伤住院，家庭暂无收入"))
_ALL_ABLE = {"eating": True, "dressing": True, "bed_transfer": True, "toileting": True, "walking_indoors": True}


def _yuan(amount: Any) -> str:
    return format_yuan(Decimal(str(amount)))


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


class _Clock:
    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def __call__(self) -> datetime:
        return self.instant


class HistoryError(RuntimeError):
    """A seeded-history case did not come out as planned (the rules changed under the demo)."""


def _tekun_candidate(household: DemoHousehold, now: datetime) -> bool:
    [only] = household.members if len(household.members) == 1 else (None,)
    return only is not None and int(only.id_number[6:10]) <= now.year - 62


def history_plan(now: datetime) -> list[tuple[str, Programme, DemoHousehold]]:
    """(state, programme, household) of every seeded-history case: the same households every time."""
    pools: dict[str, list[DemoHousehold]] = {MEETS: [], INCOME_TOO_HIGH: [], PROPERTY: [], UNVERIFIED: [], "tekun": []}
    for household in HOUSEHOLDS:
        if household.key in _NAMED_KEYS:
            continue  # start_cases opens theirs on the engine
        if household.expected == MEETS and _tekun_candidate(household, now):
            pools["tekun"].append(household)
        else:
            pools[household.expected].append(household)
    plan = []
    for state, programme, count, pool in HISTORY_PLAN:
        for _ in range(count):
            plan.append((state, programme, pools[pool].pop(0)))
    return plan


class _History:
    """Drives one case at a time through the job handlers, each job at its own instant."""

    def __init__(self, county: DemoCounty, now: datetime, data_dir: Path, registry_file: Path) -> None:
        from workers import WorkerSettings, build_services
        from workers.verification.platform import FakeProvincialPlatform

        self.county = county
        self.now = now.astimezone(CST)
        self.clock = _Clock(self.now)
        settings = WorkerSettings(
            database_url=county.database_url,
            data_dir=data_dir,
            platform="fake",
            registry_file=registry_file,
            county_name=COUNTY,
            notice_pdf=False,  # seeded history keeps HTML only: rendering 90-odd PDFs tripled the seed time
        )
        self.services = build_services(settings, clock=self.clock, platform=FakeProvincialPlatform(registry_file))
        if self.services.db.dialect.name == "sqlite":  # a seed is rerun, not recovered: skip the fsync per job
            event.listen(self.services.db, "connect", _no_fsync)
        self.calendar = self.services.calendar
        self.rng = random.Random(20260302)
        self.instance = HISTORY_KEYS
        self.job_key = HISTORY_KEYS

    def close(self) -> None:
        self.services.db.dispose()

    # -- time
    def day(self, working_days_back: int) -> date:
        """The working day ``working_days_back`` working days before today (or the last one)."""
        day = self.now.date()
        while not self.calendar.is_working_day(day):
            day -= timedelta(days=1)
        for _ in range(working_days_back):
            day -= timedelta(days=1)
            while not self.calendar.is_working_day(day):
                day -= timedelta(days=1)
        return day

    def after(self, day: date, working_days: int) -> date:
        return self.calendar.add_working_days(day, working_days).value

    @staticmethod
    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=CST)

    # -- jobs
    def run(self, job_type: str, variables: dict[str, Any], at: datetime) -> dict[str, Any] | Any:
        from pyzeebe import Job

        from workers.runtime import HANDLERS, execute

        if at > self.now:
            raise HistoryError(f"{job_type} would run at {at.isoformat()}, after now ({self.now.isoformat()})")
        self.clock.instant = at
        self.job_key += 1
        contract, handler = HANDLERS[job_type]
        job = Job(
            key=self.job_key,
            type=job_type,
            process_instance_key=self.instance,
            bpmn_process_id="demo-history",
            process_definition_version=1,
            process_definition_key=HISTORY_KEYS,
            element_id="Seeded_History",
            element_instance_key=self.job_key,
            custom_headers={},
            worker=HISTORY_ACTOR,
            retries=1,
            deadline=0,
            variables=json.loads(json.dumps(variables, default=str)),
        )
        return execute(self.services, contract, handler, job)

    def ok(self, job_type: str, variables: dict[str, Any], at: datetime) -> dict[str, Any]:
        result = self.run(job_type, variables, at)
        if not isinstance(result, dict):
            raise HistoryError(f"{job_type} threw {result.code}: {result.message}")
        return result

    # -- steps shared by the cases
    def accept(self, household: DemoHousehold, programme: Programme, at: datetime, **extra: Any) -> dict[str, Any]:
        self.instance += 1
        variables = self.county.application(household.key, programme.value, at, path="county", **extra)
        case = self.ok("application.accept", variables, at)
        self.ok(
            "sla.compute-deadlines",
            {"caseId": case["caseId"], "caseType": programme.value, "path": "county", "acceptedAt": case["acceptedAt"]},
            at,
        )
        return case

    def check(self, household: DemoHousehold, case: dict[str, Any], at: datetime) -> dict[str, Any] | Any:
        variables = {
            "caseId": case["caseId"],
            "householdId": case["householdId"],
            "memberIdNumbers": [m.id_number for m in household.members],
            "checkAuthorised": True,
        }
        return self.run("verification.check-economic-status", variables, at)

    def visit(self, household: DemoHousehold, case: dict[str, Any], day: date, *, record: bool = True) -> None:
        scheduled = self.ok(
            "visit.schedule",
            {
                "caseId": case["caseId"],
                "townshipId": self.county.townships[household.township],
                "acceptedAt": case["acceptedAt"],
            },
            self.at(day, 10, 5),
        )
        if not record:
            return
        town = "taozhou" if household.township == "341822100" else "xinhang"
        first, second = self.county.staff[f"{town}.jingban"], self.county.staff[f"{town}.jingban2"]
        visit_day = self.after(day, 1)
        self.ok(
            "visit.record",
            {
                "caseId": case["caseId"],
                "visitId": scheduled["visitId"],
                "visitorIds": [first, second],
                "visitedAt": self.at(visit_day, 9, 30).isoformat(),
                "findings": "入户核实家庭人口、住房和收入情况，与申报一致；家中无车辆、无经营活动。",
                "passed": True,
                "signatures": [
                    {"role": "调查人员", "name": STAFF_NAMES[f"{town}.jingban"], "staffId": first},
                    {"role": "调查人员", "name": STAFF_NAMES[f"{town}.jingban2"], "staffId": second},
                    {"role": "家庭成员", "name": household.members[0].name},
                ],
            },
            self.at(visit_day, 11),
        )

    def assess(self, household: DemoHousehold, case: dict[str, Any], programme: Programme, day: date) -> dict[str, Any]:
        variables: dict[str, Any] = {
            "caseId": case["caseId"],
            "caseType": programme.value,
            "path": "county",
            "area": household.area.value,
            "assessedOn": day.isoformat(),
            "members": [m.variables() for m in household.members],
            "incomeItems": household.income_items(),
            "propertyWithinLimits": True,
        }
        if programme is Programme.TEKUN:
            abilities = {**_ALL_ABLE, "bathing": False, "walking_indoors": self.rng.random() < 0.5}
            care = self.ok(
                "eligibility.assess-self-care",
                {"caseId": case["caseId"], "memberId": case["applicantId"], "abilities": abilities},
                self.at(day, 14),
            )
            variables["selfCareLevel"] = care["selfCareLevel"]
        assessed = self.ok("eligibility.assess", variables, self.at(day, 15))
        if not assessed["eligible"] or not assessed["proposedAmount"]:
            raise HistoryError(f"{household.key} 未通过认定：{assessed['reasons']}")
        assessed["selfCareLevel"] = variables.get("selfCareLevel")
        return assessed

    def approve(
        self, household: DemoHousehold, case: dict[str, Any], programme: Programme, assessed: dict[str, Any], day: date
    ) -> tuple[dict[str, Any], datetime]:
        town = "taozhou" if household.township == "341822100" else "xinhang"
        decided_at = self.at(day, 16)
        decision = self.ok(
            "approval.record",
            {
                "caseId": case["caseId"],
                "caseType": programme.value,
                "approverId": self.county.staff[f"{town}.lingdao"],
                "decisionOutcome": "批准",
                "amount": assessed["proposedAmount"],
                "addOns": assessed["addOns"],
                "selfCareLevel": assessed["selfCareLevel"],
                "reasons": f"家庭月人均收入 {_yuan(assessed['perCapitaIncome'])}，"
                f"低于当地低保标准 {_yuan(assessed['standard'])}；财产状况符合规定；入户调查情况属实。",
                "decidedAt": decided_at.isoformat(),
            },
            decided_at,
        )
        return decision, decided_at

    def publish(
        self, household: DemoHousehold, case: dict[str, Any], decision: dict[str, Any], day: date
    ) -> dict[str, Any]:
        return self.ok(
            "publicity.publish",
            {
                "caseId": case["caseId"],
                "decisionId": decision["decisionId"],
                "villageId": self.county.villages["/".join(household.village)],
                "startDate": day.isoformat(),
            },
            self.at(day, 16, 30),
        )

    def notify(self, case: dict[str, Any], decision_id: int, at: datetime, kind: str = "批准通知书") -> dict[str, Any]:
        notice = self.ok(
            "notice.issue-decision", {"caseId": case["caseId"], "decisionId": decision_id, "noticeKind": kind}, at
        )
        delivered = self.at(self.after(at.date(), 1), 10)
        self.ok(
            "notice.record-delivery",
            {
                "noticeId": notice["noticeId"],
                "deliveredAt": delivered.isoformat(),
                "receiptReference": f"送达回证-{notice['noticeId']:05d}",
            },
            delivered,
        )
        return notice

    def pay_months(self, case: dict[str, Any], decisions: list[tuple[date, int, Any]], stop: date | None) -> None:
        """Monthly payment runs (the 10th) from the first month to now, each under its decision."""
        month = decisions[0][0]
        schedule_key = f"monthly-{case['caseId']}-{decisions[0][1]}-{month:%Y-%m}"
        while stop is None or month < stop:
            run_at = self.at(month.replace(day=10), 9)
            if run_at > self.now:
                break
            _, decision_id, amount = [d for d in decisions if d[0] <= month][-1]
            key = schedule_key if month == decisions[0][0] else f"run-{month:%Y-%m}-case-{case['caseId']}"
            self.ok(
                "payment.pay-monthly",
                {
                    "caseId": case["caseId"],
                    "householdId": case["householdId"],
                    "decisionId": decision_id,
                    "month": month.isoformat(),
                    "amount": amount,
                    "idempotencyKey": key,
                },
                run_at,
            )
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)

    # -- the states
    def drive(self, state: str, programme: Programme, household: DemoHousehold, index: int) -> int:
        if state in ("emergency_paid", "emergency_closed"):
            return self.emergency(state, household, index)
        months_back = {"paying": 2 + index % 12, "dynamic": 9 + index % 5, "stopped": 8 + index % 4}
        if state == "check_failed":
            start = self.day(3) if index == 0 else self.day(22 * (1 + index % 9))
        elif state in months_back:
            start = self.day(22 * months_back[state])
        else:
            back = {"accepted": 0, "checking": 1, "visiting": 1, "awaiting_approval": 3, "in_publicity": 6}[state]
            start = self.day(back)
        accepted_at = self.at(start, 9, 10 + index)
        if accepted_at > self.now:
            accepted_at = self.now - timedelta(minutes=30 + index)
        case = self.accept(household, programme, accepted_at, checkAuthorised=state != "accepted")
        if state in ("accepted", "checking"):
            return int(case["caseId"])
        checked = self.check(household, case, accepted_at + timedelta(minutes=40))
        if state == "check_failed":
            return self.reject(case, checked, accepted_at + timedelta(minutes=40))
        if not isinstance(checked, dict):
            raise HistoryError(f"{household.key} 核对不符合：{checked.message}")
        self.visit(household, case, accepted_at.date(), record=state != "visiting")
        if state == "visiting":
            return int(case["caseId"])
        assessed = self.assess(household, case, programme, self.after(start, 2))
        if state == "awaiting_approval":
            return int(case["caseId"])
        decision, decided_at = self.approve(household, case, programme, assessed, self.after(start, 4))
        publicity = self.publish(household, case, decision, decided_at.date())
        if state == "in_publicity":
            return int(case["caseId"])
        closed_at = self.at(date.fromisoformat(publicity["periodEnd"]) + timedelta(days=1), 0, 5)
        self.ok("publicity.close", {"publicityId": publicity["publicityId"]}, closed_at)
        self.notify(case, decision["decisionId"], closed_at + timedelta(hours=9))
        amount = assessed["proposedAmount"]
        first = date.fromisoformat(decision["effectiveMonth"])
        self.ok(
            "payment.schedule",
            {
                "caseId": case["caseId"],
                "householdId": case["householdId"],
                "decisionId": decision["decisionId"],
                "monthlyAmount": amount,
                "effectiveMonth": first.isoformat(),
            },
            closed_at + timedelta(hours=9, minutes=5),
        )
        decisions: list[tuple[date, int, Any]] = [(first, decision["decisionId"], amount)]
        stop = None
        if state in ("dynamic", "stopped"):
            stop = self.recheck(state, household, case, decisions, decided_at, index)
        self.pay_months(case, decisions, stop)
        return int(case["caseId"])

    def reject(self, case: dict[str, Any], checked: Any, at: datetime) -> int:
        if isinstance(checked, dict):
            raise HistoryError(f"案件 {case['caseNumber']} 核对结果为符合，不能作为核对不符合的历史案件")
        variables = checked.variables
        facts = [f["finding"] for f in variables["findings"] if f["outcome"] == "不符合"]
        notice = self.ok(
            "notice.issue-rejection",
            {
                "caseId": case["caseId"],
                "facts": facts,
                "checkReportId": variables["checkReportId"],
                "decisionId": None,
                "decidedAt": at.isoformat(),
            },
            at + timedelta(hours=1),
        )
        delivered = self.at(self.after(at.date(), 1), 10)
        if delivered <= self.now:
            self.ok(
                "notice.record-delivery",
                {
                    "noticeId": notice["noticeId"],
                    "deliveredAt": delivered.isoformat(),
                    "receiptReference": f"送达回证-{notice['noticeId']:05d}",
                },
                delivered,
            )
        closed = delivered + timedelta(days=16)  # nobody disputed the check within the window
        if closed <= self.now:
            self.ok(
                "case.close",
                {"caseId": case["caseId"], "finalStatus": "不予批准", "closedAt": closed.isoformat()},
                closed,
            )
        return int(case["caseId"])

    def recheck(
        self,
        state: str,
        household: DemoHousehold,
        case: dict[str, Any],
        decisions: list[tuple[date, int, Any]],
        decided_at: datetime,
        index: int,
    ) -> date | None:
        able = any(m.work_capacity is not WorkCapacity.NONE for m in household.members)
        planned = self.ok(
            "dynamic.schedule-recheck",
            {
                "caseId": case["caseId"],
                "fromDate": decided_at.date().isoformat(),
                "incomeStable": not able,
                "memberAbleToWork": able,
            },
            decided_at + timedelta(days=20),
        )
        due = date.fromisoformat(planned["nextRecheckDue"])
        if self.at(due, 10) > self.now:
            due = self.day(5)
        checked_at = self.at(due, 10)
        if state == "dynamic" and not isinstance(self.check(household, case, checked_at), dict):
            raise HistoryError(f"{household.key} 复核核对不符合")
        town = "taozhou" if household.township == "341822100" else "xinhang"
        amount = decisions[0][2]
        outcome = "停发" if state == "stopped" else ("调整" if index % 2 else "维持")
        new_amount = round(float(amount) * 0.8) if outcome == "调整" else None
        reasons = {
            "停发": "复核入户发现子女已稳定就业并共同生活，家庭月人均收入已高于当地低保标准；已听取家庭陈述申辩。",
            "调整": "复核发现家庭收入有所增加，按差额调整救助金额；已听取家庭陈述申辩。",
            "维持": "复核家庭人口、收入和财产状况无变化，继续保障。",
        }[outcome]
        recorded_at = checked_at + timedelta(days=3)
        result = self.ok(
            "dynamic.record-recheck",
            {
                "caseId": case["caseId"],
                "recheckOutcome": outcome,
                "newAmount": new_amount,
                "reasons": reasons,
                "householdHeard": True,
                "decidedAt": recorded_at.isoformat(),
                "approverId": self.county.staff[f"{town}.lingdao"],
            },
            recorded_at,
        )
        if result["decisionId"] is not None:
            self.notify(case, result["decisionId"], recorded_at + timedelta(hours=1), "变更告知书")
        effective = date.fromisoformat(result["effectiveMonth"]) if result["effectiveMonth"] else None
        if outcome == "调整" and effective is not None:
            decisions.append((effective, result["decisionId"], new_amount))
        if outcome == "停发":
            closed = recorded_at + timedelta(days=2)
            self.ok(
                "case.close",
                {"caseId": case["caseId"], "finalStatus": "已停发", "closedAt": closed.isoformat()},
                closed,
            )
            return effective
        self.ok(
            "dynamic.schedule-recheck",
            {
                "caseId": case["caseId"],
                "fromDate": recorded_at.date().isoformat(),
                "incomeStable": not able,
                "memberAbleToWork": able,
            },
            recorded_at + timedelta(hours=2),
        )
        return None

    def emergency(self, state: str, household: DemoHousehold, index: int) -> int:
        cause, what = _CAUSES[index % len(_CAUSES)]
        if state == "emergency_paid":
            reported = self.now - timedelta(hours=6 + 5 * index)
        else:
            reported = self.at(self.day(40), 20, 30)
        case = self.accept(
            household,
            Programme.TEMPORARY_EMERGENCY,
            reported,
            emergencyCause=cause,
            incidentLocation=household.address.removeprefix("安徽省广德市"),
        )
        town = "taozhou" if household.township == "341822100" else "xinhang"
        amount = 1500 if cause == "火灾" else 1200
        paid_at = reported + timedelta(hours=3)
        self.ok(
            "payment.pay-emergency",
            {
                "caseId": case["caseId"],
                "householdId": case["householdId"],
                "amount": amount,
                "emergencyCause": cause,
                "reportedAt": case["acceptedAt"],
                "paidById": self.county.staff[f"{town}.lingdao"],
                "idempotencyKey": f"emergency-{case['caseId']}",
            },
            paid_at,
        )
        if state == "emergency_closed":
            follow_up = paid_at + timedelta(days=5)
            self.ok(
                "referral.create",
                {"householdId": case["householdId"], "caseId": case["caseId"], "target": "医疗救助", "reason": what},
                follow_up,
            )
            closed = follow_up + timedelta(hours=2)
            self.ok(
                "case.close",
                {"caseId": case["caseId"], "finalStatus": "已结案", "closedAt": closed.isoformat()},
                closed,
            )
        return int(case["caseId"])

    def mark(self, case_id: int, state: str) -> None:
        """Seeded history has no process instance: drop the synthetic key and say so in the audit log."""
        with Session(self.services.db) as session, session.begin():
            case = session.get(Case, case_id)
            if case is None:
                raise HistoryError(f"案件 {case_id} 不在案件记录中")
            details: dict[str, Any] = {"note": HISTORY_NOTE, "state": state, "stateLabel": STATES[state]}
            if state == "checking":  # the platform's report has not come back yet
                case.check_authorised_at = case.accepted_at
                case.status = CaseStatus.CHECKING
                details["statusTo"] = CaseStatus.CHECKING.value
            case.process_instance_key = None
            session.add(case)
            session.add(
                AuditEntry(at=self.now, actor=HISTORY_ACTOR, action=HISTORY_ACTION, case_id=case_id, details=details)
            )


STAFF_NAMES = {login: name for login, name, _, _, _ in STAFF}


def seed_history(county: DemoCounty, now: datetime, *, data_dir: Path | None = None) -> None:
    """Cases in every state, dated back from ``now``, run through the workers' handlers (idempotent:
    a household that already has a case is skipped)."""
    db = make_engine(county.database_url)
    try:
        with Session(db) as session:
            with_cases = set(session.exec(select(Case.household_id)).all())
            seeded = session.exec(select(AuditEntry).where(AuditEntry.action == HISTORY_ACTION)).all()
    finally:
        db.dispose()
    for entry in seeded:
        county.history.setdefault(entry.details["state"], []).append(entry.case_id or 0)
    plan = [
        (state, programme, household)
        for state, programme, household in history_plan(now)
        if county.households[household.key] not in with_cases
    ]
    if not plan:
        return
    with tempfile.TemporaryDirectory(prefix="jiuzhu-demo-") as scratch:
        work_dir = data_dir or Path(scratch)
        registry_file = work_dir / REGISTRY_FILE
        if county.registry_file is None:
            registry_file.write_text(json.dumps(county.registry, ensure_ascii=False), "utf-8")
        history = _History(county, now, work_dir, county.registry_file or registry_file)
        try:
            counters: dict[str, int] = {}
            for state, programme, household in plan:
                index = counters.get(state, 0)
                counters[state] = index + 1
                case_id = history.drive(state, programme, household, index)
                history.mark(case_id, state)
                county.history.setdefault(state, []).append(case_id)
        finally:
            history.close()


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


async def _start_over_grpc(
    address: str, starts: Iterable[tuple[str, dict[str, Any]]], credentials: Any = None
) -> list[int]:
    from pyzeebe import ZeebeClient

    from jiuzhu.oauth import OAuthCredentials, zeebe_channel

    # Given credentials, else ZEEBE_CLIENT_ID/SECRET/AUTHORIZATION_SERVER_URL as zbctl reads them.
    channel = zeebe_channel(address, credentials or OAuthCredentials.from_env())
    try:
        client = ZeebeClient(channel)
        return [(await client.run_process(process, variables)).process_instance_key for process, variables in starts]
    finally:
        await channel.close()


def start_cases(
    zeebe_address_or_engine: str | Any, county: DemoCounty, *, now: datetime | None = None, credentials: Any = None
) -> list[int]:
    """Open the demo applications (one near its SLA warning, one 急难型 20 hours in) and return their
    process instance keys. Households that already have a case are skipped, so a restart adds none.

    ``zeebe_address_or_engine``: a gateway address ``host:port``, an ``EngineServer`` or an ``Engine``;
    ``credentials`` (``jiuzhu.oauth.OAuthCredentials``) for a gateway that requires them.
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
        keys: list[int] = _run_coroutine(_start_over_grpc(target, starts, credentials))
        return keys
    engine: _Starts = target
    return [engine.create_instance(process, variables).key for process, variables in starts]
