"""Handlers with effects on the case record, and idempotency: a job delivered twice has one effect."""

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from schemas.enums import CaseStatus, ObjectionStatus, PaymentKind, PaymentStatus
from schemas.tables import (
    Case,
    HomeVisit,
    Objection,
    Payment,
    PublicityNotice,
    PublicityRow,
    Referral,
    VisitSignature,
    WrittenNotice,
)
from tests.workers.harness import START, World, accept_vars, approval_vars
from workers.runtime import CaseRecordError

pytestmark = pytest.mark.workers


def approved_case(world: World, amount: float = 1516) -> tuple[dict[str, Any], dict[str, Any]]:
    case = world.ok("application.accept", accept_vars(world.county))
    decision = world.ok("approval.record", approval_vars(world, case["caseId"], amount))
    return case, decision


def schedule_vars(case: dict[str, Any], decision: dict[str, Any], amount: float = 1516) -> dict[str, Any]:
    return {
        "caseId": case["caseId"],
        "householdId": case["householdId"],
        "decisionId": decision["decisionId"],
        "monthlyAmount": amount,
        "effectiveMonth": decision["effectiveMonth"],
    }


def test_schedule_payment_twice_is_one_ledger_row(world: World) -> None:
    case, decision = approved_case(world)
    first = world.ok("payment.schedule", schedule_vars(case, decision), key=501)
    again = world.ok("payment.schedule", schedule_vars(case, decision), key=501)  # redelivered
    retried = world.ok("payment.schedule", schedule_vars(case, decision), key=502)  # new job, same business key
    assert first == again == retried and first["firstMonth"] == "2026-04-01"
    [payment] = world.all(Payment)
    assert payment.amount == Decimal("1516.00") and payment.status is PaymentStatus.SCHEDULED
    assert payment.idempotency_key == first["idempotencyKey"]


def test_amount_must_match_the_decision(world: World) -> None:
    case, decision = approved_case(world)
    with pytest.raises(Exception, match="不一致"):
        world.run("payment.schedule", schedule_vars(case, decision, amount=2000))
    assert world.all(Payment) == []


def pay_vars(case: dict[str, Any], decision: dict[str, Any], key: str, month: str = "2026-04-01") -> dict[str, Any]:
    return {
        "caseId": case["caseId"],
        "householdId": case["householdId"],
        "decisionId": decision["decisionId"],
        "month": month,
        "amount": 1516,
        "idempotencyKey": key,
    }


def test_pay_monthly_idempotent_and_refuses_a_second_payment_for_the_month(world: World) -> None:
    case, decision = approved_case(world)
    paid = world.ok("payment.pay-monthly", pay_vars(case, decision, "run-2026-04"), key=601)
    assert world.ok("payment.pay-monthly", pay_vars(case, decision, "run-2026-04"), key=602) == paid
    other = world.thrown("payment.pay-monthly", pay_vars(case, decision, "another-run"))
    assert other.code == "DUPLICATE_PAYMENT" and "2026-04" in other.message
    [payment] = world.all(Payment)
    assert payment.status is PaymentStatus.PAID and payment.paid_at == START


def test_concurrent_deliveries_write_one_row(world: World) -> None:
    case, decision = approved_case(world)
    results: list[Any] = []
    barrier = threading.Barrier(4)

    def deliver(job_key: int) -> None:
        barrier.wait()
        results.append(
            world.run("payment.pay-monthly", pay_vars(case, decision, "run-2026-05", "2026-05-01"), key=job_key)
        )

    threads = [threading.Thread(target=deliver, args=(700 + n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(world.all(Payment)) == 1
    assert len({r["paymentId"] for r in results if isinstance(r, dict)}) == 1


def emergency_vars(world: World, case: dict[str, Any], amount: float, key: str = "emergency-1") -> dict[str, Any]:
    return {
        "caseId": case["caseId"],
        "householdId": case["householdId"],
        "amount": amount,
        "emergencyCause": "火灾",
        "reportedAt": START.isoformat(),
        "paidById": world.staff_id("xinhang.lingdao"),
        "idempotencyKey": key,
    }


@pytest.mark.parametrize(("hours", "within"), [(3, True), (24, True), (25, False)])
def test_emergency_relief_within_24_hours(world: World, hours: int, within: bool) -> None:
    case = world.ok("application.accept", accept_vars(world.county, "chen", "急难型临时救助", emergencyCause="火灾"))
    world.clock.advance(timedelta(hours=hours))
    out = world.ok("payment.pay-emergency", emergency_vars(world, case, 2000))
    assert out["withinDeadline"] is within
    [payment] = world.all(Payment)
    assert payment.kind is PaymentKind.EMERGENCY and payment.amount == Decimal("2000.00")
    assert world.all(Case)[0].status is CaseStatus.RELIEVED_FIRST


def test_emergency_above_the_small_amount_and_paid_twice(world: World) -> None:
    case = world.ok("application.accept", accept_vars(world.county, "chen", "急难型临时救助", emergencyCause="火灾"))
    assert world.thrown("payment.pay-emergency", emergency_vars(world, case, 2000.01)).code == "ABOVE_EMERGENCY_LIMIT"
    first = world.ok("payment.pay-emergency", emergency_vars(world, case, 800))
    assert world.ok("payment.pay-emergency", emergency_vars(world, case, 800)) == first
    assert world.thrown("payment.pay-emergency", emergency_vars(world, case, 800, "other")).code == "DUPLICATE_PAYMENT"
    assert len(world.all(Payment)) == 1


def rejection_vars(case: dict[str, Any], **extra: Any) -> dict[str, Any]:
    values = {
        "caseId": case["caseId"],
        "facts": ["核对显示家庭月人均收入 ¥900，高于当地低保标准 ¥755"],
        "checkReportId": None,
        "decisionId": None,
        "decidedAt": START.isoformat(),
    }
    values.update(extra)
    return values


def test_rejection_notice_is_numbered_once_per_basis(world: World) -> None:
    case = world.ok("application.accept", accept_vars(world.county))
    first = world.ok("notice.issue-rejection", rejection_vars(case), key=801)
    again = world.ok("notice.issue-rejection", rejection_vars(case), key=802)
    assert first == again and first["noticeNumber"] == "桃州镇民救告〔2026〕1号"
    assert first["noticeDue"] == "2026-03-05"
    [notice] = world.all(WrittenNotice)
    assert notice.applicant_name == "张建国" and notice.issuing_body == "桃州镇人民政府"
    assert "高于当地低保标准 ¥755" in notice.facts and "六十日内向广德市人民政府申请行政复议" in notice.redress
    assert "最低生活保障审核确认办法" in notice.legal_basis
    html = (world.data_dir / "notices" / f"case-{case['caseId']}" / f"notice-{notice.id}.html").read_text("utf-8")
    assert "<li>核对显示家庭月人均收入 ¥900，高于当地低保标准 ¥755</li>" in html and "送达回证" in html
    second = world.ok(
        "notice.issue-rejection",
        rejection_vars(
            case, decisionId=None, checkReportId=None, facts=["复核仍不符合"], decidedAt="2026-03-20T09:00:00+08:00"
        ),
        key=803,
    )
    assert second == first  # same basis (no report, no decision): the notice already issued


def test_decision_notice_and_delivery(world: World) -> None:
    case, decision = approved_case(world)
    out = world.ok("notice.issue-decision", {"caseId": case["caseId"], "decisionId": decision["decisionId"]})
    assert out["noticeNumber"] == "桃州镇民救批〔2026〕1号"
    world.clock.advance(timedelta(days=1, hours=2))  # delivered the next morning (not in the future)
    delivered = {"noticeId": out["noticeId"], "deliveredAt": "2026-03-03T10:00:00+08:00", "receiptReference": "回证-9"}
    assert world.ok("notice.record-delivery", delivered)["deliveredAt"] == "2026-03-03T10:00:00+08:00"
    [notice] = world.all(WrittenNotice)
    assert notice.receipt_reference == "回证-9" and "自2026年4月起按月发放救助金，每月 ¥1,516" in notice.decision


def publish_vars(case: dict[str, Any], decision: dict[str, Any], world: World) -> dict[str, Any]:
    return {
        "caseId": case["caseId"],
        "decisionId": decision["decisionId"],
        "villageId": world.county.villages["东亭村/三组"],
        "startDate": "2026-03-02",
        "days": None,
    }


def test_publicity_is_masked_and_objections_reopen_the_case(world: World) -> None:
    case, decision = approved_case(world)
    out = world.ok("publicity.publish", publish_vars(case, decision, world))
    assert out == {
        "publicityId": out["publicityId"],
        "periodStart": "2026-03-02",
        "periodEnd": "2026-03-08",
        "publicityEndsAt": "2026-03-09T00:00:00+08:00",
    }
    assert world.ok("publicity.publish", publish_vars(case, decision, world), key=901) == out
    [row] = world.all(PublicityRow)
    assert (row.masked_name, row.household_size, row.category, row.village_label) == ("张*国", 3, "低保", "东亭村三组")
    html = (world.data_dir / "publicity" / f"publicity-{out['publicityId']}.html").read_text("utf-8")
    assert "张*国" in html and "张建国" not in html and "¥1,516" in html and "12349" in html and "0563-6012349" in html
    for member in world.county.household("zhang").members:
        assert member.id_number not in html
    assert "2026年3月2日" in html and "2026年3月8日" in html
    objection = {
        "publicityId": out["publicityId"],
        "caseId": case["caseId"],
        "messageId": "obj-1",
        "channel": "12349",
        "content": "申请人儿子在县城经营门店",
        "receivedAt": "2026-03-04T10:00:00+08:00",
    }
    recorded = world.ok("publicity.record-objection", objection)
    assert world.ok("publicity.record-objection", objection, key=902) == recorded  # the same message again
    closed = world.ok("publicity.close", {"publicityId": out["publicityId"]})
    assert closed["openObjections"] == 1 and closed["upheldObjections"] == 0
    assert world.all(Objection)[0].status is ObjectionStatus.UNDER_REVIEW
    assert world.all(Case)[0].status is CaseStatus.VISITING
    assert len(world.all(PublicityNotice)) == 1


def test_visit_schedule_and_record(world: World) -> None:
    case = world.ok("application.accept", accept_vars(world.county))
    variables = {"caseId": case["caseId"], "townshipId": 1, "acceptedAt": START.isoformat()}
    scheduled = world.ok("visit.schedule", variables)
    assert scheduled["visitDueAt"] == "2026-03-06T00:00:00+08:00"  # within 3 working days
    assert scheduled["scheduledAt"] == "2026-03-03T09:00:00+08:00" and scheduled["candidateGroups"] == [
        "township-caseworker"
    ]
    assert world.ok("visit.schedule", variables, key=1001) == scheduled  # one open visit per case
    world.clock.advance(timedelta(days=1, hours=2))  # the visit is recorded after it took place
    a, b = world.staff_id("taozhou.jingban"), world.staff_id("taozhou.jingban2")
    record = {
        "caseId": case["caseId"],
        "visitId": scheduled["visitId"],
        "visitorIds": [a, b],
        "visitedAt": "2026-03-03T10:00:00+08:00",
        "findings": "无车辆，住房简陋",
        "passed": True,
        "signatures": [
            {"role": "调查人员", "name": "王经办", "staffId": a},
            {"role": "调查人员", "name": "孙经办", "staffId": b},
            {"role": "家庭成员", "name": "张建国"},
        ],
    }
    outsider = {
        **record,
        "visitorIds": [a, world.staff_id("xinhang.jingban")],
        "signatures": [
            *record["signatures"][:1],
            {"role": "调查人员", "name": "吴经办", "staffId": world.staff_id("xinhang.jingban")},
            record["signatures"][2],
        ],
    }
    thrown = world.thrown("visit.record", outsider)
    assert thrown.code == "VISIT_RECORD_INVALID" and "不属本乡镇" in thrown.message
    assert world.ok("visit.record", record)["visitPassed"] is True
    [visit] = world.all(HomeVisit)
    assert (visit.lead_visitor_id, visit.second_visitor_id, visit.passed) == (a, b, True)
    assert len(world.all(VisitSignature)) == 3


def test_referrals_one_open_per_target(world: World) -> None:
    case = world.ok("application.accept", accept_vars(world.county, "chen", "急难型临时救助", emergencyCause="火灾"))
    variables = {
        "householdId": case["householdId"],
        "caseId": case["caseId"],
        "target": "医疗救助",
        "reason": "烧伤住院",
    }
    first = world.ok("referral.create", variables)
    assert world.ok("referral.create", variables) == first
    world.ok("referral.create", {**variables, "target": "低保"})
    assert sorted(r.target.value for r in world.all(Referral)) == ["低保", "医疗救助"]


def test_first_review_publicity_shows_the_proposed_amount_before_any_decision(world: World) -> None:
    """National path: 初审公示 comes before the decision, with the township's proposed amount."""
    case = world.ok("application.accept", accept_vars(world.county))
    first_review = {
        "caseId": case["caseId"],
        "decisionId": None,
        "proposedAmount": 1480,
        "villageId": world.county.villages["东亭村/三组"],
        "startDate": "2026-03-02",
        "days": 7,
    }
    out = world.ok("publicity.publish", first_review)
    assert (out["periodStart"], out["periodEnd"]) == ("2026-03-02", "2026-03-08")
    [row] = world.all(PublicityRow)
    assert (row.masked_name, row.monthly_amount) == ("张*国", Decimal("1480.00"))
    with pytest.raises(CaseRecordError, match="既无审批决定也无拟保障金额"):
        world.ok("publicity.publish", {**first_review, "proposedAmount": None, "startDate": "2026-03-10"})
