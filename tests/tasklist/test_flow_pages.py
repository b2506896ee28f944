"""Issue 11, part B, on the task list's pages: the reason a task came back, whose case a task is
(also in a called process), names instead of ids, the inbox filters, the leader's reassignment
(audited), and 卡住的案件 read from the engine's incidents."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from schemas.enums import StaffRole
from schemas.tables import AuditEntry, Case, Staff
from tests.engine.bpmn_builder import linear_jobs
from tests.tasklist.helpers import sign_in, token
from tests.tasklist.world import NOW, TOWNSHIP_A, World


def claim(tasklist: TestClient, key: int) -> None:
    response = tasklist.post(f"/tasks/{key}/claim", data={"csrf_token": token(tasklist)}, follow_redirects=False)
    assert response.status_code == 303


def case_of(world: World, name: str) -> Case:
    with Session(world.db) as session:
        found = session.get(Case, world.ids[name])
        assert found is not None
        return found


def test_a_task_sent_back_shows_the_reason_and_names_not_ids(tasklist: TestClient, world: World) -> None:
    reason = {"reason": "入户调查须由至少两名不同的工作人员进行", "step": "记录入户调查结果", "at": NOW.isoformat()}
    key = world.open_task(world.start("r", TOWNSHIP_A, world.ids["xingfu"], taskRejection=reason))
    sign_in(tasklist, "zhang")
    claim(tasklist, key)
    page = tasklist.get(f"/tasks/{key}").text
    assert "上次提交被退回：" in page and "入户调查须由至少两名不同的工作人员进行" in page
    assert "经办人" in page and "township-caseworker" not in page
    assert 'id="assignee">张经办<' in page and ">zhang<" not in page


def test_no_reason_is_shown_when_the_task_was_not_sent_back(tasklist: TestClient, world: World) -> None:
    key = world.open_task(world.start("n", TOWNSHIP_A, world.ids["xingfu"], taskRejection=None))
    sign_in(tasklist, "zhang")
    assert "上次提交被退回" not in tasklist.get(f"/tasks/{key}").text


def test_a_task_of_a_called_process_finds_its_case_by_case_id(tasklist: TestClient, world: World) -> None:
    """A called process (home visit) is not the case's instance: its caseId names the case."""
    case = case_of(world, "case_a")
    key = world.open_task(world.start("visit", TOWNSHIP_A, world.ids["xingfu"], caseId=case.id))
    sign_in(tasklist, "zhang")
    page = tasklist.get(f"/tasks/{key}").text
    assert f'href="/cases/{case.id}">{case.case_number}</a>' in page and 'id="task-household"' in page
    inbox = tasklist.get("/").text
    row = inbox.split(f'data-task-key="{key}"')[1].split("</tr>")[0]
    assert case.case_number in row and "未关联案件" not in row and "流程 " not in row


def test_inbox_filters_mine_unclaimed_overdue_near_type_and_done(tasklist: TestClient, world: World) -> None:
    late = world.open_task(world.start("late", TOWNSHIP_A, 1, reviewDue=(NOW - timedelta(hours=1)).isoformat()))
    soon = world.open_task(world.start("soon", TOWNSHIP_A, 1, reviewDue=(NOW + timedelta(hours=2)).isoformat()))
    far = world.open_task(world.start("far", TOWNSHIP_A, 1, reviewDue=(NOW + timedelta(days=9)).isoformat()))
    sign_in(tasklist, "zhang")
    claim(tasklist, far)

    def keys(query: str) -> set[int]:
        page = tasklist.get("/" + query).text
        return {k for k in (late, soon, far) if f'data-task-key="{k}"' in page}

    assert keys("") == {late, soon, far}
    assert keys("?view=assigned") == {far}
    assert keys("?view=unclaimed") == {late, soon}
    assert keys("?view=overdue") == {late}
    assert keys("?view=near") == {soon}
    assert keys("?view=mine&type=经办人审核") == {late, soon, far}
    assert keys("?view=mine&type=分管领导审批") == set()
    assert "近30天已办" in tasklist.get("/").text

    headers = {"X-CSRF-Token": token(tasklist)}
    values = {"visitFindings": "住房简陋", "recommendation": "approve"}
    done = tasklist.post(f"/tasks/{far}/complete", json={"variables": values}, headers=headers)
    assert done.status_code in (200, 303), done.text
    finished = tasklist.get("/?view=done").text
    assert f'data-task-key="{far}"' in finished and "近30天已办任务" in finished
    assert keys("?view=assigned") == set()


def test_the_leader_reassigns_to_a_named_person_of_the_township_and_it_is_audited(
    tasklist: TestClient, world: World
) -> None:
    with Session(world.db) as session:
        session.add(Staff(name="钱经办", role=StaffRole.CASEWORKER, township_id=world.ids["town_a"], login="qian"))
        session.commit()
        qian = session.exec(select(Staff).where(Staff.login == "qian")).one()
    key = world.open_task(world.start("re", TOWNSHIP_A, world.ids["xingfu"]))
    sign_in(tasklist, "li")
    page = tasklist.get(f"/tasks/{key}").text
    assert "改派给" in page and "钱经办（经办人）" in page and "张经办（经办人）" in page
    assert "赵经办" not in page  # another township's caseworker is not offered
    response = tasklist.post(
        f"/tasks/{key}/reassign", data={"csrf_token": token(tasklist), "staff_id": str(qian.id)}, follow_redirects=False
    )
    assert response.status_code == 303
    after = tasklist.get(response.headers["location"]).text
    assert "任务已改派给 钱经办" in after and 'id="assignee">钱经办<' in after
    assert world.engine.user_task(key).assignee == "qian"
    with Session(world.db) as session:
        [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "usertask.reassigned")).all()
    assert entry.actor == "li" and entry.details["assignee"] == "qian" and entry.details["assigneeName"] == "钱经办"
    # Someone of another township, or a caseworker, cannot reassign.
    outsider = tasklist.post(
        f"/tasks/{key}/reassign", data={"csrf_token": token(tasklist), "staff_id": str(world.ids["staff_zhao"])}
    )
    assert outsider.status_code == 409
    sign_in(tasklist, "zhang")
    refused = tasklist.post(
        f"/tasks/{key}/reassign", data={"csrf_token": token(tasklist), "staff_id": str(world.ids["staff_zhang"])}
    )
    assert refused.status_code == 403


def fail_until_incident(world: World, job_type: str, message: str) -> None:
    [activated] = world.engine.activate_jobs(job_type, "tests", 60_000, 1, [], request_timeout_ms=-1)
    world.engine.fail_job(activated.job.key, 0, message, 0, {})


def test_stuck_cases_list_incidents_for_the_township_and_the_county(tasklist: TestClient, world: World) -> None:
    world.engine.deploy([("stuck.bpmn", linear_jobs("stuck-check", ["verification.check-economic-status"]))])
    case = case_of(world, "case_a")
    world.engine.create_instance("stuck-check", {"caseId": case.id, "townshipCode": TOWNSHIP_A})
    fail_until_incident(world, "verification.check-economic-status", "PlatformError: 核对平台在 3 次尝试后仍无应答")

    assert len(world.engine.incidents) == 1
    sign_in(tasklist, "zhang")
    page = tasklist.get("/stuck").text
    assert "卡住的案件" in page and case.case_number in page
    assert "系统处理多次失败" in page and "核对平台在 3 次尝试后仍无应答" in page
    sign_in(tasklist, "county")
    assert case.case_number in tasklist.get("/stuck").text
    sign_in(tasklist, "zhao")  # another township: not theirs
    assert case.case_number not in tasklist.get("/stuck").text
    sign_in(tasklist, "wang")  # a village assistant has no such list
    assert tasklist.get("/stuck").status_code == 404


def test_incident_search_has_camunda_8_8_s_shape(api: TestClient, world: World) -> None:
    world.engine.deploy([("stuck.bpmn", linear_jobs("stuck-check", ["verification.check-economic-status"]))])
    instance = world.engine.create_instance("stuck-check", {"caseId": 7})
    fail_until_incident(world, "verification.check-economic-status", "boom")
    result = api.post("/v2/incidents/search", json={"filter": {"processInstanceKey": str(instance.key)}}).json()
    [item] = result["items"]
    assert result["page"]["totalItems"] == 1
    assert item["errorType"] == "JOB_NO_RETRIES" and item["errorMessage"] == "boom" and item["state"] == "ACTIVE"
    assert item["processDefinitionId"] == "stuck-check" and item["elementId"] == "task1" and item["jobKey"]
    assert api.post("/v2/incidents/search", json={"filter": {"errorType": "IO_MAPPING_ERROR"}}).json()["items"] == []
    variables = api.post(
        "/v2/variables/search", json={"filter": {"processInstanceKey": str(instance.key), "name": "caseId"}}
    ).json()
    assert [json.loads(v["value"]) for v in variables["items"]] == [7]
    assert api.post("/v2/incidents/search", json={"filter": {"nope": 1}}).status_code == 400
