"""The case file (案卷): one case's record in the order the casework happened, with names.

Application → economic checks with per-item findings → home visit → review → decisions and
amounts → publicity → payments → notices, then who did what when. Audit actors are staff logins
or ``worker:<job type>``; both are shown as people read them (a name, or the step's Chinese name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select

from jiuzhu.tasklist.names import action_label
from schemas.enums import DecisionOutcome
from schemas.tables import (
    AuditEntry,
    Case,
    Decision,
    DecisionAddon,
    EconomicCheck,
    EconomicCheckItem,
    HomeVisit,
    Member,
    Objection,
    Payment,
    PublicityNotice,
    PublicityRow,
    Referral,
    Staff,
    VisitSignature,
)

# What each automated step is called on the case file (job types, DESIGN.md "<area>.<action>").
STEP_NAMES = {
    "application.accept": "受理登记",
    "sla.compute-deadlines": "计算办理时限",
    "sla.escalate": "时限预警/超期上报",
    "verification.check-economic-status": "家庭经济状况核对",
    "verification.recheck": "复核核对",
    "visit.schedule": "安排入户调查",
    "visit.record": "记录入户调查",
    "eligibility.assess": "认定条件并计算金额",
    "eligibility.assess-self-care": "生活自理能力评估",
    "approval.record": "记录审批决定",
    "publicity.publish": "发布公示",
    "publicity.close": "公示期满",
    "publicity.record-objection": "记录异议",
    "publicity.resolve-objections": "记录异议核查结论",
    "notice.issue-rejection": "出具不予批准告知书",
    "notice.issue-decision": "出具决定书",
    "notice.record-delivery": "记录文书送达",
    "payment.schedule": "安排按月发放",
    "payment.pay-monthly": "按月发放",
    "payment.pay-emergency": "先行发放救助金",
    "referral.create": "转介",
    "case.close": "结案",
    "dynamic.schedule-recheck": "安排定期复核",
    "dynamic.record-recheck": "记录复核结果",
    "application.started": "提交申请",
    "usertask.assigned": "认领任务",
    "usertask.unassigned": "退回待认领",
    "usertask.completed": "完成任务",
    "case.search-id-number": "按身份证号查询",
    "objection.registered": "登记公示异议",
    "complaint.registered": "登记投诉举报",
    "complaint.answered": "答复投诉举报",
}
SYSTEM = "系统"


@dataclass
class CheckView:
    check: EconomicCheck
    items: list[EconomicCheckItem]


@dataclass
class VisitView:
    visit: HomeVisit
    visitors: list[str]
    signatures: list[VisitSignature]


@dataclass
class DecisionView:
    decision: Decision
    approver: str
    addons: list[tuple[str, DecisionAddon]]  # (member name, add-on)

    @property
    def outcome(self) -> str:
        """不予批准 with a month it takes effect from is a re-check's stop (an application's refusal has none)."""
        refused = self.decision.outcome is DecisionOutcome.REJECTED
        return "停发" if refused and self.decision.effective_month else self.decision.outcome.value


@dataclass
class PublicityView:
    notice: PublicityNotice
    row: PublicityRow


@dataclass
class Step:
    at: Any
    who: str
    what: str
    element: str | None


@dataclass
class CaseFile:
    checks: list[CheckView] = field(default_factory=list)
    visits: list[VisitView] = field(default_factory=list)
    reviews: list[Step] = field(default_factory=list)
    decisions: list[DecisionView] = field(default_factory=list)
    publicity: list[PublicityView] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)


def _who(entry: AuditEntry, names: dict[str, str]) -> str:
    if entry.actor.startswith(("worker:", "cli:")):  # a job, or an operator's command (jiuzhu payments, caseload)
        return SYSTEM
    return names.get(entry.actor, entry.actor)


def _what(entry: AuditEntry) -> str:
    task = entry.details.get("taskName")
    step = STEP_NAMES.get(entry.action) or action_label(entry.action)
    error = entry.details.get("error")
    if error:
        return f"{step}：{error.get('message', '')}"
    reason = entry.details.get("reason")
    if reason:
        return f"{step}：{reason}"
    what = f"{step}（{task}）" if task else step
    reassigned_to = entry.details.get("assigneeName")
    return f"{what}：改派给 {reassigned_to}" if reassigned_to else what


def case_file(db: Engine, case: Case) -> CaseFile:
    found = CaseFile()
    assert case.id is not None
    with Session(db) as session:
        staff = {s.id: s for s in session.exec(select(Staff)).all()}
        by_login = {s.login: s.name for s in staff.values() if s.login}
        members = {m.id: m.name for m in session.exec(select(Member).where(Member.household_id == case.household_id))}

        def name(staff_id: int | None) -> str:
            return staff[staff_id].name if staff_id in staff else "—"

        checks = session.exec(
            select(EconomicCheck).where(EconomicCheck.case_id == case.id).order_by(col(EconomicCheck.requested_at))
        ).all()
        for check in checks:
            items = session.exec(select(EconomicCheckItem).where(EconomicCheckItem.check_id == check.id)).all()
            found.checks.append(CheckView(check, list(items)))
        for visit in session.exec(select(HomeVisit).where(HomeVisit.case_id == case.id)).all():
            signatures = session.exec(select(VisitSignature).where(VisitSignature.visit_id == visit.id)).all()
            visitors = [name(i) for i in (visit.lead_visitor_id, visit.second_visitor_id) if i]
            found.visits.append(VisitView(visit, visitors, list(signatures)))
        decisions = session.exec(
            select(Decision).where(Decision.case_id == case.id).order_by(col(Decision.decided_at))
        ).all()
        for decision in decisions:
            addons = session.exec(select(DecisionAddon).where(DecisionAddon.decision_id == decision.id)).all()
            found.decisions.append(
                DecisionView(decision, name(decision.approver_id), [(members.get(a.member_id, ""), a) for a in addons])
            )
        for row in session.exec(select(PublicityRow).where(PublicityRow.case_id == case.id)).all():
            notice = session.get(PublicityNotice, row.notice_id)
            if notice is not None:
                found.publicity.append(PublicityView(notice, row))
        found.objections = list(
            session.exec(select(Objection).where(Objection.case_id == case.id).order_by(col(Objection.received_at)))
        )
        found.payments = list(
            session.exec(select(Payment).where(Payment.case_id == case.id).order_by(col(Payment.month))).all()
        )
        found.referrals = list(
            session.exec(select(Referral).where(Referral.case_id == case.id).order_by(col(Referral.id))).all()
        )
        conditions: list[Any] = [AuditEntry.case_id == case.id]
        if case.process_instance_key is not None:
            conditions.append(AuditEntry.process_instance_key == case.process_instance_key)
        entries = session.exec(select(AuditEntry).where(or_(*conditions)).order_by(col(AuditEntry.at))).all()
    for entry in entries:
        step = Step(entry.at, _who(entry, by_login), _what(entry), entry.element_id)
        found.steps.append(step)
        if entry.action == "usertask.completed" and "审核" in str(entry.details.get("taskName", "")):
            found.reviews.append(step)
        if entry.action == "eligibility.assess" and "output" in entry.details:
            text = _assessment(entry.details["output"], members)
            found.reviews.append(Step(entry.at, SYSTEM, text, entry.element_id))
        if entry.action == "eligibility.assess-self-care" and "output" in entry.details:
            output = entry.details["output"]
            text = f"生活自理能力评估：{output.get('selfCareLevel', '')}（{output.get('selfCareReason', '')}）"
            found.reviews.append(Step(entry.at, SYSTEM, text, entry.element_id))
    return found


def _yuan(value: Any) -> str:
    return f"¥{Decimal(str(value)):,.2f}"


def _assessment(output: dict[str, Any], members: dict[int | None, str]) -> str:
    facts = []
    if output.get("perCapitaIncome") is not None:
        facts.append(f"家庭月人均收入 {_yuan(output['perCapitaIncome'])}")
    if output.get("standard") is not None:
        facts.append(f"当地标准 {_yuan(output['standard'])}")
    if output.get("eligible") is not None:
        facts.append("符合条件" if output["eligible"] else "不符合条件")
    if output.get("proposedAmount") is not None:
        facts.append(f"拟救助金额 {_yuan(output['proposedAmount'])}")
    for addon in output.get("addOns") or []:
        who = members.get(addon.get("memberId"), "")
        facts.append(f"含分类施保 {who}（{addon.get('category', '')}）{_yuan(addon.get('amount', 0))}")
    return "认定条件并计算金额：" + "，".join(facts)
