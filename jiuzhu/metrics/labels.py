"""Bounded label values: every label of a jiuzhu metric takes its value from a known, finite set.

Enum-valued labels (case type, path, outcome, ...) accept the enum member, its Chinese value or its
ASCII name and are exported as the lower-case member name (`dibao`, `reform`, `approved`): PromQL
stays ASCII and relabelling a Chinese term never splits a series. Anything else becomes `other`
and is counted in `jiuzhu_metrics_invalid_inputs_total{field=...}` — recording a metric must never
raise into the casework, and must never let a typo or an ID grow the number of series.

Open-ended names (job types, BPMN process ids, townships before they are configured) go through an
`OpenSet`: values matching a pattern are admitted until a cap, then `other`.
"""

from __future__ import annotations

import enum
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping

from jiuzhu.policy import Programme, SlaState
from schemas.enums import CasePath, DecisionOutcome, PaymentKind, PaymentStatus

log = logging.getLogger(__name__)

OTHER = "other"

# The Zeebe Gateway service (pyzeebe.proto gateway_pb2) and the standard gRPC health service.
GRPC_METHODS = frozenset(
    {
        "ActivateJobs",
        "BroadcastSignal",
        "CancelProcessInstance",
        "CompleteJob",
        "CreateProcessInstance",
        "CreateProcessInstanceWithResult",
        "DeleteResource",
        "DeployProcess",
        "DeployResource",
        "EvaluateDecision",
        "FailJob",
        "MigrateProcessInstance",
        "ModifyProcessInstance",
        "PublishMessage",
        "ResolveIncident",
        "SetVariables",
        "StreamActivatedJobs",
        "ThrowError",
        "Topology",
        "UpdateJobRetries",
        "UpdateJobTimeout",
        "Check",
        "Watch",
    }
)
GRPC_CODES = frozenset(
    {
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    }
)
# Zeebe's incident error types (the embedded engine raises a subset).
INCIDENT_TYPES = frozenset(
    {
        "JOB_NO_RETRIES",
        "IO_MAPPING_ERROR",
        "UNHANDLED_ERROR_EVENT",
        "EXTRACT_VALUE_ERROR",
        "CONDITION_ERROR",
        "CALLED_ELEMENT_ERROR",
        "CALLED_DECISION_ERROR",
        "DECISION_EVALUATION_ERROR",
        "MESSAGE_SIZE_EXCEEDED",
        "FORM_NOT_FOUND",
        "RESOURCE_NOT_FOUND",
        "EXECUTION_LISTENER_NO_RETRIES",
        "TASK_LISTENER_NO_RETRIES",
        "AD_HOC_SUB_PROCESS_NO_RETRIES",
        "UNKNOWN",
    }
)
INSTANCE_END_STATES = frozenset({"completed", "terminated"})
WORKER_OUTCOMES = frozenset({"completed", "failed", "bpmn_error"})
SLA_RESULTS = frozenset({"on_time", "late"})
# What a decision can be besides the two DecisionOutcome members.
EXTRA_OUTCOMES = frozenset({"withdrawn"})

# Fields counted in jiuzhu_metrics_invalid_inputs_total: a fixed list, so that counter is bounded too.
FIELDS = (
    "case_type",
    "path",
    "township",
    "outcome",
    "sla_state",
    "payment_kind",
    "payment_status",
    "grpc_method",
    "grpc_code",
    "job_type",
    "bpmn_process_id",
    "error_type",
    "instance_state",
    "worker_outcome",
    "number",
)

# <area>.<action> job types, Zeebe's own (io.camunda.zeebe:userTask) and connector types.
JOB_TYPE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,99}$")
BPMN_ID_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,99}$")
# Statistical division codes: 9 digits (township) or the 12-digit form.
TOWNSHIP_PATTERN = re.compile(r"^\d{9}(\d{3})?$")
MAX_JOB_TYPES = 200
MAX_PROCESS_IDS = 100
MAX_TOWNSHIPS_UNCONFIGURED = 64

Invalid = Callable[[str], None]


def _ignore(field: str) -> None:
    return None


def enum_label(value: object, members: type[enum.Enum], field: str, invalid: Invalid, extra: Iterable[str] = ()) -> str:
    """The lower-case member name for a member, its value or its name; `other` otherwise."""
    if isinstance(value, members):
        return value.name.lower()
    if isinstance(value, str):
        text = value.strip()
        for member in members:
            if text == member.value or text.upper() == member.name:
                return member.name.lower()
        if text.lower() in extra:
            return text.lower()
    invalid(field)
    return OTHER


def closed_label(value: object, allowed: frozenset[str], field: str, invalid: Invalid) -> str:
    if isinstance(value, enum.Enum):
        value = value.name
    if isinstance(value, str) and value in allowed:
        return value
    invalid(field)
    return OTHER


class OpenSet:
    """Admit values that match `pattern`, up to `cap` distinct ones; the rest are `other`."""

    def __init__(self, field: str, pattern: re.Pattern[str], cap: int) -> None:
        self.field = field
        self.pattern = pattern
        self.cap = cap
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: object, invalid: Invalid = _ignore) -> str:
        if not isinstance(value, str) or not self.pattern.match(value):
            invalid(self.field)
            return OTHER
        if value in self._seen:
            return value
        with self._lock:
            if value in self._seen:
                return value
            if len(self._seen) >= self.cap:
                invalid(self.field)
                return OTHER
            self._seen.add(value)
            return value

    def __len__(self) -> int:
        return len(self._seen)

    def admitted(self) -> list[str]:
        """The values admitted so far, sorted."""
        with self._lock:
            return sorted(self._seen)


class Townships:
    """Township label: a configured code, or `other`.

    Configure the county's townships (code → name) once at start-up, from the case record or from
    `JIUZHU_METRICS_TOWNSHIPS`. Until then well-formed division codes are admitted up to a cap, so a
    process that was never configured still exports bounded, useful series.
    """

    def __init__(self) -> None:
        self._configured: dict[str, str] | None = None
        self._open = OpenSet("township", TOWNSHIP_PATTERN, MAX_TOWNSHIPS_UNCONFIGURED)
        self._lock = threading.Lock()

    def configure(self, townships: Mapping[str, str] | Iterable[str]) -> None:
        mapping = dict(townships) if isinstance(townships, Mapping) else {code: code for code in townships}
        for code in mapping:
            if not TOWNSHIP_PATTERN.match(code):
                raise ValueError(f"township code {code!r} is not a 9- or 12-digit statistical division code")
        with self._lock:
            self._configured = {code: str(name) for code, name in mapping.items()}

    @property
    def configured(self) -> dict[str, str]:
        return dict(self._configured or {})

    def __call__(self, value: object, invalid: Invalid = _ignore) -> str:
        code = value.strip() if isinstance(value, str) else value
        configured = self._configured
        if configured is None:
            return self._open(code, invalid)
        if isinstance(code, str) and code in configured:
            return code
        invalid("township")
        return OTHER


def parse_townships(text: str) -> dict[str, str]:
    """`code:name,code:name` (names optional) as `JIUZHU_METRICS_TOWNSHIPS` carries it."""
    result: dict[str, str] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        code, _, name = item.partition(":")
        result[code.strip()] = name.strip() or code.strip()
    return result


class Labels:
    """All label normalisers of one metrics instance, reporting invalid input through `invalid`."""

    def __init__(self, invalid: Invalid = _ignore) -> None:
        self.invalid = invalid
        self.townships = Townships()
        self.job_types = OpenSet("job_type", JOB_TYPE_PATTERN, MAX_JOB_TYPES)
        self.process_ids = OpenSet("bpmn_process_id", BPMN_ID_PATTERN, MAX_PROCESS_IDS)

    def case_type(self, value: object) -> str:
        return enum_label(value, Programme, "case_type", self.invalid)

    def path(self, value: object) -> str:
        return enum_label(value, CasePath, "path", self.invalid)

    def outcome(self, value: object) -> str:
        return enum_label(value, DecisionOutcome, "outcome", self.invalid, EXTRA_OUTCOMES)

    def sla_state(self, value: object) -> str:
        return enum_label(value, SlaState, "sla_state", self.invalid)

    def payment_kind(self, value: object) -> str:
        return enum_label(value, PaymentKind, "payment_kind", self.invalid)

    def payment_status(self, value: object) -> str:
        return enum_label(value, PaymentStatus, "payment_status", self.invalid)

    def township(self, value: object) -> str:
        return self.townships(value, self.invalid)

    def job_type(self, value: object) -> str:
        return self.job_types(value, self.invalid)

    def process_id(self, value: object) -> str:
        return self.process_ids(value, self.invalid)

    def grpc_method(self, value: object) -> str:
        if isinstance(value, str):
            value = value.rsplit("/", 1)[-1]  # "/gateway_protocol.Gateway/CompleteJob"
        return closed_label(value, GRPC_METHODS, "grpc_method", self.invalid)

    def grpc_code(self, value: object) -> str:
        return closed_label(value, GRPC_CODES, "grpc_code", self.invalid)

    def error_type(self, value: object) -> str:
        return closed_label(value, INCIDENT_TYPES, "error_type", self.invalid)

    def instance_state(self, value: object) -> str:
        if isinstance(value, enum.Enum):
            value = value.name
        text = value.lower() if isinstance(value, str) else value
        return closed_label(text, INSTANCE_END_STATES, "instance_state", self.invalid)

    def worker_outcome(self, value: object) -> str:
        return closed_label(value, WORKER_OUTCOMES, "worker_outcome", self.invalid)


def label_values() -> dict[str, frozenset[str]]:
    """The closed value set of every enum-valued label (for docs and tests)."""
    names = {
        "case_type": Programme,
        "path": CasePath,
        "sla_state": SlaState,
        "payment_kind": PaymentKind,
        "payment_status": PaymentStatus,
    }
    result = {label: frozenset({m.name.lower() for m in members} | {OTHER}) for label, members in names.items()}
    result["outcome"] = frozenset({m.name.lower() for m in DecisionOutcome} | EXTRA_OUTCOMES | {OTHER})
    return result
