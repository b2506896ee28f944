"""Deadlines: 10 working days to decide, a warning before, 24 hours for emergency relief."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime

from jiuzhu.policy import SlaState
from schemas.contracts.base import JobInput, JobOutput
from schemas.contracts.jobs._contract import JobContract
from schemas.enums import CasePath, Programme


class ComputeDeadlinesInput(JobInput):
    case_id: int
    case_type: Programme
    path: CasePath = CasePath.REFORM
    accepted_at: AwareDatetime


class ComputeDeadlinesOutput(JobOutput):
    decision_due: date  # last working day on which the decision is on time
    warn_at: datetime  # timer: warn the caseworker
    breach_at: datetime  # timer: the limit is passed
    deadline_provisional: bool  # the calendar for some year is not published yet
    relief_due_at: datetime | None = None  # 急难型 only: relief first within 24 hours


class EscalateInput(JobInput):
    case_id: int
    level: SlaState
    decision_due: date


class EscalateOutput(JobOutput):
    escalated_to: list[str]  # staff logins notified
    escalated_at: datetime


CONTRACTS = (
    JobContract(
        "sla.compute-deadlines",
        ComputeDeadlinesInput,
        ComputeDeadlinesOutput,
        "计算办理时限（工作日）、预警时间和急难型24小时时限",
        "Compute the decision deadline (working days), the warning time and the 24-hour emergency limit",
    ),
    JobContract(
        "sla.escalate",
        EscalateInput,
        EscalateOutput,
        "时限预警或超期：通知经办人、分管领导和县民政局",
        "Deadline warning or breach: notify caseworker, leader in charge and county supervisor",
    ),
)
