"""运维控制台: the county's system administrator sees the instances, one instance's path and
incident, and repairs it — retry, or move the token back to 分管领导审批 — each confirmed and audited."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from schemas.tables import AuditEntry
from tests.engine.bpmn_builder import Process
from tests.tasklist.helpers import sign_in
from tests.tasklist.world import TOWNSHIP_A, World


def approval() -> bytes:
    return (
        Process("leader-approval", name="低保审批")
        .start()
        .user_task("leaderApproval", groups="township-leader", name="分管领导审批")
        .service("grant", "approval.grant", retries="1")
        .end()
        .chain("start", "leaderApproval", "grant", "end")
        .xml()
    )


def stuck(world: World, case_id: int) -> int:
    instance = world.engine.create_instance("leader-approval", {"caseId": case_id, "townshipCode": TOWNSHIP_A})
    [task] = [t for t in world.engine.user_tasks.values() if t.instance_key == instance.key]
    world.engine.complete_user_task(task.key, {})  # the leader left the amount blank
    [job] = world.engine.activate_jobs("approval.grant", "w", 60_000, 1, [], -1)
    world.engine.fail_job(job.job.key, 0, "ValueError: 核定金额为空", 0, {})
    return instance.key


def confirm(tasklist: TestClient, link: str) -> str:
    """Open the confirmation page, check it says what it will do, and confirm; the page after."""
    page = tasklist.get(link.replace("&amp;", "&"))
    assert page.status_code == 200, page.text
    html = page.text[page.text.index('action="/console/instances/') :]
    action = re.search(r'action="([^"]+)"', html)
    assert action is not None
    form = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', html[: html.index("</form>")]))
    response = tasklist.post(action[1], data=form, follow_redirects=False)
    assert response.status_code == 303 and "/console/instances/" in response.headers["location"], response.text
    return page.text


def test_the_administrator_repairs_a_stuck_approval(tasklist: TestClient, world: World) -> None:
    world.engine.deploy([("approval.bpmn", approval())])
    first, second = stuck(world, 101), stuck(world, 102)
    healthy = world.engine.create_instance("leader-approval", {"caseId": 103, "townshipCode": TOWNSHIP_A}).key

    sign_in(tasklist, "admin")
    listing = tasklist.get("/console?incident=1").text
    assert "运维控制台" in listing and str(first) in listing and str(second) in listing and str(healthy) not in listing
    assert (
        str(second) in tasklist.get("/console?case=102").text
        and str(first) not in tasklist.get("/console?case=102").text
    )

    view = tasklist.get(f"/console/instances/{first}").text
    history = view[view.index('id="history"') :]
    assert [s.strip() for s in re.findall(r'data-label="环节">([^<]+)<', history)] == [
        "低保审批",
        "start",
        "分管领导审批",
        "grant",
    ]
    assert "核定金额为空" in view and "系统处理多次失败" in view
    assert "&#34;caseId&#34;" not in view and ">101<" in view  # the variables, as JSON values

    # retry: retries up and resolve — the job runs again
    [retry] = re.findall(r'href="(/console/instances/\d+/confirm\?action=retry[^"]+)"', view)
    said = confirm(tasklist, retry)
    assert "重试次数设为 1 并解决故障" in said
    assert not [i for i in world.engine.open_incidents() if i.instance_key == first]
    [again] = world.engine.activate_jobs("approval.grant", "w", 60_000, 1, [], -1)
    assert again.job.instance_key == first

    # move: back to 分管领导审批
    said = confirm(tasklist, f"/console/instances/{second}/confirm?action=move&source=grant&target=leaderApproval")
    assert "把流程移回人工任务「分管领导审批」" in said
    assert [t.element_id for t in world.engine.user_tasks.values() if t.instance_key == second] == ["leaderApproval"]
    after = tasklist.get(f"/console/instances/{second}?done=move").text
    assert "流程已回到所选人工任务" in after and 'id="no-incidents"' in after

    with Session(world.db) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action.startswith("console."))).all()  # type: ignore[attr-defined]
    assert [(r.action, r.actor, r.process_instance_key, r.case_id) for r in rows] == [
        ("console.retry", "admin", first, 101),
        ("console.move", "admin", second, 102),
    ]
    assert rows[1].details["target"] == "leaderApproval"


def test_only_the_system_administrator_has_the_console(tasklist: TestClient, world: World) -> None:
    world.engine.deploy([("approval.bpmn", approval())])
    key = stuck(world, 101)
    for login in ("zhang", "li", "county"):
        sign_in(tasklist, login)
        assert tasklist.get("/console").status_code == 404
        assert tasklist.get(f"/console/instances/{key}").status_code == 404
        assert "运维控制台" not in tasklist.get("/").text
    sign_in(tasklist, "admin")
    assert "运维控制台" in tasklist.get("/console").text
    # a confirmation that no longer fits (the incident is gone) does nothing
    assert tasklist.get(f"/console/instances/{key}/confirm?action=retry&incident=1").status_code == 404
