"""The task list's pages over the REST API: inbox, task, case view, applications."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from schemas.tables import AuditEntry
from tests.tasklist.helpers import csrf, sign_in, submission, token
from tests.tasklist.world import NOW, TOWNSHIP_A, World, id_number

pytestmark = pytest.mark.tasklist


def test_inbox_sorted_by_due_date_with_marks(tasklist: TestClient, world: World) -> None:
    world.start("late", TOWNSHIP_A, world.ids["xingfu"], reviewDue="2026-03-01T00:00:00Z")
    world.start("later", TOWNSHIP_A, world.ids["heping"], reviewDue="2026-05-01T00:00:00Z")
    sign_in(tasklist, "zhang")
    html = tasklist.get("/").text
    late, near, far = (world.open_task(world.instances[n]) for n in ("late", "a", "later"))
    positions = [html.index(f'data-task-key="{k}"') for k in (late, near, far)]
    assert positions == sorted(positions)
    assert "已逾期" in html and "即将到期" in html
    assert "CASE-A" in html  # the case record's number beside the task


def test_village_assistant_sees_only_own_village(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "wang")
    key = world.open_task(world.instances["a"])  # candidate group: township-caseworker, not assistants
    assert tasklist.get(f"/tasks/{key}").status_code == 404
    assert tasklist.get(f"/cases/{world.ids['case_a']}").status_code == 200  # 幸福村一组 is in 幸福村
    assert tasklist.get(f"/cases/{world.ids['case_b']}").status_code == 404


def test_county_supervisor_reads_all_townships(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "county")
    html = tasklist.get("/?view=all").text
    for name in ("a", "b"):
        assert f"/tasks/{world.open_task(world.instances[name])}" in html
    page = tasklist.get(f"/tasks/{world.open_task(world.instances['b'])}").text
    assert 'id="claim"' not in page  # reads, does not act where it is no candidate


def test_case_view(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    page = tasklist.get(f"/cases/{world.ids['case_approved']}").text
    assert "王秘密明" in page  # internal screen: full name
    assert "3****************" in page  # ID numbers masked even internally
    assert "批准通知书" in page
    notice_link = page.split('href="/cases/')[1].split('"')[0]
    notice = tasklist.get(f"/cases/{notice_link}").text
    assert "城关镇救告〔2026〕1号" in notice and "行政复议" in notice
    case_a = tasklist.get(f"/cases/{world.ids['case_a']}").text
    assert 'data-active="review"' in case_a
    assert tasklist.get(f"/cases/{world.ids['case_a']}/diagram").text.startswith("<?xml")


def _started_key(tasklist: TestClient, done_location: str) -> int:
    """The process instance a submission started, as its audit entry records it."""
    submission = done_location.rsplit("/", 1)[1]
    page = tasklist.get(done_location)
    assert page.status_code == 200 and "正在登记申请" in page.text  # no workers here: accept has not run
    with Session(tasklist.app.state.tasklist.db) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "application.started")).all()
    found = [e for e in entries if e.details.get("submission") == submission]
    assert len(found) == 1 and found[0].process_instance_key is not None
    return found[0].process_instance_key


def test_window_application_starts_a_process(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    form = tasklist.get("/applications/new?channel=window")
    assert form.status_code == 200
    data = {
        "csrf_token": csrf(form.text),
        "submission": submission(form.text),
        "channel": "window",
        "case_type": "低保",
        "village_id": str(world.ids["heping"]),
        "address": "城关镇和平社区3栋",
        "area": "urban",
        "member_count": "1",
        "m0_name": "吴新申",
        "m0_id_number": id_number("341821", "19800101", "003"),
        "check_authorised": "on",
        "action": "submit",
    }
    wrong = data["m0_id_number"][:17] + ("0" if data["m0_id_number"][17] != "0" else "1")
    bad = tasklist.post("/applications", data={**data, "m0_id_number": wrong})
    assert bad.status_code == 422 and 'id="m0_id_number-error"' in bad.text and "校验" in bad.text
    done = tasklist.post("/applications", data=data, follow_redirects=False)
    assert done.status_code == 303, done.text
    key = _started_key(tasklist, done.headers["location"])
    variables = world.engine.variables(key)
    assert variables["townshipCode"] == TOWNSHIP_A and variables["channel"] == "一窗受理"
    assert variables["members"][0]["relationship"] == "本人"
    assert variables["acceptedById"] == world.ids["staff_zhang"]
    with Session(world.db) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "application.started")).one()
    assert entry.process_instance_key == key and entry.actor == "zhang"
    assert world.engine.now_ms() == int(NOW.timestamp() * 1000)


def test_proxy_application_only_for_village_assistants(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    assert tasklist.get("/applications/new?channel=proxy").status_code == 403
    tasklist.post("/signout", data={"csrf_token": token(tasklist)})
    sign_in(tasklist, "wang")
    page = tasklist.get("/applications/new?channel=proxy")
    assert page.status_code == 200
    assert "和平社区" not in page.text  # only the assistant's own village
    data = {
        "csrf_token": csrf(page.text),
        "submission": submission(page.text),
        "channel": "proxy",
        "case_type": "特困",
        "village_id": str(world.ids["xingfu_1"]),
        "address": "城关镇幸福村一组",
        "area": "rural",
        "member_count": "2",
        "m0_name": "郑孤老",
        "m0_id_number": id_number("341821", "19450101", "001"),
        "m1_name": "",
        "action": "submit",
    }
    # An 81-year-old alone points to 特困: the guidance is shown once before the case is opened.
    guided = tasklist.post("/applications", data=data, follow_redirects=False)
    assert guided.status_code == 200 and "一窗受理指引" in guided.text and "特困" in guided.text
    data["guided"] = guided.text.split('name="guided" value="')[1].split('"')[0]
    done = tasklist.post("/applications", data=data, follow_redirects=False)
    assert done.status_code == 303, done.text
    key = _started_key(tasklist, done.headers["location"])
    variables = world.engine.variables(key)
    assert variables["channel"] == "帮办代办" and variables["proxyAssistantId"] == world.ids["staff_wang"]
    assert len(variables["members"]) == 1  # the empty second row is not a member
    foreign_village = tasklist.post("/applications", data={**data, "village_id": str(world.ids["heping"])})
    assert foreign_village.status_code == 422
