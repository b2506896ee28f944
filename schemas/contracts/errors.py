"""BPMN errors job workers throw (error code → error boundary events in the processes).

Only business outcomes are BPMN errors. Technical trouble (platform down, database error) fails
the job instead, so Zeebe retries it and raises an incident when retries run out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BpmnError:
    code: str
    zh: str
    en: str


APPLICATION_INCOMPLETE = BpmnError(
    "APPLICATION_INCOMPLETE", "申请材料不全，一次性告知所缺材料", "Materials missing: tell the applicant all at once"
)
DUPLICATE_APPLICATION = BpmnError(
    "DUPLICATE_APPLICATION",
    "该家庭已有同类在办案件或已在保（不重）",
    "The household already has an open case of this type",
)
CHECK_NOT_AUTHORISED = BpmnError(
    "CHECK_NOT_AUTHORISED", "申请人及家庭成员尚未授权核对", "The household has not authorised the economic check"
)
ECONOMIC_CHECK_FAILED = BpmnError(
    "ECONOMIC_CHECK_FAILED",
    "家庭经济状况核对不符合，出具书面告知书",
    "Economic check says 不符合: issue a written notice",
)
VISIT_RECORD_INVALID = BpmnError(
    "VISIT_RECORD_INVALID",
    "入户调查记录无效（调查人员不属本乡镇或缺少签字）",
    "Visit record invalid (visitors not township staff, or signatures missing)",
)
APPROVER_NOT_AUTHORISED = BpmnError(
    "APPROVER_NOT_AUTHORISED", "审批人不是本乡镇分管领导", "The approver is not the township's leader in charge"
)
ABOVE_TOWNSHIP_LIMIT = BpmnError(
    "ABOVE_TOWNSHIP_LIMIT",
    "临时救助金额超过乡镇审批权限，报县级一事一议",
    "Above the township limit: county decides case by case",
)
ABOVE_EMERGENCY_LIMIT = BpmnError(
    "ABOVE_EMERGENCY_LIMIT", "超过先行救助小额标准，按常规程序审批", "Above the small amount that may be paid first"
)
DUPLICATE_PAYMENT = BpmnError(
    "DUPLICATE_PAYMENT", "该户该月该案件已发放（重复发放被拒绝）", "Already paid for this household, month and case"
)
HOUSEHOLD_NOT_HEARD = BpmnError(
    "HOUSEHOLD_NOT_HEARD", "减发停发前未听取家庭陈述申辩", "Cut or stop without hearing the household first"
)
INPUT_REJECTED = BpmnError(
    "INPUT_REJECTED",
    "所填内容不符合办理规则，退回原环节重填",
    "What the person entered breaks a rule: the task goes back to them with the reason",
)
