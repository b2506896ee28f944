"""Accepting an application (一窗受理 / 帮办代办) and closing the case."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field, model_validator

from schemas.contracts.base import JobInput, JobOutput
from schemas.contracts.errors import APPLICATION_INCOMPLETE, DUPLICATE_APPLICATION
from schemas.contracts.jobs._contract import JobContract
from schemas.contracts.parts import MemberIn
from schemas.enums import Area, CasePath, CaseStatus, Channel, EmergencyCause, Programme, Relationship


class AcceptApplicationInput(JobInput):
    case_type: Programme
    path: CasePath = CasePath.REFORM
    channel: Channel
    proxy_assistant_id: int | None = None
    township_id: int
    village_id: int  # the natural village or group the household lives in
    address: str = Field(min_length=1)
    area: Area
    members: list[MemberIn] = Field(min_length=1)
    received_at: AwareDatetime
    accepted_by_id: int | None = None
    check_authorised: bool = False  # 授权核对 signed by the applicant and all members
    missing_materials: list[str] = Field(default_factory=list)  # 一次性告知: all at once
    emergency_cause: EmergencyCause | None = None
    incident_location: str | None = None  # 急难型: apply where it happened (law Art. 37)

    @model_validator(mode="after")
    def _consistent(self) -> AcceptApplicationInput:
        if self.channel is Channel.PROXY and self.proxy_assistant_id is None:
            raise ValueError("帮办代办须注明代办的村协理员（proxyAssistantId）")
        applicants = [m for m in self.members if m.relationship is Relationship.SELF]
        if len(applicants) != 1:
            raise ValueError(f"家庭成员中须有且只有一名申请人本人（relationship=本人），实际为 {len(applicants)} 名")
        numbers = [m.id_number for m in self.members]
        if len(set(numbers)) != len(numbers):
            raise ValueError("家庭成员身份证号码重复")
        if self.case_type is Programme.TEMPORARY_EMERGENCY and self.emergency_cause is None:
            raise ValueError("急难型临时救助须注明急难原因（emergencyCause）")
        return self


class AcceptApplicationOutput(JobOutput):
    case_id: int
    case_number: str
    household_id: int
    applicant_id: int
    accepted_at: datetime
    path: CasePath
    case_status: CaseStatus
    registered_separately: bool  # close relative of staff: 单独登记备案, county visits


class CloseCaseInput(JobInput):
    case_id: int
    final_status: CaseStatus
    closed_at: AwareDatetime


class CloseCaseOutput(JobOutput):
    case_id: int
    case_status: CaseStatus
    closed_at: datetime


CONTRACTS = (
    JobContract(
        "application.accept",
        AcceptApplicationInput,
        AcceptApplicationOutput,
        "受理申请：登记家庭、成员和案件，区分一窗受理与帮办代办",
        "Accept an application: register household, members and case (one window or by proxy)",
        (APPLICATION_INCOMPLETE, DUPLICATE_APPLICATION),
    ),
    JobContract(
        "case.close",
        CloseCaseInput,
        CloseCaseOutput,
        "结案：记录案件最终状态",
        "Close the case with its final status",
    ),
)
