"""Benchmark: the task-list inbox page with 10,000 open user tasks, against the bare REST search.

Run: `.venv/bin/python bench/tasklist.py [--tasks 10000] [--requests 200] [--page-size 50]`. Prints one table.

What is measured
- An in-process embedded engine on durable SQLite in a temp dir deploys a one-``zeebe:userTask``
  process (candidate group ``township-caseworker``, due date from a variable) and ``--tasks``
  instances are created through ``Engine.create_instance`` (the time this takes is printed). 90 % of
  them belong to the caseworker's township (``townshipCode``), 10 % to another township.
- The v2 router and the task list are one ASGI app, as ``jiuzhu up`` mounts them; requests go
  through Starlette's ``TestClient`` (the task list's own REST calls too), so the figures are the
  Python cost of the pages without a network.
- **inbox**: ``GET /`` for a signed-in township caseworker: the task list's searches (candidate
  group, candidate user, assignee — each restricted to the township through
  ``processInstanceVariables``), one page sorted by due date, the case summaries from the case
  record, the Jinja2 page.
- **baseline**: ``POST /v2/user-tasks/search`` with an empty filter and the inbox's page size: the
  cheapest question the REST API answers over the same 10,000 tasks.
- Each is requested ``--warmup`` times unmeasured, then ``--requests`` times, one at a time; p50
  and p95 of the wall time per request.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from jiuzhu.engine.clock import Clock  # noqa: E402
from jiuzhu.engine.runtime import Engine  # noqa: E402
from jiuzhu.engine.store.repository import Store, open_database  # noqa: E402
from jiuzhu.engine_rest import build_v2_router  # noqa: E402
from jiuzhu.tasklist import TasklistSettings, V2Client, build_tasklist_app  # noqa: E402
from jiuzhu.tasklist.credentials import create_tables, credentials, hash_password  # noqa: E402
from schemas.db import make_engine  # noqa: E402
from schemas.enums import StaffRole  # noqa: E402
from schemas.tables import Staff, Township, metadata  # noqa: E402

PROCESS_ID = "bench-inbox"
TOWNSHIP = "341821100"
OTHER_TOWNSHIP = "341821101"
PASSWORD = "bench-password-123"
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)

BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{PROCESS_ID}" name="收件审核（基准）" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="经办人审核">
      <bpmn:extensionElements>
        <zeebe:userTask/>
        <zeebe:assignmentDefinition candidateGroups="township-caseworker"/>
        <zeebe:taskSchedule dueDate="=reviewDue"/>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()


def build(tmp: Path, tasks: int) -> tuple[Engine, float, object]:
    engine = Engine(Store(open_database(f"sqlite:///{tmp / 'engine.db'}")), Clock(controlled=True, start=NOW))
    engine.deploy([("bench.bpmn", BPMN)])
    started = time.perf_counter()
    for i in range(tasks):
        township = OTHER_TOWNSHIP if i % 10 == 9 else TOWNSHIP
        due = NOW + timedelta(hours=(i * 7919) % 2000 - 200)  # scattered; some overdue
        engine.create_instance(
            PROCESS_ID, {"townshipCode": township, "villageId": 1 + i % 40, "reviewDue": due.isoformat()}
        )
    seconds = time.perf_counter() - started
    db = make_engine(f"sqlite:///{tmp / 'caserecord.db'}")
    metadata.create_all(db)
    create_tables(db)
    with Session(db) as s:
        town = Township(code=TOWNSHIP, name="城关镇", population=52000)
        s.add(town)
        s.flush()
        s.add(Staff(name="张经办", role=StaffRole.CASEWORKER, township_id=town.id, login="zhang"))
        s.commit()
    with db.begin() as conn:
        conn.execute(credentials.insert().values(login="zhang", password_hash=hash_password(PASSWORD), updated_at=NOW))
    return engine, seconds, db


def timed(call: Callable[[], object], warmup: int, requests: int) -> list[float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--page-size", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmpdir:
        engine, create_s, db = build(Path(tmpdir), args.tasks)
        print(
            f"created {args.tasks} instances (one open user task each) in {create_s:.1f} s "
            f"({args.tasks / create_s:.0f}/s)"
        )

        api = FastAPI()
        api.include_router(build_v2_router(engine, forms_dir=Path(tmpdir) / "no-forms"))
        settings = TasklistSettings(
            secret_key="bench-secret-0123456789",
            inbox_page_size=args.page_size,
        )
        with TestClient(api, base_url="http://engine") as rest:
            tasklist = build_tasklist_app(
                settings,
                client=V2Client("http://engine", http=rest),
                db=db,  # type: ignore[arg-type]
                now=lambda: NOW,
            )
            with TestClient(tasklist, base_url="http://tasklist.local") as browser:
                page = browser.get("/signin").text
                token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
                signed = browser.post(
                    "/signin",
                    data={"login": "zhang", "password": PASSWORD, "csrf_token": token, "next": "/"},
                    follow_redirects=False,
                )
                assert signed.status_code == 303, signed.text

                def inbox() -> None:
                    response = browser.get("/")
                    assert response.status_code == 200 and 'class="tasks"' in response.text

                def baseline() -> None:
                    response = rest.post(
                        "/v2/user-tasks/search", json={"filter": {}, "page": {"limit": args.page_size}}
                    )
                    assert response.status_code == 200 and len(response.json()["items"]) == args.page_size

                first = browser.get("/").text
                rows = first.count("data-task-key=")
                total = json.loads(rest.post("/v2/user-tasks/search", json={"page": {"limit": 1}}).text)["page"]
                results = {
                    "baseline: POST /v2/user-tasks/search {} ": timed(baseline, args.warmup, args.requests),
                    "inbox: GET / (caseworker, group+township)": timed(inbox, args.warmup, args.requests),
                }

    base50 = statistics.median(results["baseline: POST /v2/user-tasks/search {} "])
    print(
        f"open tasks: {total['totalItems']}; inbox rows on the page: {rows}; page size {args.page_size}; "
        f"{args.requests} requests each after {args.warmup} warm-up"
    )
    print(f"{'request':<44} {'p50 ms':>8} {'p95 ms':>8} {'p50 / baseline':>15}")
    for name, samples in results.items():
        print(f"{name:<44} {p(samples, 50):>8.1f} {p(samples, 95):>8.1f} {statistics.median(samples) / base50:>14.1f}x")


if __name__ == "__main__":
    main()
