"""The description of one job type: its name, variables in and out, and the BPMN errors it throws."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from schemas.contracts.base import JobInput, JobOutput
from schemas.contracts.errors import BpmnError


@dataclass(frozen=True)
class JobContract:
    type: str  # <area>.<action>: the same name in BPMN, worker, contract and element template
    # builtins.type: the field ``type`` shadows the builtin inside the class body.
    input: builtins.type[JobInput]
    output: builtins.type[JobOutput]
    zh: str
    en: str
    errors: tuple[BpmnError, ...] = ()

    @property
    def area(self) -> str:
        return self.type.split(".", 1)[0]
