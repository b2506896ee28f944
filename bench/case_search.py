"""Benchmark: case search (jiuzhu.tasklist.casesearch) over 10,000 cases, against a primary-key lookup.

Run: `.venv/bin/python bench/case_search.py [--cases 10000] [--requests 200]`. Prints one table.

What is measured
- A case record on SQLite in a temp dir (schemas.tables, as `jiuzhu up` creates it): two
  townships, 20 villages with a group each, ``--cases`` households with two members and one case
  each (schemes, statuses and deadlines spread over the rows; 10 % in the other township).
- Each search is the task list's own ``search_cases`` for a township caseworker (scope, joins,
  count and one page of 50 with village labels) — the SQL and Python cost of the /cases page
  without Jinja2 and HTTP.
- **baseline**: ``Session.get(Case, id)`` for a random id: the cheapest question the same database
  answers. Each query runs ``--warmup`` times unmeasured, then ``--requests`` times; p50 and p95 of
  the wall time, and p95 as a multiple of the baseline's p95 (the figure that travels between machines).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from jiuzhu.policy.ids import compute_check_char  # noqa: E402
from jiuzhu.tasklist.casesearch import CaseQuery, search_cases  # noqa: E402
from jiuzhu.tasklist.roles import Principal  # noqa: E402
from schemas.db import make_engine  # noqa: E402
from schemas.enums import (  # noqa: E402  # noqa: E402
    Area,
    CasePath,
    CaseStatus,
    Channel,
    Programme,
    Relationship,
    StaffRole,
    VillageKind,
    WorkCapacity,
)
from schemas.tables import Case, Household, Member, Township, Village, metadata  # noqa: E402

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀英明华志强桂兰德胜玉梅海燕春生丽娟文军小红"


def id_number(index: int, member: int) -> str:
    born = datetime(1940, 1, 1) + timedelta(days=(index * 37 + member * 4001) % 25_000)
    body = f"341822{born:%Y%m%d}{(index * 2 + member) % 1000:03d}"
    # The sequence repeats every 500 households: vary the area code's last digits instead.
    body = f"34{(index // 500) % 90 + 10:02d}22" + body[6:]
    return body + compute_check_char(body)


def name_of(index: int, member: int) -> str:
    return SURNAMES[(index + member) % len(SURNAMES)] + GIVEN[index % len(GIVEN)] + GIVEN[(index // 7) % len(GIVEN)]


def build(db_url: str, cases: int) -> tuple[Principal, list[int], list[str]]:
    engine = make_engine(db_url)
    metadata.create_all(engine)
    statuses = list(CaseStatus)
    schemes = list(Programme)
    with Session(engine) as session:
        towns = [Township(code="341822100", name="桃州镇"), Township(code="341822101", name="新杭镇")]
        session.add_all(towns)
        session.flush()
        villages: list[list[int]] = [[], []]
        for t, town in enumerate(towns):
            for v in range(10):
                village = Village(township_id=town.id or 0, kind=VillageKind.ADMINISTRATIVE, name=f"第{v + 1}村")
                session.add(village)
                session.flush()
                group = Village(township_id=town.id or 0, parent_id=village.id, kind=VillageKind.GROUP, name="一组")
                session.add(group)
                session.flush()
                villages[t].append(group.id or 0)
        numbers: list[str] = []
        for i in range(cases):
            t = 1 if i % 10 == 9 else 0
            village_id = villages[t][i % 10]
            household = Household(
                township_id=towns[t].id or 0, village_id=village_id, address=f"{i}号", area=Area.RURAL
            )
            session.add(household)
            session.flush()
            members = [
                Member(
                    household_id=household.id or 0,
                    name=name_of(i, m),
                    id_number=id_number(i, m),
                    relationship=Relationship.SELF if m == 0 else Relationship.SPOUSE,
                    work_capacity=WorkCapacity.ABLE,
                )
                for m in range(2)
            ]
            session.add_all(members)
            session.flush()
            numbers.append(members[1].id_number)
            accepted = NOW - timedelta(hours=i % 5000)
            session.add(
                Case(
                    case_number=f"{towns[t].code}-2026-{i:05d}",
                    household_id=household.id or 0,
                    applicant_id=members[0].id or 0,
                    township_id=towns[t].id or 0,
                    type=schemes[i % len(schemes)],
                    path=CasePath.REFORM,
                    status=statuses[i % len(statuses)],
                    channel=Channel.ONE_WINDOW,
                    accepted_at=accepted,
                    breach_at=accepted + timedelta(days=14),
                )
            )
            if i % 1000 == 999:
                session.commit()
        principal = Principal(
            staff_id=1,
            login="bench",
            name="经办",
            role=StaffRole.CASEWORKER,
            township_id=towns[0].id,
            township_code=towns[0].code,
            township_name=towns[0].name,
            village_id=None,
        )
        session.commit()
    engine.dispose()
    return principal, villages[0], numbers


def measure(run: Callable[[int], object], requests: int, warmup: int) -> tuple[float, float]:
    for i in range(warmup):
        run(i)
    times = []
    for i in range(requests):
        started = time.perf_counter()
        run(i)
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jiuzhu-bench-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'caserecord.db'}"
        started = time.perf_counter()
        principal, villages, numbers = build(url, args.cases)
        print(f"case record: {args.cases} cases built in {time.perf_counter() - started:.1f} s")
        db = make_engine(url)
        rng = random.Random(7)
        ids = [rng.randint(1, args.cases) for _ in range(args.requests + args.warmup)]

        def by_key(i: int) -> object:
            with Session(db) as session:
                return session.get(Case, ids[i])

        def search(query: Callable[[int], CaseQuery]) -> Callable[[int], object]:
            return lambda i: search_cases(db, principal, query(i), NOW)

        queries: list[tuple[str, Callable[[int], object]]] = [
            ("baseline: Session.get(Case, id)", by_key),
            ("first page, no filter", search(lambda i: CaseQuery())),
            ("name contains (2 characters)", search(lambda i: CaseQuery(text=name_of(i, 0)[1:]))),
            ("case number prefix", search(lambda i: CaseQuery(text=f"341822100-2026-0{i % 10}"))),
            ("ID number, exact", search(lambda i: CaseQuery(id_number=numbers[ids[i] - 1]))),
            ("village + scheme", search(lambda i: CaseQuery(village_id=villages[i % 10], scheme=Programme.DIBAO))),
            ("overdue", search(lambda i: CaseQuery(overdue=True))),
            ("page 150 of everything", search(lambda i: CaseQuery(page=150))),
        ]
        results = [(label, *measure(run, args.requests, args.warmup)) for label, run in queries]
        base_p95 = results[0][2]
        print(f"{'query':38} {'p50 ms':>8} {'p95 ms':>8} {'p95 / baseline':>15}")
        for label, p50, p95 in results:
            print(f"{label:38} {p50 * 1000:8.2f} {p95 * 1000:8.2f} {p95 / base_p95:15.1f}")
        db.dispose()


if __name__ == "__main__":
    main()
