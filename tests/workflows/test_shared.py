"""The shared processes (home visit, written notice, village publicity) and the decisions on their own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from jiuzhu.engine.dmn import evaluate_decision, parse_dmn
from jiuzhu.engine.feel import set_clock
from tests.workflows.conftest import START, WORKFLOWS, Case, new_engine, visit_form

pytestmark = pytest.mark.workflows


def test_home_visit_county_led_and_an_invalid_record_is_redone(case: Case) -> None:
    key = case.start(
        "home-visit",
        {"caseId": 7, "townshipId": 3, "acceptedAt": START.isoformat(), "registeredSeparately": True},
    )
    scheduled = case.complete("visit.schedule")
    assert scheduled["registeredSeparately"] is True
    task = case.task("Activity_ConductVisit")
    assert task.candidate_groups == ["county-supervisor"]  # 单独登记备案: the county visits
    case.do("Activity_ConductVisit", **visit_form(case))
    given = case.throw("visit.record", "VISIT_RECORD_INVALID")
    assert [s["role"] for s in given["signatures"]] == ["调查人员", "调查人员", "家庭成员"]
    assert case.engine.variables(key)["visitRecordInvalid"] is True
    case.do("Activity_ConductVisit", **visit_form(case, "不符合"))
    assert case.complete("visit.record")["passed"] is False
    assert not case.active(key)


def test_written_notice_rejection_has_a_delivery_due_date(case: Case) -> None:
    key = case.start(
        "written-notice",
        {
            "caseId": 7,
            "noticeKind": "不予批准告知书",
            "facts": ["核对显示家庭月人均收入 ¥900，高于当地低保标准 ¥780"],
            "checkReportId": 3,
            "decisionId": None,
            "decidedAt": START.isoformat(),
        },
    )
    case.complete("notice.issue-rejection")
    task = case.task("Activity_DeliverNotice")
    assert task.due_date == "2026-03-05T17:30:00+08:00"
    case.do("Activity_DeliverNotice", deliveredAt=case.now.isoformat(), receiptReference="回证-1")
    assert case.complete("notice.record-delivery")["receiptReference"] == "回证-1"
    assert not case.active(key)


def test_written_notice_approval_has_no_rejection_deadline(case: Case) -> None:
    key = case.start("written-notice", {"caseId": 7, "noticeKind": "批准通知书", "decisionId": 601})
    assert case.complete("notice.issue-decision")["noticeKind"] == "批准通知书"
    assert case.task("Activity_DeliverNotice").due_date is None
    case.do("Activity_DeliverNotice", deliveredAt=case.now.isoformat(), receiptReference="回证-2")
    case.complete("notice.record-delivery")
    assert not case.active(key)


def test_village_publicity_records_every_objection_then_closes(case: Case) -> None:
    key = case.start("village-publicity", {"caseId": 7, "decisionId": 601, "villageId": 12, "publicityDays": 7})
    published = case.complete("publicity.publish")
    assert published["startDate"] == "2026-03-02" and published["days"] == 7
    for n in (1, 2):
        case.advance(timedelta(days=1))
        objection = {
            "messageId": f"m-{n}",
            "channel": "12349",
            "content": f"异议{n}",
            "receivedAt": case.now.isoformat(),
        }
        case.publish("publicity-objection", 7, {"objection": objection}, message_id=f"m-{n}")
        assert case.complete("publicity.record-objection")["content"] == f"异议{n}"
    case.publish("publicity-objection", 8, {"objection": {}})  # another case's publicity: not ours
    assert case.waiting() == []
    case.advance(timedelta(days=6))
    closed = case.complete("publicity.close", openObjections=2)
    assert closed["publicityId"] == case.last_output("publicity.publish")["publicityId"]
    assert not case.active(key)


def test_an_objection_registered_in_the_task_list_is_recorded_against_the_open_publicity(case: Case) -> None:
    """publicity-objection: started from the case page with the case, its publicity and the objection;
    the same job as a message-borne objection records it (publicity.close then counts it)."""
    objection = {
        "messageId": "tasklist-7-ab",
        "channel": "来访",
        "content": "儿子经营门店",
        "receivedAt": START.isoformat(),
    }
    key = case.start("publicity-objection", {"caseId": 7, "publicityId": 41, "objection": objection})
    given = case.complete("publicity.record-objection", objectionId=5, objectionStatus="已收到")
    assert (given["publicityId"], given["caseId"], given["messageId"]) == (41, 7, "tasklist-7-ab")
    assert (given["channel"], given["content"], given["receivedAt"]) == ("来访", "儿子经营门店", START.isoformat())
    assert not case.active(key)


def test_feel_now_follows_the_engine_clock(tmp_path: Path) -> None:
    """Zeebe's FEEL now()/today() read the engine clock (controlled in tests, PUT /v2/clock).

    The processes use today() for publicity start dates and re-check schedules; this test runs
    without the wiring the other tests add in conftest.py, so it checks the runtime itself.
    """
    set_clock(None)
    engine = new_engine(tmp_path)
    case = Case(engine)
    case.start("village-publicity", {"caseId": 7, "decisionId": 601, "villageId": 12, "publicityDays": 7})
    assert case.complete("publicity.publish")["startDate"] == START.date().isoformat()


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (None, {"path": "county", "reviewStagePublicity": False, "approvalLevel": "township"}),
        ("county", {"path": "county", "reviewStagePublicity": False, "approvalLevel": "township"}),
        ("national", {"path": "national", "reviewStagePublicity": True, "approvalLevel": "county"}),
    ],
)
def test_procedure_decision_by_policy_profile(profile: str | None, expected: dict[str, object]) -> None:
    graph = parse_dmn((WORKFLOWS / "application-procedure.dmn").read_bytes(), "application-procedure.dmn")
    result = evaluate_decision(graph, "application-procedure", {"policyProfile": profile}).decision_output
    assert {k: result[k] for k in expected} == expected
    assert result["firstReviewPublicityDays"] == (7 if profile == "national" else None)


@pytest.mark.parametrize(
    ("path", "amount", "route"),
    [
        ("county", 3120, "township"),  # exactly 4 × 780: the township may approve it
        ("county", 3120.01, "county"),
        ("national", 7800, "township"),
        ("national", 7800.01, "county"),
    ],
)
def test_temporary_route_limit_is_inclusive(path: str, amount: float, route: str) -> None:
    graph = parse_dmn((WORKFLOWS / "temporary-assistance-route.dmn").read_bytes(), "route.dmn")
    variables = {"procedure": {"path": path}, "proposedAmount": amount, "standard": 780}
    result = evaluate_decision(graph, "temporary-assistance-route", variables).decision_output
    assert result["route"] == route
