"""`jiuzhu up --demo`: every demo case is backed by its process instance, in the state its status says.

The seeded history (``jiuzhu.demo.seed``) is run through the real processes on an engine kept in the
data directory before `jiuzhu up` serves it, and the applications the demo opens on the engine
(``jiuzhu.demo.start_cases``) are registered by the real workers with their instance key. Every case
must name an instance that ``/v2`` finds (running, or finished in history), of the process of its
programme, without an incident, and running or ended as its status says.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, select

from jiuzhu.demo import DEFAULT_PASSWORD, HISTORY_ACTION
from jiuzhu.policy import Programme
from jiuzhu.testing import LiveSystem
from schemas.db import make_engine
from schemas.enums import CaseStatus
from schemas.tables import AuditEntry, Case
from tests.tasklist.helpers import csrf

# Which instance states each case status allows: open casework is a running instance; a decided or
# closed case may still run (payments, dynamic management) or have ended, never the other way round.
OPEN = {"ACTIVE"}
DECIDED = {"ACTIVE", "COMPLETED"}
ENDED = {"COMPLETED", "TERMINATED"}
STATES: dict[CaseStatus, set[str]] = {
    CaseStatus.ACCEPTED: OPEN,
    CaseStatus.CHECKING: OPEN,
    CaseStatus.VISITING: OPEN,
    CaseStatus.AWAITING_APPROVAL: OPEN,
    CaseStatus.IN_PUBLICITY: OPEN,
    CaseStatus.RELIEVED_FIRST: OPEN,  # paid first, the paperwork still runs
    CaseStatus.APPROVED: DECIDED,
    CaseStatus.REJECTED: DECIDED,  # the written notice may still be on its way
    CaseStatus.TERMINATED: DECIDED,
    CaseStatus.WITHDRAWN: ENDED,
    CaseStatus.CLOSED: ENDED,
    CaseStatus.CANCELLED: {"TERMINATED"},  # closed by the reconciling sweep (jiuzhu/tasklist/reconcile.py)
}
TEMPORARY = {Programme.TEMPORARY_EMERGENCY, Programme.TEMPORARY_EXPENDITURE}
DEMO_STARTS = 4  # zhang, zhao, wang (低保) and chen (急难型), see jiuzhu.demo.demo_applications


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSystem]:
    with LiveSystem(tmp_path_factory.mktemp("demo") / "data", demo=True) as live:
        yield live


def all_cases(data_dir: Path) -> list[Case]:
    db = make_engine(f"sqlite:///{(data_dir / 'caserecord.db').resolve()}")  # where `jiuzhu up` keeps it
    try:
        with Session(db) as session:
            return list(session.exec(select(Case).order_by(col(Case.id))).all())
    finally:
        db.dispose()


def seeded_history(data_dir: Path) -> int:
    db = make_engine(f"sqlite:///{(data_dir / 'caserecord.db').resolve()}")
    try:
        with Session(db) as session:
            return len(session.exec(select(AuditEntry).where(AuditEntry.action == HISTORY_ACTION)).all())
    finally:
        db.dispose()


def registered_cases(demo: LiveSystem) -> list[Case]:
    """Every demo case, once the workers have registered the applications the demo opened."""
    history = seeded_history(demo.data_dir)
    assert history >= 50, f"{history} seeded-history cases"
    deadline = time.monotonic() + 120
    cases = all_cases(demo.data_dir)
    while len(cases) < history + DEMO_STARTS and time.monotonic() < deadline:
        assert demo.alive(), demo.log()
        time.sleep(0.5)
        cases = all_cases(demo.data_dir)
    assert len(cases) == history + DEMO_STARTS, f"{len(cases)} cases, {history} of them history: {demo.log()}"
    return cases


def test_every_demo_case_has_its_instance_in_the_state_its_status_says(demo: LiveSystem) -> None:
    cases = registered_cases(demo)
    assert all(c.process_instance_key is not None for c in cases), [c.case_number for c in cases]
    assert {c.status for c in cases} >= {CaseStatus.VISITING, CaseStatus.IN_PUBLICITY, CaseStatus.TERMINATED}

    with httpx.Client(base_url=demo.url, auth=demo.clients.auth("admin"), timeout=10) as v2:
        for case in cases:
            response = v2.get(f"/v2/process-instances/{case.process_instance_key}")
            assert response.status_code == 200, f"{case.case_number}: {response.text}"
            instance = response.json()
            process = "temporary-assistance" if case.type in TEMPORARY else "assistance-application"
            assert instance["processDefinitionId"] == process, case.case_number
            assert not instance["hasIncident"], case.case_number
            assert instance["state"] in STATES[case.status], (case.case_number, case.status, instance["state"])


async def test_an_instance_cancelled_over_grpc_closes_its_case_with_the_reason_on_its_page(demo: LiveSystem) -> None:
    """zbctl's CancelProcessInstance behind the task list's back: the case record follows the engine."""
    from pyzeebe import ZeebeClient

    open_statuses = {s for s, states in STATES.items() if states == OPEN}
    case = next(c for c in registered_cases(demo) if c.status in open_statuses)
    channel = demo.clients.channel(demo.address, "admin")
    try:
        await ZeebeClient(channel).cancel_process_instance(int(case.process_instance_key or 0))
    finally:
        await channel.close()

    def status() -> CaseStatus:
        return next(c.status for c in all_cases(demo.data_dir) if c.id == case.id)

    deadline = time.monotonic() + 60  # the sweep runs every 5 s
    while status() is not CaseStatus.CANCELLED and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status() is CaseStatus.CANCELLED, demo.log()

    with httpx.Client(base_url=demo.url, timeout=10) as browser:
        form = {"login": "county.minzheng", "password": DEFAULT_PASSWORD, "next": "/"}
        form["csrf_token"] = csrf(browser.get("/signin").text)
        assert browser.post("/signin", data=form).status_code in (200, 303)
        page = browser.get(f"/cases/{case.id}").text
    assert "已终止办理" in page.split('class="page-head"')[1].split("</div>")[0]
    timeline = page.split('id="timeline"')[1].split("</section>")[0]
    assert f"终止办理：流程实例 {case.process_instance_key} 已于" in timeline, timeline
