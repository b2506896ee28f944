"""Security of the task list: passwords, sessions, CSRF, throttling, role and township scope, audit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from jiuzhu.tasklist.credentials import set_password, stored_hash, verify_password
from jiuzhu.tasklist.sessions import COOKIE
from schemas.tables import AuditEntry
from tests.tasklist.helpers import csrf, sign_in, token
from tests.tasklist.world import World

pytestmark = pytest.mark.tasklist


def test_passwords_are_argon2_hashes(world: World) -> None:
    set_password(world.db, "zhang", "another-long-password")
    hashed = stored_hash(world.db, "zhang")
    assert hashed is not None and hashed.startswith("$argon2id$")
    assert "another-long-password" not in hashed
    assert verify_password(world.db, "zhang", "another-long-password")
    assert not verify_password(world.db, "zhang", "correct-horse-battery")
    assert not verify_password(world.db, "nobody", "another-long-password")


def test_pages_need_sign_in(tasklist: TestClient) -> None:
    response = tasklist.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")
    assert tasklist.get("/cases/1", follow_redirects=False).status_code == 303


def test_session_cookie_flags(tasklist: TestClient) -> None:
    sign_in(tasklist, "zhang")
    page = tasklist.get("/signin")
    response = tasklist.post(
        "/signin",
        data={"login": "zhang", "password": "correct-horse-battery", "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered
    assert "secure" not in lowered  # plain HTTP in tests
    tasklist.cookies.clear()
    https = tasklist.get("https://tasklist.local/signin")
    assert "secure" in https.headers["set-cookie"].lower()


def test_tampered_session_is_rejected(tasklist: TestClient) -> None:
    sign_in(tasklist, "zhang")
    value = tasklist.cookies.get(COOKIE)
    assert value
    tasklist.cookies.set(COOKIE, value[:-3] + ("aaa" if not value.endswith("aaa") else "bbb"))
    assert tasklist.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_and_rate_limit(tasklist: TestClient) -> None:
    page = tasklist.get("/signin").text
    for _ in range(5):
        bad = tasklist.post("/signin", data={"login": "li", "password": "wrong-password!", "csrf_token": csrf(page)})
        assert bad.status_code == 401
        assert "用户名或密码不正确" in bad.text
    locked = tasklist.post(
        "/signin", data={"login": "li", "password": "correct-horse-battery", "csrf_token": csrf(page)}
    )
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0


def test_csrf_is_required_on_every_form(tasklist: TestClient, world: World) -> None:
    # Sign-in itself.
    no_token = tasklist.post("/signin", data={"login": "zhang", "password": "correct-horse-battery"})
    assert no_token.status_code == 403
    sign_in(tasklist, "zhang")
    key = world.open_task(world.instances["a"])
    for path in (f"/tasks/{key}/claim", f"/tasks/{key}/unclaim", "/signout", "/applications"):
        assert tasklist.post(path, data={"csrf_token": "forged"}, follow_redirects=False).status_code == 403, path
    completion = tasklist.post(f"/tasks/{key}/complete", json={"variables": {}})
    assert completion.status_code == 403
    # A cross-site origin is refused even with the right token.
    cross = tasklist.post(
        f"/tasks/{key}/claim",
        data={"csrf_token": token(tasklist)},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert cross.status_code == 403
    assert world.engine.user_task(key).assignee is None


def test_other_township_cannot_see_or_act_by_guessing_ids(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhao")  # caseworker of township B
    foreign = world.open_task(world.instances["a"])  # township A's task
    own = world.open_task(world.instances["b"])
    inbox = tasklist.get("/").text
    assert f"/tasks/{own}" in inbox and f"/tasks/{foreign}" not in inbox
    assert tasklist.get(f"/tasks/{foreign}").status_code == 404
    assert tasklist.get(f"/tasks/{foreign}/diagram").status_code == 404
    csrf_token = token(tasklist)
    assert tasklist.post(f"/tasks/{foreign}/claim", data={"csrf_token": csrf_token}).status_code == 404
    world.engine.assign_user_task(foreign, "zhao")  # even if someone assigned it to them somehow
    done = tasklist.post(f"/tasks/{foreign}/complete", json={"variables": {}}, headers={"X-CSRF-Token": csrf_token})
    assert done.status_code == 404
    assert world.engine.user_task(foreign).state == "CREATED"
    assert tasklist.get(f"/cases/{world.ids['case_a']}").status_code == 404
    assert tasklist.get(f"/cases/{world.ids['case_a']}/diagram").status_code == 404
    assert tasklist.get("/tasks/999999999").status_code == 404


def test_wrong_role_cannot_claim(tasklist: TestClient, world: World) -> None:
    """The leader reads the township's tasks (to reassign them) but claims only their own kind."""
    sign_in(tasklist, "li")  # leader: review is for caseworkers
    key = world.open_task(world.instances["a"])
    page = tasklist.get(f"/tasks/{key}")
    assert page.status_code == 200 and 'id="claim"' not in page.text and "改派给" in page.text
    response = tasklist.post(f"/tasks/{key}/claim", data={"csrf_token": token(tasklist)})
    assert response.status_code == 409


def test_form_cannot_smuggle_process_variables(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    key = world.open_task(world.instances["a"])
    headers = {"X-CSRF-Token": token(tasklist)}
    assert tasklist.post(f"/tasks/{key}/claim", data={"csrf_token": headers["X-CSRF-Token"]}).status_code == 200
    invalid = tasklist.post(f"/tasks/{key}/complete", json={"variables": {"visitFindings": "短"}}, headers=headers)
    assert invalid.status_code == 422
    assert set(invalid.json()["errors"]) == {"visitFindings", "recommendation"}
    ok = tasklist.post(
        f"/tasks/{key}/complete",
        json={"variables": {"visitFindings": "家中无劳动力", "recommendation": "approve", "townshipCode": "341821101"}},
        headers=headers,
    )
    assert ok.status_code == 200, ok.text
    variables = world.engine.variables(world.instances["a"])
    assert variables["townshipCode"] == "341821100"
    assert variables["recommendation"] == "approve"


def test_claim_and_complete_are_audited(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "zhang")
    key = world.open_task(world.instances["a"])
    headers = {"X-CSRF-Token": token(tasklist)}
    tasklist.post(f"/tasks/{key}/claim", data={"csrf_token": headers["X-CSRF-Token"]})
    tasklist.post(f"/tasks/{key}/unclaim", data={"csrf_token": headers["X-CSRF-Token"]})
    tasklist.post(f"/tasks/{key}/claim", data={"csrf_token": headers["X-CSRF-Token"]})
    tasklist.post(
        f"/tasks/{key}/complete",
        json={"variables": {"visitFindings": "情况属实", "recommendation": "approve"}},
        headers=headers,
    )
    with Session(world.db) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    actions = [(e.action, e.actor, e.role) for e in entries]
    assert actions == [
        ("usertask.assigned", "zhang", "经办人"),
        ("usertask.unassigned", "zhang", "经办人"),
        ("usertask.assigned", "zhang", "经办人"),
        ("usertask.completed", "zhang", "经办人"),
    ]
    assert all(e.process_instance_key == world.instances["a"] and e.element_id == "review" for e in entries)
    assert entries[-1].details["variables"] == ["recommendation", "visitFindings"]


def test_passwd_command_sets_a_hash(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from jiuzhu.tasklist import passwd

    url = str(world.db.url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a-brand-new-password\n"))
    assert passwd.main(["li", "--stdin", "--database-url", url]) == 0
    assert verify_password(world.db, "li", "a-brand-new-password")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert passwd.main(["li", "--stdin", "--database-url", url]) == 2
    assert passwd.main(["nobody", "--stdin", "--database-url", url]) == 2
