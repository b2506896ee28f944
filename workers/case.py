"""case.close — the case's final status."""

from pyzeebe import ZeebeTaskRouter

from jiuzhu import metrics
from schemas.contracts.jobs.application import CloseCaseInput, CloseCaseOutput
from schemas.enums import CaseStatus
from workers.records import case_profile, load_case, set_status, township_of
from workers.runtime import JobContext, job_type

router = ZeebeTaskRouter()


@job_type(router, "case.close")
def close(ctx: JobContext, data: CloseCaseInput) -> CloseCaseOutput:
    case = load_case(ctx, data.case_id)
    if case.closed_at is None:
        case.closed_at = data.closed_at
        if data.final_status is CaseStatus.WITHDRAWN:  # no check could run: a decision of its own kind
            township = township_of(ctx.session, case.township_id)
            sla = case_profile(case).sla
            days = ctx.services.calendar.working_days_between(case.accepted_at, data.closed_at).value
            kind, path, code = case.type, case.path, township.code
            ctx.on_commit(
                lambda: metrics.cases.case_decided(kind, path, code, "withdrawn", days, sla.decision_working_days)
            )
    set_status(ctx, case, data.final_status)
    assert case.closed_at is not None
    return CloseCaseOutput(case_id=data.case_id, case_status=case.status, closed_at=case.closed_at)
