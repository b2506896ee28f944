"""End to end: the real pyzeebe worker from ``build_worker`` over real gRPC against the in-process
engine, with workflows/*.bpmn and *.dmn deployed, the demo county in the case record, user tasks
completed through the engine with form-shaped variables, and the clock advanced for timers."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from jiuzhu import metrics
from jiuzhu.demo import DemoCounty
from jiuzhu.engine.server import EngineServer
from schemas.contracts import JOB_TYPES
from schemas.enums import CaseStatus, NoticeKind, PaymentKind, PaymentStatus
from schemas.tables import (
    AuditEntry,
    Case,
    Decision,
    DecisionAddon,
    EconomicCheck,
    HomeVisit,
    Payment,
    PublicityNotice,
    PublicityRow,
    Referral,
    WrittenNotice,
)
from tests.engine.conftest import eventually
from tests.workers.harness import CST, START, World, casework_running

pytestmark = pytest.mark.workers

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


class System:
    def __init__(self, server: EngineServer, world: World) -> None:
        self.server = server
        self.engine = server.engine
        self.world = world
        self.county: DemoCounty = world.county

    @property
    def now(self) -> datetime:
        return self.server.clock.now().astimezone(CST)

    def start(self, process: str, key: str, case_type: str, **extra: Any) -> int:
        variables = self.county.application(key, case_type, self.now, **extra)
        return int(self.engine.create_instance(process, variables).key)

    def _task(self, element_id: str) -> Any:
        return next((t for t in list(self.engine.user_tasks.values()) if t.element_id == element_id), None)

    async def task(self, element_id: str) -> Any:
        def found() -> Any:
            self._fail_on_incident()
            return self._task(element_id)

        return await eventually(found, timeout=60, what=f"user task {element_id}; waiting: {self.waiting()}")

    async def complete(self, element_id: str, **variables: Any) -> None:
        task = await self.task(element_id)
        self.engine.complete_user_task(task.key, variables)

    def waiting(self) -> list[str]:
        jobs = [j.type for j in list(self.engine.jobs.values())]
        return sorted([*jobs, *(t.element_id for t in list(self.engine.user_tasks.values()))])

    def _fail_on_incident(self) -> None:
        incidents = [f"{i.element_id}: {i.message}" for i in list(self.engine.incidents.values())]
        assert not incidents, incidents

    async def quiet(self) -> None:
        """No job of ours is waiting or running: the process waits for a person or a timer."""

        def idle() -> bool:
            self._fail_on_incident()
            return not [j for j in list(self.engine.jobs.values()) if j.type in JOB_TYPES]

        for _ in range(3):  # idle, and still idle a moment later
            await eventually(idle, timeout=60, what=f"the workers to finish; waiting: {self.waiting()}")
            await asyncio.sleep(0.05)

    async def advance(self, delta: timedelta) -> None:
        await self.quiet()
        self.server.clock.advance(delta)

    async def ended(self, instance_key: int) -> None:
        await eventually(lambda: instance_key not in self.engine.instances, timeout=60, what=f"{self.waiting()}")

    def rows(self, model: Any, **where: Any) -> list[Any]:
        with self.world.session() as session:
            query = select(model)
            for name, value in where.items():
                query = query.where(getattr(model, name) == value)
            return list(session.exec(query))

    def case_of(self, instance_key: int) -> Case:
        [case] = self.rows(Case, process_instance_key=instance_key)
        return case

    def staff(self, login: str) -> int:
        return self.county.staff[login]

    def visit_form(self, township: str, conclusion: str = "符合") -> dict[str, Any]:
        first, second = f"{township}.jingban", f"{township}.jingban2"
        return {
            "visitor1Id": self.staff(first),
            "visitor1Name": "经办一",
            "visitor2Id": self.staff(second),
            "visitor2Name": "经办二",
            "visitedAt": self.now.isoformat(),
            "visitFindings": "家中无劳动力收入以外的来源，住房为自建房，无车辆。",
            "visitConclusion": conclusion,
            "familySignatory": "张建国",
        }

    async def deliver(self, receipt: str) -> None:
        await self.complete("Activity_DeliverNotice", deliveredAt=self.now.isoformat(), receiptReference=receipt)


@pytest.fixture
async def system(server: EngineServer, seeded: tuple[Path, DemoCounty], tmp_path: Path) -> AsyncIterator[System]:
    async with casework_running(server, seeded, tmp_path) as world:
        yield System(server, world)


def counter(name: str, **labels: str) -> float:
    return metrics.telemetry.registry.get_sample_value(name, labels) or 0.0


async def test_dibao_from_acceptance_to_payment(system: System) -> None:
    paid_before = counter(
        "jiuzhu_payments_total", case_type="dibao", kind="monthly", township="341822100", status="scheduled"
    )
    key = system.start("assistance-application", "zhang", "低保")
    await system.complete("Activity_ConductVisit", **system.visit_form("taozhou"))
    await system.complete(
        "Activity_TownshipAssessment",
        propertyWithinLimits=True,
        incomeItems=[{"kind": "wages", "amount": 900, "periodMonths": 1}],
        rigidSpending=[],
        incomeStable=True,
        memberAbleToWork=False,
        assessmentNotes="收入、财产符合条件。",
    )
    await system.task("Activity_LeaderApproval")
    proposed = system.engine.variables(key)["proposedAmount"]
    assert proposed == 1516  # (755 − 300) × 3 + 20 % of 755 for the minor
    await system.complete(
        "Activity_LeaderApproval",
        decisionOutcome="批准",
        approvedAmount=proposed,
        decisionReasons="家庭月人均收入低于当地低保标准，财产符合规定。",
        approverId=system.staff("taozhou.lingdao"),
    )
    await eventually(lambda: system.rows(PublicityNotice), timeout=60, what="the publicity notice")
    await system.advance(timedelta(days=8))  # the 7-day result publicity in the natural village ends
    await system.deliver("送达回证-2026-001")
    await eventually(lambda: system.rows(Payment), timeout=60, what="the payment")
    await system.quiet()
    assert key in system.engine.instances  # enrolled in dynamic management

    case = system.case_of(key)
    assert case.status is CaseStatus.APPROVED and case.decision_due is not None
    [check] = system.rows(EconomicCheck, case_id=case.id)
    assert check.per_capita_income == Decimal("300.00")
    [visit] = system.rows(HomeVisit, case_id=case.id)
    assert visit.passed is True and visit.lead_visitor_id == system.staff("taozhou.jingban")
    [decision] = system.rows(Decision, case_id=case.id)
    assert decision.amount == Decimal("1516.00") and decision.effective_month.isoformat() == "2026-04-01"
    [addon] = system.rows(DecisionAddon, decision_id=decision.id)
    assert addon.amount == Decimal("151.00")
    [row] = system.rows(PublicityRow, case_id=case.id)
    assert (row.masked_name, row.household_size, row.monthly_amount) == ("张*国", 3, Decimal("1516.00"))
    [notice] = system.rows(WrittenNotice, case_id=case.id)
    assert notice.kind is NoticeKind.APPROVAL and notice.receipt_reference == "送达回证-2026-001"
    assert "每月 ¥1,516" in notice.decision
    [payment] = system.rows(Payment, case_id=case.id)
    assert payment.amount == Decimal("1516.00") and payment.status is PaymentStatus.SCHEDULED
    assert payment.kind is PaymentKind.MONTHLY and payment.month.isoformat() == "2026-04-01"
    audited = {e.action for e in system.rows(AuditEntry, process_instance_key=key)}
    assert {
        "application.accept",
        "verification.check-economic-status",
        "approval.record",
        "payment.schedule",
    } <= audited
    scheduled = counter(
        "jiuzhu_payments_total", case_type="dibao", kind="monthly", township="341822100", status="scheduled"
    )
    assert scheduled == paid_before + 1


async def test_failed_check_ends_with_a_written_notice_quoting_the_findings(system: System) -> None:
    key = system.start("assistance-application", "wang", "低保")
    await system.deliver("送达回证-2026-002")
    await eventually(
        lambda: [n for n in system.rows(WrittenNotice) if n.delivered_at], timeout=60, what="the delivery recorded"
    )
    await system.advance(timedelta(days=16))  # nobody disputes within the window
    await system.ended(key)
    case = system.case_of(key)
    assert case.status is CaseStatus.REJECTED and case.closed_at is not None
    [notice] = system.rows(WrittenNotice, case_id=case.id)
    assert notice.kind is NoticeKind.REJECTION and notice.number == "桃州镇民救告〔2026〕1号"
    assert "核对显示家庭月人均收入 ¥2,250，高于当地低保标准 ¥755" in notice.facts
    assert "小型轿车" in notice.facts and notice.delivered_at is not None
    html = (system.world.data_dir / "notices" / f"case-{case.id}" / f"notice-{notice.id}.html").read_text("utf-8")
    for text in (
        "不予批准书面告知书",
        "高于当地低保标准 ¥755",
        "六十日内",
        "六个月内",
        "（印章）",
        "送达回证",
        "2026年3月2日",
    ):
        assert text in html
    [entry] = [e for e in system.rows(AuditEntry, case_id=case.id) if e.action == "notice.issue-rejection"]
    assert entry.details["document"]["html"] == html and entry.element_id == "Activity_IssueRejection"
    assert system.rows(HomeVisit, case_id=case.id) == []


async def test_emergency_relief_is_paid_within_24_hours(system: System) -> None:
    key = system.start(
        "temporary-assistance", "chen", "急难型临时救助", emergencyCause="火灾", incidentLocation="大竹园12号"
    )
    await system.task("Activity_ApproveRelief")
    await system.advance(timedelta(hours=3))
    await system.complete(
        "Activity_ApproveRelief",
        reliefAmount=1500,
        reliefReasons="房屋失火，基本生活用品全部烧毁",
        approverId=system.staff("xinhang.lingdao"),
    )
    await system.complete(
        "Activity_EmergencyFollowUp",
        followUpNotes="火灾致房屋损毁，建议申请医疗救助并评估低保。",
        referralTargets=["低保", "医疗救助"],
    )
    await system.ended(key)
    case = system.case_of(key)
    assert case.status is CaseStatus.CLOSED and case.relief_due_at == START + timedelta(hours=24)
    [payment] = system.rows(Payment, case_id=case.id)
    assert payment.kind is PaymentKind.EMERGENCY and payment.amount == Decimal("1500.00")
    assert payment.paid_at is not None and payment.paid_at - case.accepted_at == timedelta(hours=3)
    assert payment.idempotency_key == f"emergency-{case.id}" and payment.decision_id is None
    assert sorted(r.target.value for r in system.rows(Referral, case_id=case.id)) == ["低保", "医疗救助"]


async def test_sla_warning_and_breach_with_the_clock_advanced(system: System) -> None:
    before = counter("jiuzhu_case_sla_breaches_total", case_type="dibao", path="reform", township="341822100")
    key = system.start("assistance-application", "zhao", "低保")
    await system.task("Activity_ConductVisit")
    case = system.case_of(key)
    assert case.warn_at == datetime(2026, 3, 12, tzinfo=CST) and case.breach_at == datetime(2026, 3, 17, tzinfo=CST)
    await system.advance(timedelta(days=10, hours=1))  # 12 March: working day 8
    await eventually(lambda: system.rows(AuditEntry, action="sla.escalate"), timeout=60, what="the warning")
    await system.advance(timedelta(days=5))  # 17 March: the 10 working days have passed
    await system.task("Activity_SuperviseOverdue")
    levels = [(e.details["level"], e.details["notified"]) for e in system.rows(AuditEntry, action="sla.escalate")]
    # Who is told is the county's routes (jiuzhu/notify/routes.json): day 8 the township, the breach the county.
    assert levels == [
        ("warning", ["taozhou.jingban", "taozhou.jingban2", "taozhou.lingdao"]),
        ("overdue", ["county.minzheng", "county.minzheng2"]),
    ]
    assert (
        counter("jiuzhu_case_sla_breaches_total", case_type="dibao", path="reform", township="341822100") == before + 1
    )
    assert system.case_of(key).status is CaseStatus.VISITING  # the review goes on
    assert (await system.task("Activity_ConductVisit")) is not None


async def test_demo_cases_start_through_the_gateway(system: System) -> None:
    from jiuzhu.demo import start_cases

    keys = start_cases(f"127.0.0.1:{system.server.grpc_port}", system.county, now=system.now)
    assert len(keys) == 4
    await eventually(lambda: len(system.rows(Case)) == 4, timeout=60, what="four demo cases accepted")
    await system.quiet()
    cases = {c.process_instance_key: c for c in system.rows(Case)}
    near = next(c for c in cases.values() if c.accepted_at < START - timedelta(days=5))
    assert near.warn_at is not None and near.warn_at <= START + timedelta(days=2)
    emergency = next(c for c in cases.values() if c.emergency_cause is not None)
    assert emergency.relief_due_at == START + timedelta(hours=4)
    assert start_cases(system.engine, system.county, now=system.now) == []  # every demo household has its case
    assert json.loads((system.world.data_dir / "provincial-registry.json").read_text("utf-8"))["persons"]


async def test_invalid_variables_fail_the_job_with_the_contract_message_and_a_back_off(system: System) -> None:
    variables = system.county.application("zhang", "低保", system.now)
    variables["members"][0]["idNumber"] = "341822198003120135"  # wrong check character
    system.engine.create_instance("assistance-application", variables)

    def failed() -> Any:
        jobs = [j for j in list(system.engine.jobs.values()) if j.type == "application.accept" and j.error_message]
        return jobs[0] if jobs else None

    job = await eventually(failed, timeout=60, what="the failed job")
    assert job.retries == 2 and "application.accept 的输入变量不符合合同" in job.error_message
    assert "校验位" in job.error_message
    assert job.backoff_until_ms - system.engine.now_ms() == 2000  # the first back-off
    assert system.rows(Case) == []
