"""The window's intake form: member rows, field errors, guidance, one case per submission, drafts."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from schemas.tables import AuditEntry
from tests.tasklist.helpers import csrf, sign_in, submission
from tests.tasklist.world import PASSWORD, World, id_number

pytestmark = pytest.mark.tasklist


def _form(tasklist: TestClient, world: World) -> dict[str, str]:
    page = tasklist.get("/applications/new?channel=window")
    assert page.status_code == 200
    return {
        "csrf_token": csrf(page.text),
        "submission": submission(page.text),
        "channel": "window",
        "case_type": "低保",
        "village_id": str(world.ids["heping"]),
        "address": "城关镇和平社区5栋",
        "area": "urban",
        "member_count": "1",
        "m0_name": "钱大户",
        "m0_id_number": id_number("341821", "19700101", "011"),
        "check_authorised": "on",
    }


def _started(world: World) -> list[AuditEntry]:
    with Session(world.db) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == "application.started")).all())


def test_member_rows_are_added_and_removed_keeping_what_was_typed(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    data = _form(tasklist, world)
    added = tasklist.post("/applications", data={**data, "action": "add_member"})
    assert added.status_code == 200 and 'name="m1_name"' in added.text and 'value="钱大户"' in added.text
    data.update(member_count="3", m1_name="钱一", m2_name="钱二", m2_relationship="子女")
    removed = tasklist.post("/applications", data={**data, "action": "remove_member_1"})
    assert 'name="m2_name"' not in removed.text and 'value="钱二"' in removed.text
    assert 'name="member_count" value="2"' in removed.text
    assert _started(world) == []  # editing rows starts nothing


def test_each_member_field_is_checked_next_to_the_field(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    data = _form(tasklist, world)
    wrong = id_number("341821", "20100101", "022")[:17]
    wrong += "0" if id_number("341821", "20100101", "022")[17] != "0" else "1"
    page = tasklist.post(
        "/applications",
        data={
            **data,
            "member_count": "2",
            "m1_name": "钱小",
            "m1_id_number": wrong,
            "m1_relationship": "",
            "action": "submit",
        },
    )
    assert page.status_code == 422
    assert 'id="m1_id_number-error"' in page.text and "钱小：" in page.text
    assert 'aria-describedby="m1_id_number-error"' in page.text
    assert _started(world) == []


def test_guidance_shows_the_schemes_the_household_points_to(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    data = _form(tasklist, world)
    data.update(
        member_count="2",
        m1_name="钱重残",
        m1_id_number=id_number("341821", "19950101", "031"),
        m1_relationship="子女",
        m1_disability_kind="肢体",
        m1_disability_grade="1",
        m1_student="on",
        action="guide",
    )
    page = tasklist.post("/applications", data=data)
    assert "一窗受理指引" in page.text
    assert "钱重残为重度残疾人或重病患者" in page.text and "教育救助" in page.text
    assert _started(world) == []


def test_guidance_is_shown_before_a_household_it_concerns_is_submitted(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    data = {**_form(tasklist, world), "emergency_cause": "火灾", "action": "submit"}
    first = tasklist.post("/applications", data=data, follow_redirects=False)
    assert first.status_code == 200 and "24小时内先行救助" in first.text and "请先核对上方一窗受理指引" in first.text
    assert _started(world) == []
    guided = first.text.split('name="guided" value="')[1].split('"')[0]
    changed = tasklist.post("/applications", data={**data, "guided": guided, "m0_seriously_ill": "on"})
    assert "请先核对上方一窗受理指引" in changed.text  # the facts changed: guidance again
    done = tasklist.post("/applications", data={**data, "guided": guided}, follow_redirects=False)
    assert done.status_code == 303 and len(_started(world)) == 1


def test_a_resubmitted_form_shows_the_same_submission(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    data = {**_form(tasklist, world), "action": "submit"}
    first = tasklist.post("/applications", data=data, follow_redirects=False)
    again = tasklist.post("/applications", data=data, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    started = _started(world)
    assert len(started) == 1 and started[0].details["submission"] == data["submission"]
    receipt = tasklist.get(first.headers["location"])
    assert "正在登记申请" in receipt.text and "钱大户" in receipt.text


def test_a_receipt_is_not_shown_to_another_township(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    data = {**_form(tasklist, world), "action": "submit"}
    location = tasklist.post("/applications", data=data, follow_redirects=False).headers["location"]
    tasklist.cookies.clear()
    sign_in(tasklist, "zhao")  # the other township's caseworker
    assert tasklist.get(location).status_code == 404


def test_an_expired_session_keeps_the_draft_and_sign_in_returns_to_it(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    data = {**_form(tasklist, world), "action": "submit"}
    tasklist.cookies.clear()  # the session expired while the form was being filled in
    refused = tasklist.post("/applications", data=data, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/signin?next=")
    back = unquote(refused.headers["location"].split("next=", 1)[1])
    assert back.startswith("/applications/new?channel=window&draft=")
    signin = tasklist.get(refused.headers["location"])
    signed = tasklist.post(
        "/signin",
        data={"login": "zhang", "password": PASSWORD, "csrf_token": csrf(signin.text), "next": back},
        follow_redirects=False,
    )
    assert signed.status_code == 303 and signed.headers["location"] == back
    restored = tasklist.get(back)
    assert "已恢复您此前填写的申请内容" in restored.text and 'value="钱大户"' in restored.text
    assert _started(world) == []
