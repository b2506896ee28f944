"""Written notices: rejection (书面告知书), approval or change, and their delivery."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, Field, field_validator

from schemas.contracts.base import JobInput, JobOutput
from schemas.contracts.errors import INPUT_REJECTED
from schemas.contracts.jobs._contract import JobContract
from schemas.enums import NoticeKind


class IssueRejectionInput(JobInput):
    case_id: int
    facts: list[str] = Field(min_length=1)  # e.g. 核对显示家庭月人均收入 ¥X，高于当地低保标准 ¥Y
    check_report_id: int | None = None
    decision_id: int | None = None  # None: the check failed before any decision
    decided_at: AwareDatetime


class IssueRejectionOutput(JobOutput):
    notice_id: int
    notice_number: str
    issued_at: datetime
    notice_due: date  # within 3 working days of the decision (Art. 21)


class IssueDecisionInput(JobInput):
    case_id: int
    decision_id: int
    notice_kind: NoticeKind = NoticeKind.APPROVAL

    @field_validator("notice_kind")
    @classmethod
    def _decision_kinds(cls, value: NoticeKind) -> NoticeKind:
        if value not in (NoticeKind.APPROVAL, NoticeKind.CHANGE):
            raise ValueError(f"决定通知只能是{NoticeKind.APPROVAL}或{NoticeKind.CHANGE}，实际为 {value}")
        return value


class IssueDecisionOutput(JobOutput):
    notice_id: int
    notice_number: str
    issued_at: datetime


class RecordDeliveryInput(JobInput):
    notice_id: int
    delivered_at: AwareDatetime
    receipt_reference: str = Field(min_length=1)  # 送达回证


class RecordDeliveryOutput(JobOutput):
    notice_id: int
    delivered_at: datetime


CONTRACTS = (
    JobContract(
        "notice.issue-rejection",
        IssueRejectionInput,
        IssueRejectionOutput,
        "出具书面告知书（不予批准的事实、依据和救济途径）",
        "Issue the written rejection notice (facts, legal basis, redress)",
    ),
    JobContract(
        "notice.issue-decision",
        IssueDecisionInput,
        IssueDecisionOutput,
        "出具批准通知书或变更（减发、停发）告知书",
        "Issue the approval notice or a change notice (cut, stop)",
    ),
    JobContract(
        "notice.record-delivery",
        RecordDeliveryInput,
        RecordDeliveryOutput,
        "记录文书送达回证",
        "Record the delivery receipt of a notice",
        (INPUT_REJECTED,),
        entered={"delivered_at": "送达时间", "receipt_reference": "送达回证编号"},
        rejection=INPUT_REJECTED,
    ),
)
