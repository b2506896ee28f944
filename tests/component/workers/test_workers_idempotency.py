"""Each worker (every job type of schemas.contracts.JOB_TYPES) on SQLite and PostgreSQL: the same job
delivered twice has one effect and the same answer, and a new job for the same business effect (a new
job key with the same business or idempotency key) has one effect too — except the economic checks,
where every job is a query of the platform of its own (a re-check is a new report)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlmodel import col, select

from schemas.contracts import JOB_TYPES
from schemas.tables import (
    Case,
    Decision,
    DecisionAddon,
    EconomicCheck,
    EconomicCheckItem,
    HomeVisit,
    Household,
    Member,
    Objection,
    Payment,
    PublicityNotice,
    PublicityRow,
    Referral,
    VisitSignature,
    WrittenNotice,
)
from tests.workers.harness import START, World, accept_vars, approval_vars
from workers.runtime import Thrown

pytestmark = [pytest.mark.component, pytest.mark.workers]

_keys = itertools.count(4_503_599_627_370_000)
SAME, NEW = "same effect", "new effect"


def rows(world: World, *models: Any) -> list[tuple[str, list[dict[str, Any]]]]:
    """Every row of ``models``: the effect a job may have had on the case record."""
    with world.session() as session:
        return [
            (model.__name__, [r.model_dump() for r in session.exec(select(model).order_by(col(model.id)))])
            for model in models
        ]


@dataclass
class Scenario:
    variables: dict[str, Any]
    effect: tuple[Any, ...] = ()  # the tables the job writes; () for pure assessments
    new_job: str = SAME  # what a new job (new key) with the same business key does
    refused: tuple[dict[str, Any], str] | None = None  # another key for the same month: one payment, this error
    setup: list[str] = field(default_factory=list)


def case_of(world: World, key: str = "zhang", case_type: str = "低保", **extra: Any) -> dict[str, Any]:
    return world.ok("application.accept", accept_vars(world.county, key, case_type, **extra), instance=next(_keys))


def approved(world: World, amount: float = 1516) -> tuple[dict[str, Any], dict[str, Any]]:
    case = case_of(world)
    decision = world.ok("approval.record", approval_vars(world, case["caseId"], amount))
    return case, decision


def published(world: World) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    case, decision = approved(world)
    publicity = world.ok(
        "publicity.publish",
        {
            "caseId": case["caseId"],
            "decisionId": decision["decisionId"],
            "villageId": world.county.villages["东亭村/三组"],
            "startDate": "2026-03-02",
        },
    )
    return case, decision, publicity


def members(world: World, key: str) -> list[dict[str, Any]]:
    return [m.variables() for m in world.county.household(key).members]


def s_accept(world: World) -> Scenario:
    return Scenario(accept_vars(world.county), (Case, Household, Member))


def s_close(world: World) -> Scenario:
    case = case_of(world)
    return Scenario({"caseId": case["caseId"], "finalStatus": "已撤回", "closedAt": START.isoformat()}, (Case,))


def s_deadlines(world: World) -> Scenario:
    case = case_of(world)
    variables = {"caseId": case["caseId"], "caseType": "低保", "path": "county", "acceptedAt": case["acceptedAt"]}
    return Scenario(variables, (Case,))


def s_escalate(world: World) -> Scenario:
    case = case_of(world)
    return Scenario({"caseId": case["caseId"], "level": "overdue", "decisionDue": "2026-03-16"})


def check_vars(world: World, case: dict[str, Any], key: str) -> dict[str, Any]:
    return {
        "caseId": case["caseId"],
        "householdId": case["householdId"],
        "memberIdNumbers": [m["idNumber"] for m in members(world, key)],
        "checkAuthorised": True,
    }


def s_check(world: World) -> Scenario:
    case = case_of(world)
    return Scenario(check_vars(world, case, "zhang"), (EconomicCheck, EconomicCheckItem, Case), new_job=NEW)


def s_recheck(world: World) -> Scenario:
    case = case_of(world, "wang")
    failed = world.thrown("verification.check-economic-status", check_vars(world, case, "wang"))
    variables = {
        "caseId": case["caseId"],
        "householdId": case["householdId"],
        "previousCheckReportId": failed.variables["checkReportId"],
        "evidence": "2026年2月起已离职，提供解除劳动合同证明",
        "disputedAt": "2026-03-04T10:00:00+08:00",
    }
    return Scenario(variables, (EconomicCheck, EconomicCheckItem, Case), new_job=NEW)


def s_assess(world: World) -> Scenario:
    case = case_of(world)
    variables = {
        "caseId": case["caseId"],
        "caseType": "低保",
        "area": "rural",
        "assessedOn": "2026-03-04",
        "members": members(world, "zhang"),
        "incomeItems": [{"kind": "wages", "amount": 900, "periodMonths": 1}],
        "propertyWithinLimits": True,
    }
    return Scenario(variables)


def s_self_care(world: World) -> Scenario:
    case = case_of(world, "li", "特困")
    abilities = {a: a != "bathing" for a in ("eating", "dressing", "bed_transfer", "toileting", "walking_indoors")}
    abilities["bathing"] = False
    return Scenario({"caseId": case["caseId"], "memberId": case["applicantId"], "abilities": abilities})


def s_visit_schedule(world: World) -> Scenario:
    case = case_of(world)
    variables = {"caseId": case["caseId"], "townshipId": case_township(world), "acceptedAt": case["acceptedAt"]}
    return Scenario(variables, (HomeVisit, Case))


def case_township(world: World) -> int:
    return world.county.townships["341822100"]


def s_visit_record(world: World) -> Scenario:
    case = case_of(world)
    visit = world.ok(
        "visit.schedule",
        {"caseId": case["caseId"], "townshipId": case_township(world), "acceptedAt": case["acceptedAt"]},
    )
    a, b = world.staff_id("taozhou.jingban"), world.staff_id("taozhou.jingban2")
    variables = {
        "caseId": case["caseId"],
        "visitId": visit["visitId"],
        "visitorIds": [a, b],
        "visitedAt": START.isoformat(),  # not after the clock: a visit in the future is refused
        "findings": "住房为自建房，无车辆，与申报一致。",
        "passed": True,
        "signatures": [
            {"role": "调查人员", "name": "王经办", "staffId": a},
            {"role": "调查人员", "name": "孙经办", "staffId": b},
            {"role": "家庭成员", "name": "张建国"},
        ],
    }
    return Scenario(variables, (HomeVisit, VisitSignature, Case))


def s_approval(world: World) -> Scenario:
    case = case_of(world)
    variables = {
        "caseId": case["caseId"],
        "caseType": "低保",
        "approverId": world.staff_id("taozhou.lingdao"),
        "decisionOutcome": "批准",
        "amount": 1516,
        "addOns": [],
        "reasons": "家庭月人均收入 ¥300，低于当地低保标准 ¥755。",
        "decidedAt": "2026-03-06T16:00:00+08:00",
    }
    return Scenario(variables, (Decision, DecisionAddon, Case))


def s_spot_check(world: World) -> Scenario:
    case = case_of(world)
    return Scenario({"caseId": case["caseId"], "caseType": "特困", "path": "national", "townshipId": 1})


def s_publish(world: World) -> Scenario:
    case, decision = approved(world)
    variables = {
        "caseId": case["caseId"],
        "decisionId": decision["decisionId"],
        "villageId": world.county.villages["东亭村/三组"],
        "startDate": "2026-03-02",
    }
    return Scenario(variables, (PublicityNotice, PublicityRow, Case))


def s_objection(world: World) -> Scenario:
    case, _, publicity = published(world)
    variables = {
        "publicityId": publicity["publicityId"],
        "caseId": case["caseId"],
        "messageId": "objection-2026-03-04-001",
        "channel": "12349",
        "content": "申请人之子在县城经营门店，收入较高",
        "receivedAt": "2026-03-04T10:00:00+08:00",
    }
    return Scenario(variables, (Objection,))


def s_close_publicity(world: World) -> Scenario:
    case, _, publicity = published(world)
    world.ok(
        "publicity.record-objection",
        {
            "publicityId": publicity["publicityId"],
            "caseId": case["caseId"],
            "messageId": "objection-1",
            "channel": "来信",
            "content": "家中有货车一辆",
            "receivedAt": "2026-03-05T10:00:00+08:00",
        },
    )
    return Scenario({"publicityId": publicity["publicityId"]}, (Objection, Case))


def s_resolve_objections(world: World) -> Scenario:
    """After the re-investigation: the objection (核查中 since the publicity closed) is answered."""
    case, decision, publicity = published(world)
    world.ok(
        "publicity.record-objection",
        {
            "publicityId": publicity["publicityId"],
            "caseId": case["caseId"],
            "messageId": "objection-2",
            "channel": "来访",
            "content": "儿子经营门店，收入未申报",
            "receivedAt": "2026-03-05T10:00:00+08:00",
        },
    )
    world.ok("publicity.close", {"publicityId": publicity["publicityId"]})
    variables = {
        "caseId": case["caseId"],
        "decisionId": decision["decisionId"],
        "objectionOutcome": "异议成立",
        "objectionReason": "经重新入户调查，儿子经营门店属实，月净收入约600元，已计入家庭收入。",
        "answeredAt": "2026-03-12T10:00:00+08:00",
    }
    return Scenario(variables, (Objection,))


def s_rejection(world: World) -> Scenario:
    case = case_of(world, "wang")
    failed = world.thrown("verification.check-economic-status", check_vars(world, case, "wang"))
    facts = [f["finding"] for f in failed.variables["findings"] if f["outcome"] == "不符合"]
    variables = {
        "caseId": case["caseId"],
        "facts": facts,
        "checkReportId": failed.variables["checkReportId"],
        "decisionId": None,
        "decidedAt": START.isoformat(),
    }
    return Scenario(variables, (WrittenNotice, Case))


def s_decision_notice(world: World) -> Scenario:
    case, decision = approved(world)
    return Scenario({"caseId": case["caseId"], "decisionId": decision["decisionId"]}, (WrittenNotice,))


def s_delivery(world: World) -> Scenario:
    case, decision = approved(world)
    notice = world.ok("notice.issue-decision", {"caseId": case["caseId"], "decisionId": decision["decisionId"]})
    variables = {
        "noticeId": notice["noticeId"],
        "deliveredAt": START.isoformat(),  # not after the clock: a delivery in the future is refused
        "receiptReference": "回证-1",
    }
    return Scenario(variables, (WrittenNotice,))


def s_schedule(world: World) -> Scenario:
    case, decision = approved(world)
    variables = {
        "caseId": case["caseId"],
        "householdId": case["householdId"],
        "decisionId": decision["decisionId"],
        "monthlyAmount": 1516,
        "effectiveMonth": decision["effectiveMonth"],
    }
    return Scenario(variables, (Payment,))


def s_pay_monthly(world: World) -> Scenario:
    case, decision = approved(world)
    variables = {
        "caseId": case["caseId"],
        "householdId": case["householdId"],
        "decisionId": decision["decisionId"],
        "month": "2026-04-01",
        "amount": 1516,
        "idempotencyKey": "run-2026-04-case-1",
    }
    return Scenario(
        variables, (Payment,), refused=({**variables, "idempotencyKey": "run-2026-04-again"}, "DUPLICATE_PAYMENT")
    )


def s_pay_emergency(world: World) -> Scenario:
    case = case_of(world, "chen", "急难型临时救助", emergencyCause="火灾")
    variables = {
        "caseId": case["caseId"],
        "householdId": case["householdId"],
        "amount": 1500,
        "emergencyCause": "火灾",
        "reportedAt": case["acceptedAt"],
        "paidById": world.staff_id("xinhang.lingdao"),
        "idempotencyKey": f"emergency-{case['caseId']}",
    }
    return Scenario(
        variables, (Payment, Case), refused=({**variables, "idempotencyKey": "another"}, "DUPLICATE_PAYMENT")
    )


def s_referral(world: World) -> Scenario:
    case = case_of(world, "chen", "急难型临时救助", emergencyCause="火灾")
    variables = {
        "householdId": case["householdId"],
        "caseId": case["caseId"],
        "target": "医疗救助",
        "reason": "烧伤住院",
    }
    return Scenario(variables, (Referral,))


def s_schedule_recheck(world: World) -> Scenario:
    case, _ = approved(world)
    variables = {"caseId": case["caseId"], "fromDate": "2026-03-02", "incomeStable": False, "memberAbleToWork": True}
    return Scenario(variables)


def s_record_recheck(world: World) -> Scenario:
    case, _ = approved(world)
    variables = {
        "caseId": case["caseId"],
        "recheckOutcome": "调整",
        "newAmount": 1200,
        "reasons": "家庭收入增加",
        "householdHeard": True,
        "decidedAt": "2026-09-10T10:00:00+08:00",
        "approverId": world.staff_id("taozhou.lingdao"),
    }
    return Scenario(variables, (Decision, Case))


SCENARIOS: dict[str, Callable[[World], Scenario]] = {
    "application.accept": s_accept,
    "case.close": s_close,
    "sla.compute-deadlines": s_deadlines,
    "sla.escalate": s_escalate,
    "verification.check-economic-status": s_check,
    "verification.recheck": s_recheck,
    "eligibility.assess": s_assess,
    "eligibility.assess-self-care": s_self_care,
    "visit.schedule": s_visit_schedule,
    "visit.record": s_visit_record,
    "approval.record": s_approval,
    "supervision.select-spot-check": s_spot_check,
    "publicity.publish": s_publish,
    "publicity.record-objection": s_objection,
    "publicity.close": s_close_publicity,
    "publicity.resolve-objections": s_resolve_objections,
    "notice.issue-rejection": s_rejection,
    "notice.issue-decision": s_decision_notice,
    "notice.record-delivery": s_delivery,
    "payment.schedule": s_schedule,
    "payment.pay-monthly": s_pay_monthly,
    "payment.pay-emergency": s_pay_emergency,
    "referral.create": s_referral,
    "dynamic.schedule-recheck": s_schedule_recheck,
    "dynamic.record-recheck": s_record_recheck,
}


def test_every_job_type_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(JOB_TYPES)


def audit_rows(world: World, job_type: str, job_key: int) -> int:
    return sum(1 for e in world.audit(job_type) if e.details.get("jobKey") == job_key)


@pytest.mark.parametrize("job_type", sorted(JOB_TYPES))
def test_a_job_twice_has_one_effect_and_a_new_job_for_the_same_effect_too(world: World, job_type: str) -> None:
    scenario = SCENARIOS[job_type](world)
    instance = next(_keys) if job_type != "application.accept" else world.instance_key
    before = rows(world, *scenario.effect)
    key, other_key = next(_keys), next(_keys)

    first = world.run(job_type, scenario.variables, key=key, instance=instance)
    effect = rows(world, *scenario.effect)
    if scenario.effect:
        assert effect != before, f"{job_type} changed nothing"
    assert audit_rows(world, job_type, key) == 1

    again = world.run(job_type, scenario.variables, key=key, instance=instance)  # redelivered: same job key
    assert again == first
    assert rows(world, *scenario.effect) == effect
    assert audit_rows(world, job_type, key) == 1

    new_job = world.run(job_type, scenario.variables, key=other_key, instance=instance)  # same business key
    if scenario.new_job == SAME:
        assert new_job == first
        assert rows(world, *scenario.effect) == effect
    else:  # every check job is a report of its own
        assert isinstance(new_job, dict | Thrown) and new_job != first
        [(_, checks), *_] = rows(world, *scenario.effect)
        assert len(checks) == len(dict(effect)["EconomicCheck"]) + 1
    assert audit_rows(world, job_type, other_key) == 1

    if scenario.refused is not None:
        variables, code = scenario.refused
        refused = world.thrown(job_type, variables, key=next(_keys), instance=instance)
        assert refused.code == code
        assert rows(world, *scenario.effect) == effect


def test_pay_monthly_pays_the_scheduled_row_once(world: World) -> None:
    case, decision = approved(world)
    scheduled = world.ok(
        "payment.schedule",
        {
            "caseId": case["caseId"],
            "householdId": case["householdId"],
            "decisionId": decision["decisionId"],
            "monthlyAmount": 1516,
            "effectiveMonth": decision["effectiveMonth"],
        },
    )
    variables = {
        "caseId": case["caseId"],
        "householdId": case["householdId"],
        "decisionId": decision["decisionId"],
        "month": decision["effectiveMonth"],
        "amount": 1516,
        "idempotencyKey": scheduled["idempotencyKey"],
    }
    with pytest.raises(Exception, match="不一致"):  # the run must pay what was scheduled
        world.run("payment.pay-monthly", {**variables, "amount": 1600})
    paid = world.ok("payment.pay-monthly", variables)
    assert world.ok("payment.pay-monthly", variables) == paid
    [payment] = world.all(Payment)
    assert payment.id == scheduled["paymentId"] == paid["paymentId"] and paid["paymentStatus"] == "已发放"
    assert payment.paid_at == START
