"""Home visit (入户调查): scheduled within the investigation limit, recorded by two visitors."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field, model_validator

from schemas.contracts.base import JobInput, JobOutput
from schemas.contracts.errors import VISIT_RECORD_INVALID
from schemas.contracts.jobs._contract import JobContract
from schemas.contracts.parts import Signature
from schemas.enums import SignatoryRole


class ScheduleVisitInput(JobInput):
    case_id: int
    township_id: int
    accepted_at: AwareDatetime
    registered_separately: bool = False


class ScheduleVisitOutput(JobOutput):
    visit_id: int
    scheduled_at: datetime
    visit_due_at: datetime  # investigation starts within 3 working days (Art. 15)
    county_led: bool  # separately registered cases: the county visits
    candidate_groups: list[str]  # who may claim the visit user task


class RecordVisitInput(JobInput):
    case_id: int
    visit_id: int
    visitor_ids: list[int] = Field(min_length=2)
    visited_at: AwareDatetime
    findings: str = Field(min_length=1)
    passed: bool
    signatures: list[Signature] = Field(min_length=3)

    @model_validator(mode="after")
    def _signed(self) -> RecordVisitInput:
        if len(set(self.visitor_ids)) < 2:
            raise ValueError("入户调查须由至少两名不同的工作人员进行")
        signed = {s.staff_id for s in self.signatures if s.role is SignatoryRole.VISITOR}
        unsigned = sorted(set(self.visitor_ids) - signed)
        if unsigned:
            raise ValueError(f"调查人员未签字：{unsigned}")
        if not any(s.role is SignatoryRole.FAMILY for s in self.signatures):
            raise ValueError("调查记录须由在场家庭成员签字")
        return self


class RecordVisitOutput(JobOutput):
    visit_id: int
    visit_passed: bool
    visited_at: datetime


CONTRACTS = (
    JobContract(
        "visit.schedule",
        ScheduleVisitInput,
        ScheduleVisitOutput,
        "安排入户调查（单独登记备案的由县级入户）",
        "Schedule the home visit (the county visits separately registered cases)",
    ),
    JobContract(
        "visit.record",
        RecordVisitInput,
        RecordVisitOutput,
        "记录入户调查结果：至少两名调查人员，调查人员和在场家庭成员签字",
        "Record the home visit: two or more visitors, signed by visitors and family present",
        (VISIT_RECORD_INVALID,),
        entered={
            "visitor_ids": "调查人员",
            "visited_at": "调查时间",
            "findings": "调查情况",
            "passed": "调查结论",
            "signatures": "签字",
        },
        rejection=VISIT_RECORD_INVALID,
    ),
)
