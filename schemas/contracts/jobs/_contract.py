"""The description of one job type: its name, variables in and out, and the BPMN errors it throws."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

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
    # Input fields a person types on the user task before this job (field name → the label the
    # person saw). A rule on them that the input breaks throws ``rejection`` with the reason, so the
    # process sends the task back to the person instead of failing the job into an incident.
    entered: dict[str, str] = field(default_factory=dict)
    rejection: BpmnError | None = None
    # Other codes of ``errors`` that also send the task back to the person (with the reason).
    returns: tuple[BpmnError, ...] = ()

    def returns_to_person(self, code: str) -> bool:
        codes = {e.code for e in self.returns} | ({self.rejection.code} if self.rejection else set())
        return code in codes

    @property
    def area(self) -> str:
        return self.type.split(".", 1)[0]
