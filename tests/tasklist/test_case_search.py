"""Finding cases in the task list: number, name, ID number (exact, audited), village, scheme, status,
overdue, paging — always within what the person may see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from jiuzhu.tasklist.caserecord import principal_for
from jiuzhu.tasklist.casesearch import CaseQuery, search_cases
from schemas.tables import AuditEntry, Case
from tests.tasklist.helpers import sign_in
from tests.tasklist.world import NOW, World, id_number

pytestmark = pytest.mark.tasklist


def numbers(page: str) -> list[str]:
    return [part.split("<")[0] for part in page.split('">')[1:] if part.startswith("CASE-")]


def test_search_by_number_name_and_scope(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "county")
    everything = tasklist.get("/cases").text
    assert "CASE-A" in everything and "CASE-B" in everything
    assert numbers(tasklist.get("/cases?q=陈大").text) == ["CASE-A"]
    assert "共找到 0 件" in tasklist.get("/cases?q=CASE-A").text  # case numbers start with a digit
    tasklist.cookies.clear()
    sign_in(tasklist, "zhang")  # township A only
    assert numbers(tasklist.get("/cases?q=周小梅").text) == []
    assert "CASE-B" not in tasklist.get("/cases").text


def test_id_number_search_is_exact_and_audited(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    number = id_number("341821", "19700303", "211")
    assert numbers(tasklist.get(f"/cases?id_number={number}").text) == ["CASE-A"]
    assert numbers(tasklist.get(f"/cases?id_number={number[:17]}").text) == []  # no partial match
    with Session(world.db) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "case.search-id-number")).all()
    assert [(e.actor, e.details["idNumber"], e.details["found"]) for e in entries] == [
        ("zhang", number, 1),
        ("zhang", number[:17], 0),
    ]


def test_filters_village_scheme_status_overdue(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    assert "CASE-A" in tasklist.get(f"/cases?village={world.ids['xingfu']}").text  # a village includes its groups
    assert "CASE-A" not in tasklist.get(f"/cases?village={world.ids['heping']}").text
    assert "CASE-A" not in tasklist.get("/cases?scheme=特困").text
    assert "CASE-A" in tasklist.get("/cases?scheme=低保&status=入户调查").text
    assert "CASE-A" not in tasklist.get("/cases?overdue=on").text
    with Session(world.db) as session:
        case = session.get(Case, world.ids["case_a"])
        assert case is not None
        case.breach_at = NOW - timedelta(hours=1)
        session.add(case)
        session.commit()
    assert numbers(tasklist.get("/cases?overdue=on").text) == ["CASE-A"]


def test_paging_reaches_every_case(world: World) -> None:
    principal = principal_for(world.db, "county")
    assert principal is not None
    first = search_cases(world.db, principal, CaseQuery(page=1), NOW, size=1)
    assert first.pages == first.total >= 3
    seen = {
        row.case_number
        for p in range(1, first.pages + 1)
        for row in search_cases(world.db, principal, CaseQuery(page=p), NOW, size=1).rows
    }
    assert len(seen) == first.total
    beyond = search_cases(world.db, principal, CaseQuery(page=first.pages + 5), NOW, size=1)
    assert beyond.page == first.pages and beyond.rows
