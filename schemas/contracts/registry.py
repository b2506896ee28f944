"""``JOB_TYPES``: every job type of the processes, with its contracts and BPMN errors."""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemas.contracts.jobs import (
    application,
    approval,
    dynamic,
    eligibility,
    notice,
    payment,
    publicity,
    referral,
    sla,
    verification,
    visit,
)
from schemas.contracts.jobs._contract import JobContract

JOB_TYPE_PATTERN = re.compile(r"^[a-z]+\.[a-z]+(?:-[a-z]+)*$")


def _registry(contracts: Iterable[JobContract]) -> dict[str, JobContract]:
    registry: dict[str, JobContract] = {}
    for contract in contracts:
        if not JOB_TYPE_PATTERN.match(contract.type):
            raise ValueError(f"job type {contract.type!r} is not <area>.<action> in lower-case kebab")
        if contract.type in registry:
            raise ValueError(f"job type {contract.type!r} defined twice")
        registry[contract.type] = contract
    return registry


# In process order, so the catalogue reads like the casework.
_AREAS = (application, sla, verification, eligibility, visit, approval, publicity, notice, payment, referral, dynamic)

JOB_TYPES: dict[str, JobContract] = _registry(contract for module in _AREAS for contract in module.CONTRACTS)


def contract_for(job_type: str) -> JobContract:
    try:
        return JOB_TYPES[job_type]
    except KeyError:
        raise KeyError(f"unknown job type {job_type!r}; known: {', '.join(sorted(JOB_TYPES))}") from None
