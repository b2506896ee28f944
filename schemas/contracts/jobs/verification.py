"""Family economic-status check (核对), first step of the reform path, and the re-check on dispute."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from schemas.contracts.base import IdNumber, JobInput, JobOutput, Money
from schemas.contracts.errors import CHECK_NOT_AUTHORISED, ECONOMIC_CHECK_FAILED
from schemas.contracts.jobs._contract import JobContract
from schemas.contracts.parts import Finding
from schemas.enums import CheckOutcome


class CheckEconomicStatusInput(JobInput):
    case_id: int
    household_id: int
    member_id_numbers: list[IdNumber] = Field(min_length=1)
    check_authorised: bool  # without authorisation the worker throws CHECK_NOT_AUTHORISED


class CheckEconomicStatusOutput(JobOutput):
    """On 不符合 the worker throws ECONOMIC_CHECK_FAILED with these same variables."""

    check_report_id: int
    check_outcome: CheckOutcome
    per_capita_income: Money | None
    findings: list[Finding]


class RecheckInput(JobInput):
    case_id: int
    household_id: int
    previous_check_report_id: int
    evidence: str = Field(min_length=1)  # what the applicant brought to dispute the result (Art. 18)
    disputed_at: AwareDatetime


class RecheckOutput(CheckEconomicStatusOutput):
    """Same shape as the first check; ``check_report_id`` is the new report."""


CONTRACTS = (
    JobContract(
        "verification.check-economic-status",
        CheckEconomicStatusInput,
        CheckEconomicStatusOutput,
        "家庭经济状况核对（户籍、税务、社保、不动产、市场主体、公积金、车辆、存款、商业保险、证券、网络支付）",
        "Family economic-status check across the registries (hukou, tax, social insurance, ... online payments)",
        (CHECK_NOT_AUTHORISED, ECONOMIC_CHECK_FAILED),
    ),
    JobContract(
        "verification.recheck",
        RecheckInput,
        RecheckOutput,
        "申请人对核对结果有异议并提供证据时复核",
        "Re-check when the applicant disputes the result with evidence",
        (ECONOMIC_CHECK_FAILED,),
    ),
)
