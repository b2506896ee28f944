"""Referrals (转介) to medical, education, charity and other assistance."""

from __future__ import annotations

from pydantic import Field

from schemas.contracts.base import JobInput, JobOutput
from schemas.contracts.jobs._contract import JobContract
from schemas.enums import ReferralStatus, ReferralTarget


class CreateReferralInput(JobInput):
    household_id: int
    case_id: int | None = None
    member_id: int | None = None
    target: ReferralTarget
    reason: str = Field(min_length=1)
    created_by_id: int | None = None


class CreateReferralOutput(JobOutput):
    referral_id: int
    referral_status: ReferralStatus


CONTRACTS = (
    JobContract(
        "referral.create",
        CreateReferralInput,
        CreateReferralOutput,
        "转介至医疗、教育、慈善等专项救助",
        "Refer to medical, education, charity or other assistance",
    ),
)
