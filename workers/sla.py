"""sla.compute-deadlines and sla.escalate — 10 working days, warning on day 8, 24 hours for 急难."""

from datetime import datetime, time

from pyzeebe import ZeebeTaskRouter

from jiuzhu import metrics
from jiuzhu.policy import CST, SlaState, decision_due, emergency_relief_due
from jiuzhu.policy.calendar import end_of_day
from schemas.contracts.jobs.sla import ComputeDeadlinesInput, ComputeDeadlinesOutput, EscalateInput, EscalateOutput
from schemas.enums import Programme
from workers.notifications import notify
from workers.records import load_case, township_of
from workers.runtime import JobContext, job_type, keyed_effect

router = ZeebeTaskRouter()


@job_type(router, "sla.compute-deadlines")
def compute_deadlines(ctx: JobContext, data: ComputeDeadlinesInput) -> ComputeDeadlinesOutput:
    case = load_case(ctx, data.case_id)
    sla = ctx.profile(data.path.value).sla
    calendar = ctx.services.calendar
    due = decision_due(data.accepted_at, calendar, sla)
    warn_day = calendar.add_working_days(data.accepted_at, sla.decision_warn_at_working_day)
    warn_at = datetime.combine(warn_day.value, time(0), tzinfo=CST)  # the warning day begins
    breach_at = end_of_day(due.value)  # the limit is passed when the due day ends
    relief_due = (
        emergency_relief_due(data.accepted_at, sla) if data.case_type is Programme.TEMPORARY_EMERGENCY else None
    )
    provisional = due.provisional or warn_day.provisional
    case.decision_due, case.warn_at, case.breach_at = due.value, warn_at, breach_at
    case.deadline_provisional, case.relief_due_at = provisional, relief_due
    ctx.session.add(case)
    ctx.note(provisionalYears=list(due.provisional_years))
    return ComputeDeadlinesOutput(
        decision_due=due.value,
        warn_at=warn_at,
        breach_at=breach_at,
        deadline_provisional=provisional,
        relief_due_at=relief_due,
    )


@job_type(router, "sla.escalate")
def escalate(ctx: JobContext, data: EscalateInput) -> EscalateOutput:
    case = load_case(ctx, data.case_id)
    # One escalation per case, level and due day: a new job for it does not notify twice.
    key = f"{data.level.value}:{data.decision_due.isoformat()}"
    earlier = keyed_effect(ctx.session, "sla.escalate", case.id or 0, key)
    if earlier is not None:
        return EscalateOutput.model_validate(earlier["output"])
    township = township_of(ctx.session, case.township_id)
    # Who is told is the county's data (jiuzhu/notify/routes.json): day 8 and the breach.
    if data.level is SlaState.OVERDUE:
        event, record = "sla.breach", metrics.cases.sla_breach
    else:
        event, record = "sla.warning", metrics.cases.sla_warning
    notified = notify(ctx, event, case, key, due=data.decision_due.isoformat())
    ctx.note(key=key, level=data.level.value, decisionDue=data.decision_due.isoformat(), notified=notified)
    kind, path, code = case.type, case.path, township.code
    ctx.on_commit(lambda: record(kind, path, code))
    return EscalateOutput(escalated_to=notified, escalated_at=ctx.now)
