"""Nested shapes that several job contracts share (members, findings, add-ons, reasons)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from jiuzhu.policy import IncomeKind, SpendingKind
from schemas.contracts.base import IdNumber, Money
from schemas.enums import (
    CheckOutcome,
    CheckSource,
    DisabilityKind,
    MemberCategory,
    Relationship,
    SignatoryRole,
    WorkCapacity,
)


class Part(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class MemberIn(Part):
    name: str = Field(min_length=1, max_length=50)
    id_number: IdNumber
    relationship: Relationship
    disability_kind: DisabilityKind | None = None
    disability_grade: int | None = Field(default=None, ge=1, le=4)
    seriously_ill: bool = False
    work_capacity: WorkCapacity = WorkCapacity.ABLE
    student: bool = False  # in school: guided to 教育救助 at the window
    registered_poor: bool = False  # 建档立卡/脱贫: kept on the household, watched for 漏保

    @model_validator(mode="after")
    def _disability_pair(self) -> MemberIn:
        if (self.disability_kind is None) != (self.disability_grade is None):
            raise ValueError("残疾类别和残疾等级须同时填写或同时不填")
        return self


class IncomeItemIn(Part):
    kind: IncomeKind
    amount: Money
    period_months: int = Field(default=1, ge=1, le=12)
    note: str = ""


class RigidSpendingIn(Part):
    kind: SpendingKind
    amount: Money
    period_months: int = Field(default=1, ge=1, le=12)


class Finding(Part):
    """One data source's result in an economic-status check."""

    source: CheckSource
    outcome: CheckOutcome
    finding: str
    amount: Money | None = None


class Signature(Part):
    role: SignatoryRole
    name: str = Field(min_length=1, max_length=50)
    staff_id: int | None = None
    member_id: int | None = None

    @model_validator(mode="after")
    def _visitor_is_staff(self) -> Signature:
        if self.role is SignatoryRole.VISITOR and self.staff_id is None:
            raise ValueError("调查人员签字须注明工作人员编号（staffId）")
        return self


class AddOn(Part):
    """A category add-on (分类施保) for one member."""

    member_id: int
    category: MemberCategory
    amount: Money


class ReasonOut(Part):
    """A condition checked by the rules, quotable in a notice."""

    code: str
    message: str
    met: bool
