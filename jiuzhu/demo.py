"""A sample county for ``jiuzhu up --demo``: townships, villages, staff of every role with task-list
passwords, households with valid resident IDs, registry data for the fake check platform, and a
few applications in flight.

    county = seed(database_url, now, data_dir=Path("var"))   # idempotent: a second run adds nothing
    print(county.sign_in_text())
    start_cases(server.engine, county)                         # or a gateway address "host:port"

Everything is invented; the ID numbers are valid GB 11643 numbers of no real person (area 341822).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import threading
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Engine
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

if TYPE_CHECKING:
    from jiuzhu.testing.casework import CasePlan

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
            lines.append(f"演示历史案件（均有流程实例）：{seeded}")
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
    engine_database_url: str | None = None,
    insecure: bool = False,
) -> DemoCounty:
    """Seed the demo county (idempotent) and, with ``data_dir``, the fake platform's registry file.

    ``history`` also runs the seeded-history cases (every state, dated back from ``now``) through
    the real processes on an engine kept in ``data_dir`` (``seed_history``), so each has its process
    instance, running or finished. Households that already have a case are left alone, so a second
    run adds nothing. Run it before an engine serves ``data_dir``: that engine then has them.
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
        if data_dir is None:
            raise ValueError("the seeded history runs on an engine whose state is kept in data_dir: give one")
        seed_history(county, now, data_dir=data_dir, engine_database_url=engine_database_url, insecure=insecure)
    return county


# --- seeded history: cases in every state, run through the real processes -----------------------

HISTORY_ACTOR = "demo:seed"
HISTORY_ACTION = "demo.seeded-history"
HISTORY_NOTE = "演示数据：在快进的受控时钟上由真实流程实例和工作人员任务生成的历史案件"
STATES = {
    "accepted": "已受理",
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
# The case status each state ends in (checked after the run: the processes decide, not the demo).
STATUS_OF = {
    "accepted": CaseStatus.ACCEPTED,
    "visiting": CaseStatus.VISITING,
    "awaiting_approval": CaseStatus.AWAITING_APPROVAL,
    "in_publicity": CaseStatus.IN_PUBLICITY,
    "paying": CaseStatus.APPROVED,
    "check_failed": CaseStatus.REJECTED,
    "emergency_paid": CaseStatus.RELIEVED_FIRST,
    "emergency_closed": CaseStatus.CLOSED,
    "dynamic": CaseStatus.APPROVED,
    "stopped": CaseStatus.TERMINATED,
}
# The user tasks a case of each state is left waiting at (every other task is done as people do it).
STOP_AT = {
    "accepted": frozenset({"Activity_AuthoriseCheck"}),  # the members have not all signed yet
    "visiting": frozenset({"Activity_ConductVisit", "Activity_TownshipFollowUp"}),
    "awaiting_approval": frozenset({"Activity_LeaderApproval", "Activity_CountyConfirmation"}),
    "emergency_paid": frozenset({"Activity_EmergencyFollowUp"}),
}
# (state, programme, number of cases, which households)
HISTORY_PLAN: tuple[tuple[str, Programme, int, str], ...] = (
    ("accepted", Programme.DIBAO, 3, MEETS),
    ("visiting", Programme.DIBAO, 3, MEETS),
    ("visiting", Programme.DIBAO, 1, UNVERIFIED),  # 需进一步核实: the township verifies first
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
_CAUSES = (("火灾", "新杭镇流洞村"), ("意外事故", "桃州镇东亭村"))


def _yuan(amount: Any) -> str:
    return format_yuan(Decimal(str(amount)))


class HistoryError(RuntimeError):
    """A seeded-history case did not come out as planned (the rules or the processes changed)."""


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


def history_cases(
    plan: Iterable[tuple[str, Programme, DemoHousehold]], now: datetime, calendar: WorkingCalendar
) -> list[CasePlan]:
    """When each seeded-history case is applied for, and where it is left (``CasePlan.label``: its state).

    Dated back from ``now`` so the processes' own timers bring each to its state by ``now``: a
    publicity still running, a dispute window still open, one re-check done in dynamic management
    (half-yearly when income is unstable), months of payments behind the cases paid monthly."""
    from jiuzhu.testing.casework import CasePlan

    local = now.astimezone(CST)

    def day(back: int) -> date:
        """The working day ``back`` working days before today (or the last one)."""
        found = local.date()
        while not calendar.is_working_day(found):
            found -= timedelta(days=1)
        for _ in range(back):
            found -= timedelta(days=1)
            while not calendar.is_working_day(found):
                found -= timedelta(days=1)
        return found

    cases = []
    counters: dict[str, int] = {}
    for state, programme, household in plan:
        index = counters.get(state, 0)
        counters[state] = index + 1
        extra: dict[str, Any] = {}
        pace = None
        if state in ("emergency_paid", "emergency_closed"):
            cause, _ = _CAUSES[index % len(_CAUSES)]
            if state == "emergency_paid":
                received = local - timedelta(hours=6 + 5 * index)
            else:
                received = datetime.combine(day(40), time(20, 30), tzinfo=CST)
            process = "temporary-assistance"
            extra = {"emergencyCause": cause, "incidentLocation": household.address.removeprefix("安徽省广德市")}
            pace = timedelta(hours=3)  # the leader approves the relief within hours, the paperwork follows
        else:
            months_back = {"paying": 2 + index % 10, "dynamic": 7 + index % 5, "stopped": 8 + index % 4}
            if state == "check_failed":
                start = day(3) if index == 0 else day(22 * (1 + index % 9))
            elif state in months_back:
                start = day(22 * months_back[state])
            else:
                start = day({"accepted": 0, "visiting": 1, "awaiting_approval": 3, "in_publicity": 6}[state])
            received = datetime.combine(start, time(9, 10 + index), tzinfo=CST)
            if received > local:
                received = local - timedelta(minutes=30 + index)
            process = "assistance-application"
            extra = {"checkAuthorised": state != "accepted"}
        recheck = {"dynamic": "调整" if index % 2 else "维持", "stopped": "停发"}.get(state, "维持")
        cases.append(
            CasePlan(
                household,
                process,
                programme.value,
                received,
                stop_at=STOP_AT.get(state, frozenset()),
                recheck=recheck,
                income_stable=state not in ("dynamic", "stopped"),  # half-yearly re-checks: one is due by now
                extra=extra,
                pace=pace,
                label=state,
            )
        )
    return cases


STAFF_NAMES = {login: name for login, name, _, _, _ in STAFF}


def seed_history(
    county: DemoCounty,
    now: datetime,
    *,
    data_dir: Path,
    engine_database_url: str | None = None,
    insecure: bool = False,
) -> None:
    """Cases in every state, dated back from ``now``, run through the real processes on an engine
    whose state is kept in ``data_dir`` (``engine.db``, or ``engine_database_url``), with the real
    workers, on a controlled clock fast-forwarded to ``now``: an engine started afterwards on that
    directory serves their instances. Idempotent: a household that already has a case is skipped."""
    from jiuzhu.calendar_admin import load_calendar
    from jiuzhu.testing.casework import Casework

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
    data_dir.mkdir(parents=True, exist_ok=True)
    registry_file = county.registry_file or data_dir / REGISTRY_FILE
    if county.registry_file is None:
        registry_file.write_text(json.dumps(county.registry, ensure_ascii=False), "utf-8")
    cases = history_cases(plan, now, load_calendar(data_dir))
    start = min(c.received_at for c in cases) - timedelta(hours=1)
    settings = {"platform": "fake", "registry_file": registry_file, "county_name": COUNTY}
    with Casework(
        data_dir,
        county.database_url,
        start=start,
        engine_database_url=engine_database_url,
        insecure=insecure,
        worker_settings=settings,
    ) as casework:
        casework.run(county, cases, until=now, payments_actor="demo:payments")
    _mark(county, cases, now)


def _mark(county: DemoCounty, cases: list[Any], now: datetime) -> None:
    """Check each case came out in its planned state and say in the audit log that it is seeded history."""
    db = make_engine(county.database_url)
    try:
        with Session(db) as session, session.begin():
            for plan in cases:
                case = session.get(Case, plan.case_id)
                if case is None:
                    raise HistoryError(f"{plan.household.key} ({plan.label}) 不在案件记录中")
                if case.status is not STATUS_OF[plan.label]:
                    raise HistoryError(
                        f"案件 {case.case_number}（{plan.household.key}）应为「{STATUS_OF[plan.label].value}」，"
                        f"流程走完后为「{case.status.value}」；已办任务：{plan.completed}"
                    )
                details = {"note": HISTORY_NOTE, "state": plan.label, "stateLabel": STATES[plan.label]}
                session.add(
                    AuditEntry(
                        at=now,
                        actor=HISTORY_ACTOR,
                        action=HISTORY_ACTION,
                        case_id=case.id,
                        process_instance_key=case.process_instance_key,
                        details=details,
                    )
                )
                county.history.setdefault(plan.label, []).append(case.id or 0)
    finally:
        db.dispose()


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
