"""投诉举报 in the task list: a township registers a 12349 complaint (the 60-day limit computed), the
other township does not see it, the answer is recorded once; past its last day and unanswered it is
on the county's and the leader's desk. The browser path is tests/browser/test_complaints_browser.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from jiuzhu.tasklist import V2Client, build_tasklist_app
from schemas.tables import AuditEntry, Complaint, ComplaintStatus
from tests.tasklist.conftest import settings
from tests.tasklist.helpers import sign_in, token
from tests.tasklist.world import NOW, World


@pytest.fixture
def clock() -> list[datetime]:
    return [NOW]


@pytest.fixture
def pages(world: World, api: TestClient, clock: list[datetime]) -> Iterator[TestClient]:
    client = V2Client("http://engine", http=api)
    app = build_tasklist_app(settings(), client=client, db=world.db, now=lambda: clock[0])
    with TestClient(app, base_url="http://tasklist.local") as browser:
        yield browser


def register(pages: TestClient, **form: str) -> str:
    data = {"csrf_token": token(pages, "/supervision/complaints"), **form}
    response = pages.post("/supervision/complaints", data=data, follow_redirects=False)
    return response.headers.get("location", "") if response.status_code == 303 else response.text


def test_a_complaint_is_registered_with_its_deadline_and_answered_once(
    pages: TestClient, world: World, clock: list[datetime]
) -> None:
    sign_in(pages, "zhang")
    town_a = str(world.ids["town_a"])
    refused = register(pages, townshipId=town_a, channel="托梦", complainant="", content="")
    assert "请选择投诉来源" in refused and "请填写投诉人姓名" in refused and "请填写投诉内容" in refused
    wrong_case = register(pages, townshipId=town_a, channel="来信", complainant="匿名", content="x", caseNumber="NO-1")
    assert "案件编号 NO-1 不是该乡镇的案件" in wrong_case
    location = register(
        pages,
        townshipId=town_a,
        channel="12349热线",
        complainant="李群众",
        phone="13812345678",
        caseNumber="CG-2026-001",
        content="村里有人开小车还吃低保。",
    )
    assert location == "/supervision/complaints?done=registered"
    page = pages.get(location).text
    assert "投诉已登记，已计算答复期限。" in page and "村里有人开小车还吃低保。" in page
    assert "2026-05-09" in page  # received 10 March (China time), 60 days
    assert "138****5678" in page and "13812345678" not in page
    assert "CG-2026-001" in page
    with Session(world.db) as session:
        [complaint] = session.exec(select(Complaint)).all()
        assert complaint.status is ComplaintStatus.OPEN and complaint.case_id == world.ids["case_approved"]
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "complaint.registered")).one()

    other = TestClient(pages.app, base_url="http://tasklist.local")
    sign_in(other, "zhao")  # the other township's caseworker
    assert "村里有人开小车还吃低保" not in other.get("/supervision/complaints").text
    answer = {"csrf_token": token(other, "/supervision/complaints"), "answer": "不是我们的"}
    assert other.post(f"/supervision/complaints/{complaint.id}/answer", data=answer).status_code == 404

    # Past its last day: on the leader's and the county's desk; answered, off it.
    clock[0] = NOW + timedelta(days=61)
    for login in ("li", "county"):
        desk = TestClient(pages.app, base_url="http://tasklist.local")
        sign_in(desk, login)
        text = desk.get("/supervision/desk").text
        assert "投诉举报逾期未答复（1）" in text and "村里有人开小车还吃低保。" in text, login
    assert "已逾期" in pages.get("/supervision/complaints").text
    form = {"csrf_token": token(pages, "/supervision/complaints"), "answer": ""}
    assert "请填写答复意见" in pages.post(f"/supervision/complaints/{complaint.id}/answer", data=form).text
    form["answer"] = "经入户核查，该户车辆为残疾人代步车，符合规定；已电话告知投诉人。"
    done = pages.post(f"/supervision/complaints/{complaint.id}/answer", data=form, follow_redirects=False)
    assert done.headers["location"] == "/supervision/complaints?done=answered"
    form["answer"] = "第二次答复"
    pages.post(f"/supervision/complaints/{complaint.id}/answer", data=form)
    with Session(world.db) as session:
        answered = session.get(Complaint, complaint.id)
        assert answered is not None and answered.status is ComplaintStatus.ANSWERED
        assert (
            answered.answer is not None and answered.answer.startswith("经入户核查") and answered.answered_by == "zhang"
        )
        late = session.exec(select(AuditEntry).where(AuditEntry.action == "complaint.answered")).one()
        assert late.details["late"] is True
    desk = TestClient(pages.app, base_url="http://tasklist.local")
    sign_in(desk, "county")
    assert "没有逾期未答复的投诉举报。" in desk.get("/supervision/desk").text


def test_a_village_assistant_has_no_complaints_page(pages: TestClient) -> None:
    sign_in(pages, "wang")
    assert pages.get("/supervision/complaints").status_code == 404
