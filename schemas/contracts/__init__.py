"""Pydantic contracts of job variables: one input and one output model per job type.

``JOB_TYPES`` maps each ``<area>.<action>`` name to its :class:`JobContract`;
``catalogue_json_schema()`` exports the lot as JSON Schema.
"""

from schemas.contracts.base import IdNumber, JobInput, JobOutput, Money, Month, PositiveMoney
from schemas.contracts.errors import BpmnError
from schemas.contracts.export import catalogue_json_schema
from schemas.contracts.jobs._contract import JobContract
from schemas.contracts.registry import JOB_TYPES, contract_for

__all__ = [
    "JOB_TYPES",
    "BpmnError",
    "IdNumber",
    "JobContract",
    "JobInput",
    "JobOutput",
    "Money",
    "Month",
    "PositiveMoney",
    "catalogue_json_schema",
    "contract_for",
]
