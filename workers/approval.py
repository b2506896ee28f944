"""approval.record — the decision: 分管领导 of the township (county on the national path)."""

from datetime import UTC

from pyzeebe import ZeebeTaskRouter

from jiuzhu import metrics
from jiuzhu.policy import payment_start, rejection_notice_due
from jiuzhu.policy.calendar import local_date
from jiuzhu.policy.money import format_yuan, round_money
from schemas.contracts.errors import ABOVE_TOWNSHIP_LIMIT, APPROVER_NOT_AUTHORISED
from schemas.contracts.jobs.approval import RecordApprovalInput, RecordApprovalOutput
from schemas.enums import CasePath, CaseStatus, DecisionOutcome, StaffRole
from schemas.tables import Case, Decision, DecisionAddon, Staff
from workers.exclusion import flag_duplicate_recipients
from workers.records import case_profile, household_of, load_case, set_status, staff_member, township_of
from workers.runtime import JobContext, Thrown, job_type, keyed_effect

router = ZeebeTaskRouter()


def authority_problem(case: Case, approver: Staff | None) -> str | None:
    """Who may decide: the township's leader in charge (reform path) or the county (always)."""
    if approver is None:
        return "审批人不是在职工作人员"
    if approver.role is StaffRole.COUNTY_SUPERVISOR:
        return None
    if case.path is CasePath.NATIONAL:
        return f"全国程序由县级民政部门确认，{approver.name}（{approver.role.value}）无权审批"
    if approver.role is not StaffRole.LEADER or approver.township_id != case.township_id:
        return f"{approver.name}（{approver.role.value}）不是本乡镇分管领导"
    return None


@job_type(router, "approval.record")
def record(ctx: JobContext, data: RecordApprovalInput) -> RecordApprovalOutput | Thrown:
    case = load_case(ctx, data.case_id)
    # One decision per case and decision instant: a new job for the same decision answers with it.
    key = f"decision:{data.decided_at.astimezone(UTC).isoformat()}"
    earlier = keyed_effect(ctx.session, "approval.record", case.id or 0, key)
    if earlier is not None:
        return RecordApprovalOutput.model_validate(earlier["output"])
    approver = staff_member(ctx.session, data.approver_id)
    problem = authority_problem(case, approver)
    if problem:
        return Thrown(APPROVER_NOT_AUTHORISED.code, problem)
    assert approver is not None
    profile = case_profile(case)
    approved = data.decision_outcome is DecisionOutcome.APPROVED
    if approved and data.amount is not None and case.type.value.endswith("临时救助"):
        household = household_of(ctx.session, case)
        standard = profile.standard_for(household.area, local_date(data.decided_at)).dibao
        limit = round_money(standard * profile.temporary_on(local_date(data.decided_at)).township_limit_multiple)
        if approver.role is StaffRole.LEADER and data.amount > limit:
            return Thrown(
                ABOVE_TOWNSHIP_LIMIT.code,
                f"救助金额 {format_yuan(data.amount)} 超过乡镇审批限额 {format_yuan(limit)}，报县级一事一议",
            )
    effective = payment_start(data.decided_at) if approved else None
    decision = Decision(
        case_id=data.case_id,
        outcome=data.decision_outcome,
        amount=data.amount,
        effective_month=effective,
        self_care_level=data.self_care_level,
        reasons=data.reasons,
        approver_id=data.approver_id,
        decided_at=data.decided_at,
    )
    ctx.session.add(decision)
    ctx.session.flush()
    assert decision.id is not None
    for add_on in data.add_ons if approved else []:
        ctx.session.add(
            DecisionAddon(
                decision_id=decision.id, member_id=add_on.member_id, category=add_on.category, amount=add_on.amount
            )
        )
    if approved and effective is not None:
        flag_duplicate_recipients(ctx, case, effective)  # 不重: flagged, not refused (no error code for it)
    set_status(ctx, case, CaseStatus.APPROVED if approved else CaseStatus.REJECTED)
    calendar = ctx.services.calendar
    notice_due = None if approved else rejection_notice_due(data.decided_at, calendar, profile.sla).value
    days = calendar.working_days_between(case.accepted_at, data.decided_at).value
    code = township_of(ctx.session, case.township_id).code
    kind, path, limit_days = case.type, case.path, profile.sla.decision_working_days
    ctx.on_commit(lambda: metrics.cases.case_decided(kind, path, code, data.decision_outcome, days, limit_days))
    ctx.note(
        key=key, decisionId=decision.id, outcome=data.decision_outcome.value, workingDays=days, approver=approver.login
    )
    return RecordApprovalOutput(
        decision_id=decision.id, approved=approved, effective_month=effective, rejection_notice_due=notice_due
    )
