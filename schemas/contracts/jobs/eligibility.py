"""Eligibility and the proposed amount (jiuzhu.policy rules), and the 特困 self-care assessment."""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from jiuzhu.policy import Activity, ApprovalLevel
from schemas.contracts.base import JobInput, JobOutput, Money
from schemas.contracts.errors import INPUT_REJECTED
from schemas.contracts.jobs._contract import JobContract
from schemas.contracts.parts import AddOn, IncomeItemIn, MemberIn, ReasonOut, RigidSpendingIn
from schemas.enums import Area, CasePath, Programme, SelfCareLevel


class AssessEligibilityInput(JobInput):
    case_id: int
    case_type: Programme
    path: CasePath = CasePath.REFORM
    area: Area
    assessed_on: date
    members: list[MemberIn] = Field(min_length=1)
    income_items: list[IncomeItemIn] = Field(default_factory=list)
    rigid_spending: list[RigidSpendingIn] = Field(default_factory=list)
    property_within_limits: bool
    supporter_able: bool = False  # 特困: a legal supporter able to support
    essential_spending: Money | None = None  # 支出型: medical/education spending to bear
    self_care_level: SelfCareLevel | None = None  # 特困: from eligibility.assess-self-care


class AssessEligibilityOutput(JobOutput):
    eligible: bool
    programme: Programme
    per_capita_income: Money
    standard: Money  # the monthly standard compared against
    reasons: list[ReasonOut]
    proposed_amount: Money | None = None  # monthly (低保/特困) or one-off (临时救助)
    add_ons: list[AddOn] = Field(default_factory=list)
    approval_level: ApprovalLevel | None = None  # 临时救助: township or county 一事一议


class AssessSelfCareInput(JobInput):
    case_id: int
    member_id: int
    abilities: dict[Activity, bool]  # all six activities: True = can do it unaided

    @field_validator("abilities")
    @classmethod
    def _all_six(cls, value: dict[Activity, bool]) -> dict[Activity, bool]:
        missing = [activity.label for activity in Activity if activity not in value]
        if missing:
            raise ValueError(f"生活自理能力评估须填写全部六项，缺少：{'、'.join(missing)}")
        return value


class AssessSelfCareOutput(JobOutput):
    self_care_level: SelfCareLevel
    unable_activities: list[Activity]
    self_care_reason: str


CONTRACTS = (
    JobContract(
        "eligibility.assess",
        AssessEligibilityInput,
        AssessEligibilityOutput,
        "按政策规则认定是否符合条件，计算人均收入和拟救助金额（含分类施保）",
        "Assess eligibility by the policy rules; per-capita income and the proposed amount with add-ons",
        (INPUT_REJECTED,),
        entered={
            "income_items": "收入",
            "rigid_spending": "刚性支出",
            "property_within_limits": "财产符合规定",
            "supporter_able": "法定义务人有履行能力",
            "essential_spending": "必要支出",
        },
        rejection=INPUT_REJECTED,
    ),
    JobContract(
        "eligibility.assess-self-care",
        AssessSelfCareInput,
        AssessSelfCareOutput,
        "特困人员生活自理能力评估（六项日常生活活动）",
        "Self-care assessment for 特困 from the six daily activities",
        (INPUT_REJECTED,),
        entered={"abilities": "生活自理能力评估"},
        rejection=INPUT_REJECTED,
    ),
)
