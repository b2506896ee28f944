"""The decision (分管领导审批, or the county on the national path) and county spot checks."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, Field, model_validator

from schemas.contracts.base import JobInput, JobOutput, Month, PositiveMoney
from schemas.contracts.errors import ABOVE_TOWNSHIP_LIMIT, APPROVER_NOT_AUTHORISED, INPUT_REJECTED
from schemas.contracts.jobs._contract import JobContract
from schemas.contracts.parts import AddOn
from schemas.enums import CasePath, DecisionOutcome, Programme, SelfCareLevel


class RecordApprovalInput(JobInput):
    case_id: int
    case_type: Programme
    approver_id: int
    decision_outcome: DecisionOutcome
    amount: PositiveMoney | None = None
    add_ons: list[AddOn] = Field(default_factory=list)
    self_care_level: SelfCareLevel | None = None
    reasons: str = Field(min_length=1)
    decided_at: AwareDatetime

    @model_validator(mode="after")
    def _amount_when_approved(self) -> RecordApprovalInput:
        if self.decision_outcome is DecisionOutcome.APPROVED and self.amount is None:
            raise ValueError("批准时须填写救助金额（amount）")
        if self.decision_outcome is DecisionOutcome.REJECTED and self.amount is not None:
            raise ValueError("不予批准时不能填写救助金额")
        return self


class RecordApprovalOutput(JobOutput):
    decision_id: int
    approved: bool
    effective_month: Month | None  # the month after the decision (Art. 21, 25)
    rejection_notice_due: date | None  # written reasons within 3 working days


class SelectSpotCheckInput(JobInput):
    case_id: int
    case_type: Programme
    path: CasePath = CasePath.REFORM
    township_id: int


class SelectSpotCheckOutput(JobOutput):
    spot_check_selected: bool
    sample_rate: float = Field(ge=0, le=1)  # e.g. 0.3: national 特困 on-site checks of ≥30%
    selected_at: datetime


CONTRACTS = (
    JobContract(
        "approval.record",
        RecordApprovalInput,
        RecordApprovalOutput,
        "记录审批决定（批准金额、分类施保、次月起发放）",
        "Record the decision (amount, add-ons; paid from the month after)",
        (APPROVER_NOT_AUTHORISED, ABOVE_TOWNSHIP_LIMIT, INPUT_REJECTED),
        entered={
            "approver_id": "审批人",
            "decision_outcome": "审批意见",
            "amount": "批准救助金额",
            "add_ons": "分类施保",
            "self_care_level": "生活自理能力",
            "reasons": "审批理由",
        },
        rejection=INPUT_REJECTED,
        returns=(APPROVER_NOT_AUTHORISED,),
    ),
    JobContract(
        "supervision.select-spot-check",
        SelectSpotCheckInput,
        SelectSpotCheckOutput,
        "县级抽查：按比例抽取案件复核（不重不漏）",
        "County supervision: sample cases for on-site review",
    ),
)
