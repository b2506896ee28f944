"""登记公示异议 on the case page: offered only while the case is 公示中, and refused with a Chinese
message (nothing started) once its publicity is no longer up or when the form is incomplete. The
registration that goes through is driven in tests/browser/test_paths_more_browser.py."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from schemas.enums import CaseStatus
from schemas.tables import AuditEntry, Case
from tests.tasklist.helpers import sign_in, token
from tests.tasklist.world import World


def set_status(world: World, status: CaseStatus) -> int:
    with Session(world.db) as session:
        case = session.get(Case, world.ids["case_a"])
        assert case is not None and case.id is not None
        case.status = status
        session.add(case)
        session.commit()
        return case.id


def register(tasklist: TestClient, case_id: int, **form: str) -> str:
    data = {"csrf_token": token(tasklist, f"/cases/{case_id}"), **form}
    response = tasklist.post(f"/cases/{case_id}/objections", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_the_form_is_offered_only_during_publicity(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    case_id = set_status(world, CaseStatus.APPROVED)
    assert "登记公示异议" not in tasklist.get(f"/cases/{case_id}").text
    set_status(world, CaseStatus.IN_PUBLICITY)
    page = tasklist.get(f"/cases/{case_id}").text
    assert "登记公示异议" in page and 'action="/cases/' in page and "12349热线" in page


def test_no_open_publicity_is_refused_in_chinese_and_starts_nothing(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    case_id = set_status(world, CaseStatus.IN_PUBLICITY)  # 公示中, but no publicity notice is up today
    location = register(tasklist, case_id, channel="来访", content="申请人有车辆未申报。")
    assert location == f"/cases/{case_id}?objection=closed#publicity"
    assert "该案件已不在公示期内，异议未登记。" in tasklist.get(location).text
    with Session(world.db) as session:
        assert not session.exec(select(AuditEntry).where(AuditEntry.action == "objection.registered")).all()


def test_an_incomplete_objection_is_refused_in_chinese(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    case_id = set_status(world, CaseStatus.IN_PUBLICITY)
    location = register(tasklist, case_id, channel="托梦", content="  ")
    assert "请选择异议来源并填写异议内容" in tasklist.get(location).text


def test_another_townships_case_is_not_found(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhao")  # a caseworker of the other township
    case_id = set_status(world, CaseStatus.IN_PUBLICITY)
    data = {"csrf_token": token(tasklist), "channel": "来访", "content": "收入不实"}
    response = tasklist.post(f"/cases/{case_id}/objections", data=data, follow_redirects=False)
    assert response.status_code == 404
