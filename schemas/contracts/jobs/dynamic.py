"""Dynamic management (动态管理): when to re-check, and what a re-check changed."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, Field, model_validator

from schemas.contracts.base import JobInput, JobOutput, Month, PositiveMoney
from schemas.contracts.errors import HOUSEHOLD_NOT_HEARD, INPUT_REJECTED
from schemas.contracts.jobs._contract import JobContract
from schemas.enums import RecheckOutcome


class ScheduleRecheckInput(JobInput):
    case_id: int
    from_date: date  # decision or last re-check
    income_stable: bool
    member_able_to_work: bool
    recipient_died: bool = False  # re-check within 3 months


class ScheduleRecheckOutput(JobOutput):
    next_recheck_due: date
    cadence_months: int = Field(ge=1, le=12)  # 12 stable, 6 unstable or able to work, 3 after a death


class RecordRecheckInput(JobInput):
    case_id: int
    recheck_outcome: RecheckOutcome
    new_amount: PositiveMoney | None = None
    reasons: str = Field(min_length=1)
    household_heard: bool = False  # cuts and stops: hear the household first (law Art. 48)
    decided_at: AwareDatetime
    approver_id: int

    @model_validator(mode="after")
    def _amount(self) -> RecordRecheckInput:
        if self.recheck_outcome is RecheckOutcome.ADJUST and self.new_amount is None:
            raise ValueError("调整救助金额须填写新金额（newAmount）")
        return self


class RecordRecheckOutput(JobOutput):
    decision_id: int | None  # a new decision when the amount changes or payment stops
    effective_month: Month | None
    taper_until: Month | None = None  # 渐退期: last month paid, at most 6 months on
    recorded_at: datetime


CONTRACTS = (
    JobContract(
        "dynamic.schedule-recheck",
        ScheduleRecheckInput,
        ScheduleRecheckOutput,
        "安排定期复核（收入稳定每年，不稳定或有劳动能力每半年）",
        "Schedule the periodic re-check (yearly if stable, half-yearly otherwise)",
    ),
    JobContract(
        "dynamic.record-recheck",
        RecordRecheckInput,
        RecordRecheckOutput,
        "记录复核结果：维持、调整、渐退或停发（减发停发须先听取陈述申辩）",
        "Record the re-check: continue, adjust, taper or stop (hear the household before cutting)",
        (HOUSEHOLD_NOT_HEARD, INPUT_REJECTED),
        entered={
            "recheck_outcome": "复核意见",
            "new_amount": "新救助金额",
            "reasons": "复核理由",
            "household_heard": "已听取陈述申辩",
            "approver_id": "审批人",
        },
        rejection=INPUT_REJECTED,
        returns=(HOUSEHOLD_NOT_HEARD,),
    ),
)
