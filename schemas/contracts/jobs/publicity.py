"""Result publicity in the applicant's natural village, objections to it, and its close."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, Field

from schemas.contracts.base import JobInput, JobOutput, PositiveMoney
from schemas.contracts.jobs._contract import JobContract
from schemas.enums import ObjectionStatus


class PublishInput(JobInput):
    """Result publicity names the approval decision; the national path's first-review publicity
    (初审公示) comes before any decision and shows the township's proposed amount instead."""

    case_id: int
    decision_id: int | None = None
    proposed_amount: PositiveMoney | None = None
    village_id: int  # the applicant's natural village (自然村)
    start_date: date
    days: int | None = Field(default=None, ge=1, le=30)  # None: the profile's period


class PublishOutput(JobOutput):
    publicity_id: int
    period_start: date
    period_end: date  # calendar days, both ends included
    publicity_ends_at: datetime  # timer: end of the last day, China time


class RecordObjectionInput(JobInput):
    publicity_id: int
    case_id: int | None = None
    message_id: str = Field(min_length=1)  # the correlated message's id: a redelivery is not a second objection
    channel: str = Field(min_length=1)
    content: str = Field(min_length=1)
    received_at: AwareDatetime


class RecordObjectionOutput(JobOutput):
    objection_id: int
    objection_status: ObjectionStatus


class ClosePublicityInput(JobInput):
    publicity_id: int


class ClosePublicityOutput(JobOutput):
    open_objections: int = Field(ge=0)  # > 0: 民主评议 / verify before the decision stands
    upheld_objections: int = Field(ge=0)
    closed_at: datetime
    # What was objected, for the caseworker who answers it after the re-investigation ("" if none).
    objection_summary: str = ""


class ResolveObjectionsInput(JobInput):
    """The township's answer to the case's objections, after the re-investigation and new decision."""

    case_id: int
    decision_id: int | None = None  # the new decision the answer rests on
    objection_outcome: Literal["异议成立", "异议不成立"]
    objection_reason: str = Field(min_length=1, max_length=2000)
    answered_at: AwareDatetime


class ResolveObjectionsOutput(JobOutput):
    resolved_objections: int = Field(ge=0)  # the case's objections this answer covers
    objection_outcome: ObjectionStatus


CONTRACTS = (
    JobContract(
        "publicity.publish",
        PublishInput,
        PublishOutput,
        "在申请人所在自然村公示审批结果（仅姓名脱敏、户人数、金额）",
        "Publish the result in the applicant's natural village (masked name, household size, amount only)",
    ),
    JobContract(
        "publicity.record-objection",
        RecordObjectionInput,
        RecordObjectionOutput,
        "登记公示期间收到的异议（消息关联）",
        "Record an objection received during publicity (correlated message)",
    ),
    JobContract(
        "publicity.close",
        ClosePublicityInput,
        ClosePublicityOutput,
        "公示期满：汇总异议",
        "Publicity period over: summarise objections",
    ),
    JobContract(
        "publicity.resolve-objections",
        ResolveObjectionsInput,
        ResolveObjectionsOutput,
        "记录公示异议核查结论（异议成立/不成立及理由）",
        "Record the outcome of the case's publicity objections (upheld / dismissed, with the reason)",
    ),
)
