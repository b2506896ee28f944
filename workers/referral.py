"""referral.create — 转介 to medical, education, charity and other assistance (one open per target)."""

from pyzeebe import ZeebeTaskRouter
from sqlmodel import select

from schemas.contracts.jobs.referral import CreateReferralInput, CreateReferralOutput
from schemas.enums import ReferralStatus
from schemas.tables import Household, Referral
from workers.runtime import CaseRecordError, JobContext, job_type

router = ZeebeTaskRouter()


@job_type(router, "referral.create")
def create(ctx: JobContext, data: CreateReferralInput) -> CreateReferralOutput:
    if ctx.session.get(Household, data.household_id) is None:
        raise CaseRecordError(f"家庭 {data.household_id} 不在案件记录中")
    ctx.case_id = data.case_id
    open_one = ctx.session.exec(
        select(Referral).where(
            Referral.household_id == data.household_id,
            Referral.case_id == data.case_id,
            Referral.target == data.target,
            Referral.status == ReferralStatus.OPEN,
        )
    ).first()
    referral = open_one or Referral(
        household_id=data.household_id,
        case_id=data.case_id,
        member_id=data.member_id,
        target=data.target,
        reason=data.reason,
        status=ReferralStatus.OPEN,
        created_by_id=data.created_by_id,
        created_at=ctx.now,
    )
    if open_one is None:
        ctx.session.add(referral)
        ctx.session.flush()
        ctx.note(referralId=referral.id, target=data.target.value)
    assert referral.id is not None
    return CreateReferralOutput(referral_id=referral.id, referral_status=referral.status)
