"""verification.check-economic-status and verification.recheck (核对; 复核 on dispute, Art. 18).

The platform is an ``EconomicCheckProvider`` (alias ``EconomicCheckPlatform``):
``LocalRegistryProvider`` (alias ``FakeProvincialPlatform``: registry extracts, JSON and CSV) here,
``ProvincialPlatformClient`` (HTTP) in production. Each check is one ``economic_checks`` row with
one ``economic_check_items`` row per source. 不符合 throws ECONOMIC_CHECK_FAILED with the same
variables the output would carry, so the written notice can quote the findings.
"""

from typing import TypeVar

from pyzeebe import ZeebeTaskRouter

from schemas.contracts.errors import CHECK_NOT_AUTHORISED, ECONOMIC_CHECK_FAILED
from schemas.contracts.jobs.verification import (
    CheckEconomicStatusInput,
    CheckEconomicStatusOutput,
    RecheckInput,
    RecheckOutput,
)
from schemas.contracts.parts import Finding
from schemas.enums import CaseStatus, CheckOutcome, Programme
from schemas.tables import Case, EconomicCheck, EconomicCheckItem
from workers.records import household_of, load_case, members_of, set_status
from workers.runtime import CaseRecordError, JobContext, Thrown, job_type
from workers.verification.platform import (
    CheckFinding,
    CheckReport,
    CheckRequest,
    EconomicCheckPlatform,
    EconomicCheckProvider,
    FakeProvincialPlatform,
    LocalRegistryProvider,
    PlatformError,
    read_csv_extract,
)

__all__ = [
    "CheckFinding",
    "CheckReport",
    "CheckRequest",
    "EconomicCheckPlatform",
    "EconomicCheckProvider",
    "FakeProvincialPlatform",
    "LocalRegistryProvider",
    "PlatformError",
    "read_csv_extract",
    "router",
]

router = ZeebeTaskRouter()
Out = TypeVar("Out", bound=CheckEconomicStatusOutput)


def _run_check(
    ctx: JobContext, case: Case, numbers: list[str], *, evidence: str | None, recheck_of: int | None
) -> tuple[EconomicCheck, CheckReport]:
    household = household_of(ctx.session, case)
    profile = ctx.profile(case.path.value)
    requested_at = ctx.now
    request = CheckRequest(
        reference=f"case-{case.id}-job-{ctx.job.key}",
        case_id=case.id or 0,
        member_id_numbers=tuple(numbers),
        area=household.area.value,
        standard=profile.standard_for(household.area, requested_at.date()).dibao,
        on=requested_at.date(),
        income_test=case.type is not Programme.TEMPORARY_EXPENDITURE,
        evidence=evidence,
        profile=profile.name,
    )
    report = ctx.services.platform.check(request)
    check = EconomicCheck(
        case_id=case.id or 0,
        requested_at=requested_at,
        completed_at=ctx.services.clock(),
        outcome=report.outcome,
        platform_reference=report.platform_reference[:64],
        per_capita_income=report.per_capita_income,
        summary=(f"申请人异议证据：{evidence}。" if evidence else "") + report.summary,
        recheck_of_id=recheck_of,
    )
    ctx.session.add(check)
    ctx.session.flush()
    assert check.id is not None
    for finding in report.findings:
        ctx.session.add(
            EconomicCheckItem(
                check_id=check.id,
                source=finding.source,
                outcome=finding.outcome,
                finding=finding.finding,
                amount=finding.amount,
            )
        )
    if case.status is not CaseStatus.APPROVED:  # a re-check in dynamic management keeps 已批准
        set_status(ctx, case, CaseStatus.REJECTED if report.outcome is CheckOutcome.FAILS else CaseStatus.VISITING)
    ctx.note(checkReportId=check.id, outcome=report.outcome.value, platformReference=report.platform_reference)
    return check, report


def _findings(report: CheckReport) -> list[Finding]:
    return [Finding(source=f.source, outcome=f.outcome, finding=f.finding, amount=f.amount) for f in report.findings]


def _result(check: EconomicCheck, report: CheckReport, output: type[Out]) -> Out | Thrown:
    assert check.id is not None
    result = output(
        check_report_id=check.id,
        check_outcome=report.outcome,
        per_capita_income=report.per_capita_income,
        findings=_findings(report),
    )
    if report.outcome is CheckOutcome.FAILS:
        failed = "；".join(f.finding for f in report.findings if f.outcome is CheckOutcome.FAILS)
        return Thrown(ECONOMIC_CHECK_FAILED.code, f"家庭经济状况核对不符合：{failed}", result.to_variables())
    return result


@job_type(router, "verification.check-economic-status", timeout_ms=120_000)
def check_economic_status(ctx: JobContext, data: CheckEconomicStatusInput) -> CheckEconomicStatusOutput | Thrown:
    case = load_case(ctx, data.case_id)
    if case.household_id != data.household_id:
        raise CaseRecordError(f"案件 {data.case_id} 不属于家庭 {data.household_id}")
    if not data.check_authorised:
        return Thrown(CHECK_NOT_AUTHORISED.code, "申请人及全部家庭成员签署授权书后方可核对")
    if case.check_authorised_at is None:
        case.check_authorised_at = ctx.now
    if case.status is CaseStatus.ACCEPTED:
        set_status(ctx, case, CaseStatus.CHECKING)
    check, report = _run_check(ctx, case, list(data.member_id_numbers), evidence=None, recheck_of=None)
    return _result(check, report, CheckEconomicStatusOutput)


@job_type(router, "verification.recheck", timeout_ms=120_000)
def recheck(ctx: JobContext, data: RecheckInput) -> RecheckOutput | Thrown:
    case = load_case(ctx, data.case_id)
    previous = ctx.session.get(EconomicCheck, data.previous_check_report_id)
    if previous is None or previous.case_id != case.id:
        raise CaseRecordError(f"核对报告 {data.previous_check_report_id} 不属于案件 {data.case_id}")
    numbers = [m.id_number for m in members_of(ctx.session, data.household_id)]
    ctx.note(disputedAt=data.disputed_at.isoformat(), previousCheckReportId=previous.id)
    check, report = _run_check(ctx, case, numbers, evidence=data.evidence, recheck_of=previous.id)
    return _result(check, report, RecheckOutput)
