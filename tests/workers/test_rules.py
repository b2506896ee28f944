"""Handlers that apply the policy rules: deadlines, eligibility and amounts, self-care, spot checks, re-checks."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from schemas.tables import AuditEntry, Case, Decision
from tests.workers.harness import CST, START, World, accept_vars, approval_vars
from workers.supervision import drawn

pytestmark = pytest.mark.workers


def accepted(world: World, key: str = "zhang", case_type: str = "低保", **extra: Any) -> dict[str, Any]:
    return world.ok("application.accept", accept_vars(world.county, key, case_type, **extra))


@pytest.mark.parametrize(
    ("accepted_at", "due", "warn", "breach", "provisional"),
    [
        # Monday: 10 working days → Monday two weeks on; the warning starts working day 8.
        ("2026-03-02T09:00:00+08:00", "2026-03-16", "2026-03-12", "2026-03-17", False),
        # Across 清明 (4–6 April 2026 off) and the 劳动节 make-up Saturday.
        ("2026-03-30T16:00:00+08:00", "2026-04-14", "2026-04-10", "2026-04-15", False),
        # A late-evening UTC instant is already the next day in China.
        ("2026-03-01T17:00:00+00:00", "2026-03-16", "2026-03-12", "2026-03-17", False),
        # 2027 is not in the official data yet (1 January counted by weekday): provisional.
        ("2026-12-24T10:00:00+08:00", "2027-01-07", "2027-01-05", "2027-01-08", True),
    ],
)
def test_deadlines_count_working_days(
    world: World, accepted_at: str, due: str, warn: str, breach: str, provisional: bool
) -> None:
    case = accepted(world)
    out = world.ok(
        "sla.compute-deadlines",
        {"caseId": case["caseId"], "caseType": "低保", "path": "county", "acceptedAt": accepted_at},
    )
    assert out["decisionDue"] == due and out["deadlineProvisional"] is provisional
    assert out["warnAt"] == f"{warn}T00:00:00+08:00" and out["breachAt"] == f"{breach}T00:00:00+08:00"
    assert out["reliefDueAt"] is None
    [row] = world.all(Case)
    assert row.decision_due == date.fromisoformat(due) and row.deadline_provisional is provisional


def test_emergency_relief_is_due_24_hours_after_acceptance(world: World) -> None:
    case = accepted(world, "chen", "急难型临时救助", emergencyCause="火灾")
    out = world.ok(
        "sla.compute-deadlines",
        {"caseId": case["caseId"], "caseType": "急难型临时救助", "acceptedAt": START.isoformat()},
    )
    assert out["reliefDueAt"] == "2026-03-03T09:00:00+08:00"


def assess_vars(case: dict[str, Any], world: World, key: str, case_type: str, **extra: Any) -> dict[str, Any]:
    household = world.county.household(key)
    values = {
        "caseId": case["caseId"],
        "caseType": case_type,
        "path": "county",
        "area": household.area.value,
        "assessedOn": "2026-03-10",
        "members": [m.variables() for m in household.members],
        "incomeItems": [],
        "rigidSpending": [],
        "propertyWithinLimits": True,
    }
    values.update(extra)
    return values


@pytest.mark.parametrize(
    ("key", "case_type", "extra", "eligible", "amount", "level"),
    [
        # (755 − 300) × 3 = 1,365 + the minor's add-on 20 % × 755 = 151
        ("zhang", "低保", {"incomeItems": [{"kind": "wages", "amount": 900}]}, True, 1516, None),
        ("zhang", "低保", {"incomeItems": [{"kind": "wages", "amount": 2400}]}, False, None, None),
        ("zhang", "低保", {"incomeItems": [], "propertyWithinLimits": False}, False, None, None),
        # 特困: 78, severely disabled, no supporter; 982 + 30 % care (部分丧失)
        ("li", "特困", {"selfCareLevel": "部分丧失生活自理能力"}, True, 1276.6, None),
        ("li", "特困", {"supporterAble": True}, False, None, None),
        # 支出型: 18,000 of medical bills against an income at the 低保 line → township or county
        ("zhang", "支出型临时救助", {"essentialSpending": 2400}, True, 2400, "乡镇（街道）审批"),
        ("zhang", "支出型临时救助", {"essentialSpending": 18000}, True, 18000, "县级一事一议"),
    ],
)
def test_eligibility_and_amounts(
    world: World,
    key: str,
    case_type: str,
    extra: dict[str, Any],
    eligible: bool,
    amount: float | None,
    level: str | None,
) -> None:
    case = accepted(world, key, case_type)
    out = world.ok("eligibility.assess", assess_vars(case, world, key, case_type, **extra))
    assert out["eligible"] is eligible and out["proposedAmount"] == amount and out["approvalLevel"] == level
    assert out["standard"] == 755 and out["programme"] == case_type
    if not eligible:
        assert [r for r in out["reasons"] if not r["met"]]


def test_dibao_add_on_names_the_member(world: World) -> None:
    case = accepted(world)
    out = world.ok(
        "eligibility.assess", assess_vars(case, world, "zhang", "低保", incomeItems=[{"kind": "wages", "amount": 900}])
    )
    [add_on] = out["addOns"]
    child = world.county.household("zhang").members[2]
    with world.session() as session:
        from sqlmodel import select

        from schemas.tables import Member

        member = session.exec(select(Member).where(Member.id_number == child.id_number)).one()
    assert add_on == {"memberId": member.id, "category": "未成年人", "amount": 151.0}
    reason = next(r for r in out["reasons"] if r["code"] == "income_below")
    assert reason["message"] == "核对显示家庭月人均收入 ¥300，低于当地低保标准 ¥755"


@pytest.mark.parametrize(
    ("unable", "level"),
    [(0, "具备生活自理能力"), (3, "部分丧失生活自理能力"), (4, "完全丧失生活自理能力")],
)
def test_self_care_levels(world: World, unable: int, level: str) -> None:
    case = accepted(world, "li", "特困")
    activities = ["eating", "dressing", "bed_transfer", "toileting", "walking_indoors", "bathing"]
    abilities = {name: index >= unable for index, name in enumerate(activities)}
    out = world.ok("eligibility.assess-self-care", {"caseId": case["caseId"], "memberId": 1, "abilities": abilities})
    assert out["selfCareLevel"] == level and len(out["unableActivities"]) == unable


def test_spot_check_draw_is_reproducible(world: World) -> None:
    case = accepted(world, "li", "特困")
    variables = {"caseId": case["caseId"], "caseType": "特困", "path": "national", "townshipId": 3}
    first = world.ok("supervision.select-spot-check", variables)
    assert first["sampleRate"] == 0.3 and first["spotCheckSelected"] == drawn(case["caseId"], 0.3)
    assert sum(drawn(case_id, 0.3) for case_id in range(1, 2001)) in range(540, 660)  # about 30 %


@pytest.mark.parametrize(
    ("stable", "able", "died", "months", "due"),
    [
        (True, False, False, 12, "2027-01-31"),
        (False, False, False, 6, "2026-07-31"),
        (True, True, False, 6, "2026-07-31"),
        (True, False, True, 3, "2026-04-30"),
    ],
)
def test_recheck_cadence(world: World, stable: bool, able: bool, died: bool, months: int, due: str) -> None:
    case = accepted(world)
    out = world.ok(
        "dynamic.schedule-recheck",
        {
            "caseId": case["caseId"],
            "fromDate": "2026-01-31",
            "incomeStable": stable,
            "memberAbleToWork": able,
            "recipientDied": died,
        },
    )
    assert out == {"nextRecheckDue": due, "cadenceMonths": months}


def approve(world: World, case: dict[str, Any], amount: float = 1516) -> dict[str, Any]:
    return world.ok("approval.record", approval_vars(world, case["caseId"], amount, reasons="符合条件"))


@pytest.mark.parametrize(
    ("outcome", "new_amount", "heard", "error", "decision_amount", "taper"),
    [
        ("维持", None, False, None, None, None),
        ("调整", 1800, False, None, Decimal("1800.00"), None),  # a raise needs no hearing
        ("调整", 900, False, "HOUSEHOLD_NOT_HEARD", None, None),
        ("调整", 900, True, None, Decimal("900.00"), None),
        ("停发", None, False, "HOUSEHOLD_NOT_HEARD", None, None),
        ("停发", None, True, None, None, None),
        ("渐退", None, False, None, Decimal("1516.00"), "2026-09-01"),
    ],
)
def test_recheck_decisions(
    world: World,
    outcome: str,
    new_amount: int | None,
    heard: bool,
    error: str | None,
    decision_amount: Decimal | None,
    taper: str | None,
) -> None:
    case = accepted(world)
    approve(world, case)
    result = world.run(
        "dynamic.record-recheck",
        {
            "caseId": case["caseId"],
            "recheckOutcome": outcome,
            "newAmount": new_amount,
            "reasons": "复核",
            "householdHeard": heard,
            "decidedAt": "2026-03-20T10:00:00+08:00",
            "approverId": world.staff_id("taozhou.lingdao"),
        },
    )
    if error:
        assert not isinstance(result, dict) and result.code == error
        return
    assert isinstance(result, dict)
    decisions = world.all(Decision)
    if outcome == "维持":
        assert result["decisionId"] is None and len(decisions) == 1
        return
    assert result["effectiveMonth"] == "2026-04-01" and result["taperUntil"] == taper
    assert decisions[-1].amount == decision_amount
    if outcome == "停发":
        assert world.all(Case)[0].status.value == "已停发"


@pytest.mark.parametrize(
    ("login", "path", "amount", "code"),
    [
        ("taozhou.lingdao", "county", 1516, None),
        ("xinhang.lingdao", "county", 1516, "APPROVER_NOT_AUTHORISED"),  # another township's leader
        ("taozhou.jingban", "county", 1516, "APPROVER_NOT_AUTHORISED"),  # a caseworker
        ("county.minzheng", "county", 1516, None),
        ("taozhou.lingdao", "national", 1516, "APPROVER_NOT_AUTHORISED"),  # the county confirms on that path
    ],
)
def test_who_may_approve(world: World, login: str, path: str, amount: int, code: str | None) -> None:
    case = accepted(world, path=path)
    result = world.run(
        "approval.record",
        {
            "caseId": case["caseId"],
            "caseType": "低保",
            "approverId": world.staff_id(login),
            "decisionOutcome": "批准",
            "amount": amount,
            "reasons": "符合条件",
            "decidedAt": START.isoformat(),
        },
    )
    if code is None:
        assert isinstance(result, dict) and result["effectiveMonth"] == "2026-04-01" and result["approved"] is True
    else:
        assert not isinstance(result, dict) and result.code == code and world.all(Decision) == []


def test_township_limit_for_temporary_assistance(world: World) -> None:
    case = accepted(world, case_type="支出型临时救助")
    variables = {
        "caseId": case["caseId"],
        "caseType": "支出型临时救助",
        "decisionOutcome": "批准",
        "reasons": "医疗支出",
        "decidedAt": START.isoformat(),
    }
    leader, county = world.staff_id("taozhou.lingdao"), world.staff_id("county.minzheng")
    assert (
        world.thrown("approval.record", {**variables, "approverId": leader, "amount": 3020.01}).code
        == "ABOVE_TOWNSHIP_LIMIT"
    )
    assert world.ok("approval.record", {**variables, "approverId": leader, "amount": 3020})["approved"] is True
    assert world.ok("approval.record", {**variables, "approverId": county, "amount": 8000})["approved"] is True


def test_rejection_gives_the_notice_deadline(world: World) -> None:
    case = accepted(world)
    out = world.ok(
        "approval.record",
        {
            "caseId": case["caseId"],
            "caseType": "低保",
            "approverId": world.staff_id("taozhou.lingdao"),
            "decisionOutcome": "不予批准",
            "reasons": "收入高于标准",
            "decidedAt": "2026-04-03T10:00:00+08:00",
        },
    )
    assert out["effectiveMonth"] is None and out["rejectionNoticeDue"] == "2026-04-09"  # 清明 4–6 April off
    [entry] = [e for e in world.all(AuditEntry) if e.action == "approval.record"]
    assert entry.details["workingDays"] == 24


def test_escalation_names_who_is_told(world: World) -> None:
    case = accepted(world)
    out = world.ok("sla.escalate", {"caseId": case["caseId"], "level": "warning", "decisionDue": "2026-03-16"})
    # Day 8 tells the township's caseworkers and its leader (the county's routes, jiuzhu/notify/routes.json).
    assert out["escalatedTo"] == ["taozhou.jingban", "taozhou.jingban2", "taozhou.lingdao"]
    assert datetime.fromisoformat(out["escalatedAt"]) == START.astimezone(CST)
    assert timedelta(0) == datetime.fromisoformat(out["escalatedAt"]) - START
