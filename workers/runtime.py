"""How every job is handled: validate, run in one transaction, audit, replay, report.

A handler is a plain function ``(ctx, data) -> output model | Thrown`` registered with
:func:`job_type` on its area's router. Around it:

* the job's variables are validated with the contract's input model — a failure is a technical
  failure with the validation message (FailJob: retries − 1, back-off), never a crash — unless it
  is a rule on what a person entered on the user task before (``contract.entered``): then it is
  the contract's ``rejection`` BPMN error, and the process sends the task back to the person;
* every BPMN error that sends a task back carries ``taskRejection`` (the reason, in Chinese, for
  the task page), and a completion of such a job clears it;
* the handler runs in one SQLModel session and transaction, in a thread (handlers are sync);
* one audit-log row records the job (actor ``worker:<job type>``, process instance key, element id,
  job key, the output or the BPMN error) — and is how a re-delivered job (same key) is answered:
  the stored result is returned again, nothing runs twice;
* a unique-constraint race (two deliveries at once, two cases numbered at once) retries the
  transaction, which then finds what the other one wrote;
* business outcomes are BPMN errors (``Thrown``) with the catalogue's codes and variables;
* ``metrics.workers.job_handled`` counts every outcome.

Routers are module-level, so the services a job needs (database, clock, calendar, platform) are
bound to the worker's name by :func:`bind` and found from ``job.worker``.
"""

import asyncio
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError
from pyzeebe import Job, ZeebeTaskRouter
from pyzeebe.errors import BusinessError
from pyzeebe.job.job import JobController
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from jiuzhu import metrics
from jiuzhu.policy import CST, Activity, PolicyProfile, WorkingCalendar, get_profile
from schemas.contracts import JobContract, JobInput, JobOutput, contract_for
from schemas.tables import AuditEntry, Case
from workers.documents import DocumentRenderer
from workers.settings import WorkerSettings

if TYPE_CHECKING:  # the verification package imports this module
    from workers.verification.platform import EconomicCheckProvider

log = logging.getLogger("workers")

In = TypeVar("In", bound=JobInput)
# A unique-key race (two deliveries of one job, or two jobs numbering cases or notices at once) is
# retried in a fresh transaction, which then sees what the winner wrote.
RACE_ATTEMPTS = 5
# An instant a person enters may run ahead of the server's clock by this much (clock skew).
FUTURE_TOLERANCE = timedelta(minutes=10)


class JobInputError(ValueError):
    """The job's variables do not satisfy the contract's input model."""


class InputRejected(ValueError):
    """A rule on what a person entered is broken: the reason, for the person, in Chinese."""


class CaseRecordError(RuntimeError):
    """The case record lacks what the job refers to (a technical failure with a clear message)."""


@dataclass(frozen=True)
class Thrown:
    """A business outcome: throw the BPMN error ``code`` (declared by the contract) with ``variables``."""

    code: str
    message: str
    variables: dict[str, Any] = field(default_factory=dict)


class BpmnErrorRaised(BusinessError):
    def __init__(self, code: str, message: str, variables: dict[str, Any]) -> None:
        super().__init__(code, message)
        self.variables = variables


@dataclass
class Services:
    settings: WorkerSettings
    db: Engine
    clock: Callable[[], datetime]
    calendar: WorkingCalendar
    platform: "EconomicCheckProvider"
    documents: DocumentRenderer

    def profile(self, name: str | None = None) -> PolicyProfile:
        return get_profile(name or self.settings.profile)


@dataclass
class JobContext:
    job: Job
    session: Session
    services: Services
    now: datetime  # read once: every instant a job writes is the same
    case_id: int | None = None  # set by handlers: the audit row's case
    case_number: str | None = None  # set with case_id by load_case: the job's log line
    details: dict[str, Any] = field(default_factory=dict)  # what the handler did, for the audit row
    committed: list[Callable[[], None]] = field(default_factory=list)  # run once the transaction commits

    def note(self, **details: Any) -> None:
        self.details.update(details)

    def on_commit(self, action: Callable[[], None]) -> None:
        """Metrics and the like: recorded once, and only when the effect is committed."""
        self.committed.append(action)

    def profile(self, name: str | None = None) -> PolicyProfile:
        return self.services.profile(name)


Handler = Callable[[JobContext, Any], JobOutput | Thrown]

HANDLERS: dict[str, tuple[JobContract, Handler]] = {}  # job type → (contract, handler), for tests and tools
_bound: dict[str, Services] = {}
_bound_lock = threading.Lock()


def bind(worker_name: str, services: Services) -> None:
    with _bound_lock:
        _bound[worker_name] = services


def unbind(worker_name: str) -> None:
    with _bound_lock:
        _bound.pop(worker_name, None)


def services_for(job: Job) -> Services:
    try:
        return _bound[job.worker]
    except KeyError:
        raise RuntimeError(f"no services bound to worker {job.worker!r}: build workers with build_worker()") from None


def actor(job_type: str) -> str:
    return f"worker:{job_type}"


def short_label(contract: JobContract) -> str:
    """受理申请：登记… → 受理申请 (the timeline's label)."""
    text = contract.zh
    for mark in ("（", "：", "，"):
        text = text.split(mark, 1)[0]
    return text


def fetch_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def validate_input(contract: JobContract, variables: dict[str, Any]) -> JobInput:
    try:
        return contract.input.model_validate(variables)
    except ValidationError as error:
        found = error.errors(include_url=False)
        if contract.rejection is not None and all(_entered(contract, e) for e in found):
            raise InputRejected("；".join(dict.fromkeys(_for_person(contract, e) for e in found))) from None
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(根)'}: {e['msg']}" for e in found)
        raise JobInputError(f"{contract.type} 的输入变量不符合合同（{error.error_count()} 处）：{problems}") from None


def _field_of(contract: JobContract, location: tuple[Any, ...]) -> str | None:
    """The model field a validation error is about (by name or alias), None for the whole model."""
    if not location:
        return None
    first = str(location[0])
    for name, info in contract.input.model_fields.items():
        if first in (name, info.alias):
            return name
    return first


def _entered(contract: JobContract, error: Any) -> bool:
    """A cross-field rule (model validator) or a rule on a field the person typed."""
    name = _field_of(contract, tuple(error["loc"]))
    return name is None or name in contract.entered


_VALUE_ERROR = "Value error, "
# Fields inside the rows of a list a person fills (income rows, spending rows, signatures).
_ROW_FIELDS = {
    "amount": "金额",
    "periodMonths": "所属月数",
    "period_months": "所属月数",
    "kind": "类型",
    "name": "姓名",
    "role": "身份",
    "staffId": "工作人员编号",
}


def _where(contract: JobContract, location: tuple[Any, ...]) -> str:
    """收入第2项所属月数: the field's label, the row, and the row's field."""
    name = _field_of(contract, location)
    label = contract.entered.get(name or "", name or "")
    rest = list(location[1:])
    if rest and isinstance(rest[0], int):
        label += f"第{rest.pop(0) + 1}项"
    if rest:
        label += _ROW_FIELDS.get(str(rest[0])) or _activity_label(str(rest[0]))
    return label


def _activity_label(key: str) -> str:
    """One of the six self-care activities (bed_transfer → 上下床); other keys stay unnamed."""
    try:
        return f"（{Activity(key).label}）"
    except ValueError:
        return ""


def _for_person(contract: JobContract, error: Any) -> str:
    """The broken rule in the words of the form the person filled in."""
    label = _where(contract, tuple(error["loc"])) if error["loc"] else ""
    kind, context = error["type"], error.get("ctx") or {}
    message = str(error["msg"])
    if kind == "value_error":
        text = message.removeprefix(_VALUE_ERROR)
        return f"{label}：{text}" if label and label not in text else text
    wording = {
        "missing": "未填写",
        "string_too_short": "不能为空",
        "too_short": f"至少须有 {context.get('min_length')} 项",
        "greater_than": f"须大于 {context.get('gt')}",
        "greater_than_equal": f"不能小于 {context.get('ge')}",
        "less_than_equal": f"不能大于 {context.get('le')}",
        "enum": "不是可选的值",
        "literal_error": "不是可选的值",
    }
    return f"{label}{wording.get(kind, '填写有误')}"


def replayed(session: Session, job: Job) -> AuditEntry | None:
    """The audit row of this very job (same key), if it was handled before."""
    rows = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == job.type,
            AuditEntry.process_instance_key == job.process_instance_key,
            AuditEntry.actor == actor(job.type),
        )
    ).all()
    return next((row for row in rows if row.details.get("jobKey") == job.key), None)


def keyed_effect(session: Session, action: str, case_id: int, key: str) -> dict[str, Any] | None:
    """Details of an earlier job of ``action`` on the case that recorded business key ``key``."""
    rows = session.exec(
        select(AuditEntry)
        .where(AuditEntry.action == action, AuditEntry.case_id == case_id)
        .order_by(col(AuditEntry.id))
    ).all()
    return next((row.details for row in rows if row.details.get("key") == key), None)


def china_time(output: JobOutput) -> JobOutput:
    """Instants leave the worker in China time (+08:00), however the database handed them back."""
    for name, value in output:
        if isinstance(value, datetime):
            setattr(output, name, value.astimezone(CST))
    return output


def _result_of(entry: AuditEntry) -> dict[str, Any] | Thrown:
    details = entry.details
    if "error" in details:
        error = details["error"]
        return Thrown(error["code"], error["message"], error.get("variables", {}))
    return dict(details["output"])


@dataclass
class JobLog:
    """What the job's one log line says (filled in while it runs)."""

    case_id: int | None = None
    case_number: str | None = None
    replayed: bool = False
    attempts: int = 0
    error_code: str | None = None

    def case_of(self, session: Session, case_id: int | None, case_number: str | None = None) -> None:
        self.case_id = case_id
        if case_number is None and case_id is not None:
            case = session.get(Case, case_id)
            case_number = case.case_number if case is not None else None
        self.case_number = case_number


def log_job(job: Job, outcome: str, record: JobLog, seconds: float, error: BaseException | None = None) -> None:
    """One line per job, with structured fields (``extra``) for a JSON formatter or a log shipper:
    ``job_type``, ``job_key``, ``process_instance_key``, ``case_id``, ``case_number``, ``outcome``
    (completed | bpmn_error | failed), ``duration_ms``, ``replayed``, ``attempts``, ``error_code``."""
    duration_ms = round(seconds * 1000, 1)
    fields = {
        "job_type": job.type,
        "job_key": job.key,
        "process_instance_key": job.process_instance_key,
        "case_id": record.case_id,
        "case_number": record.case_number,
        "outcome": outcome,
        "duration_ms": duration_ms,
        "replayed": record.replayed,
        "attempts": record.attempts,
        "error_code": record.error_code,
    }
    detail = record.error_code or (f"{type(error).__name__}: {error}" if error is not None else "")
    log.log(
        logging.WARNING if outcome == "failed" else logging.INFO,
        "%s job %s case %s: %s%s%s in %.1f ms",
        job.type,
        job.key,
        record.case_number or "-",
        outcome,
        f" ({detail})" if detail else "",
        " [replayed]" if record.replayed else "",
        duration_ms,
        extra=fields,
    )


def execute(services: Services, contract: JobContract, handler: Handler, job: Job) -> dict[str, Any] | Thrown:
    """Run one job: one transaction, one audit row, one log line; a re-delivered job gets its first result."""
    started = time.perf_counter()
    record = JobLog()
    outcome, error = "failed", None
    try:
        try:
            result = _execute(services, contract, handler, job, record)
        except InputRejected as rejected:
            assert contract.rejection is not None
            result = Thrown(contract.rejection.code, str(rejected))
            _audit_rejection(services, contract, job, result)
        if isinstance(result, Thrown):
            outcome, record.error_code = "bpmn_error", result.code
        else:
            outcome = "completed"
        return with_task_rejection(contract, result, services.clock())
    except BaseException as failure:
        error = failure
        raise
    finally:
        log_job(job, outcome, record, time.perf_counter() - started, error)


TASK_REJECTION = "taskRejection"


def with_task_rejection(
    contract: JobContract, result: dict[str, Any] | Thrown, now: datetime
) -> dict[str, Any] | Thrown:
    """A BPMN error that sends the task back carries the reason for the task page; a completion
    of a job that could have sent it back clears an earlier reason, so no later task shows it."""
    if isinstance(result, Thrown):
        if not contract.returns_to_person(result.code):
            return result
        reason = {"reason": result.message, "step": short_label(contract), "at": now.astimezone(CST).isoformat()}
        return Thrown(result.code, result.message, {**result.variables, TASK_REJECTION: reason})
    if contract.rejection is None and not contract.returns:
        return result
    return {**result, TASK_REJECTION: None}


def _execute(
    services: Services, contract: JobContract, handler: Handler, job: Job, record: JobLog
) -> dict[str, Any] | Thrown:
    data = validate_input(contract, dict(job.variables))
    for attempt in range(1, RACE_ATTEMPTS + 1):
        record.attempts = attempt
        ctx: JobContext | None = None
        try:
            with Session(services.db, expire_on_commit=False) as session, session.begin():
                earlier = replayed(session, job)
                if earlier is not None:
                    record.replayed = True
                    record.case_of(session, earlier.case_id)
                    return _result_of(earlier)
                ctx = JobContext(job=job, session=session, services=services, now=services.clock())
                outcome = handler(ctx, data)
                record.case_of(session, ctx.case_id, ctx.case_number)
                details: dict[str, Any] = {"jobKey": job.key, "taskName": short_label(contract), **ctx.details}
                result: dict[str, Any] | Thrown
                if isinstance(outcome, Thrown):
                    declared = {e.code for e in contract.errors}
                    if outcome.code not in declared:
                        raise RuntimeError(f"{job.type} may throw only {sorted(declared)}, not {outcome.code}")
                    details["error"] = {
                        "code": outcome.code,
                        "message": outcome.message,
                        "variables": outcome.variables,
                    }
                    result = outcome
                else:
                    if not isinstance(outcome, contract.output):
                        raise TypeError(f"{job.type} handler returned {type(outcome).__name__}")
                    result = china_time(outcome).to_variables()
                    details["output"] = result
                session.add(
                    AuditEntry(
                        at=ctx.now,
                        actor=actor(job.type),
                        action=job.type,
                        case_id=ctx.case_id,
                        process_instance_key=job.process_instance_key,
                        element_id=job.element_id,
                        details=details,
                    )
                )
            for action in ctx.committed:
                action()
            return result
        except IntegrityError:
            if attempt == RACE_ATTEMPTS:
                _failed_in(ctx, record)
                raise
            log.debug("%s job %s lost a race on a unique key (attempt %d); trying again", job.type, job.key, attempt)
            time.sleep(random.uniform(0, 0.02 * attempt))
        except Exception:
            _failed_in(ctx, record)
            raise
    raise AssertionError("unreachable")


def _audit_rejection(services: Services, contract: JobContract, job: Job, thrown: Thrown) -> None:
    """The case history shows an input the rules refused, as it shows the handlers' BPMN errors."""
    given = job.variables.get("caseId")
    with Session(services.db) as session, session.begin():
        case_id = given if isinstance(given, int) and session.get(Case, given) is not None else None
        session.add(
            AuditEntry(
                at=services.clock(),
                actor=actor(job.type),
                action=job.type,
                case_id=case_id,
                process_instance_key=job.process_instance_key,
                element_id=job.element_id,
                details={
                    "jobKey": job.key,
                    "taskName": short_label(contract),
                    "error": {"code": thrown.code, "message": thrown.message},
                },
            )
        )


def _failed_in(ctx: JobContext | None, record: JobLog) -> None:
    """A handler that failed after finding its case: the log line still names the case."""
    if ctx is not None and record.case_id is None:
        record.case_id, record.case_number = ctx.case_id, ctx.case_number


async def run_job(contract: JobContract, handler: Handler, job: Job) -> dict[str, Any]:
    started = time.perf_counter()
    outcome = "failed"
    try:
        result = await asyncio.to_thread(execute, services_for(job), contract, handler, job)
        if isinstance(result, Thrown):
            outcome = "bpmn_error"
            raise BpmnErrorRaised(result.code, result.message, result.variables)
        outcome = "completed"
        return result
    finally:
        metrics.workers.job_handled(job.type, outcome, time.perf_counter() - started)


def backoff_ms(settings: WorkerSettings, retries_left: int) -> int:
    """Grows 4× per failed attempt (processes give jobs 3 retries: 2 s, 8 s, ...), capped."""
    failed_before = max(0, 3 - retries_left)
    return min(settings.retry_backoff_max_ms, settings.retry_backoff_ms * 4**failed_before)


async def on_exception(error: Exception, job: Job, controller: JobController) -> None:
    """BPMN errors are thrown with their variables; anything else fails the job with a back-off."""
    if isinstance(error, BusinessError):
        variables = error.variables if isinstance(error, BpmnErrorRaised) else {}
        await controller.set_error_status(str(error), error_code=error.error_code, variables=variables)
        return
    message = f"{type(error).__name__}: {error}"
    if not isinstance(error, JobInputError | CaseRecordError):
        log.warning("%s job %s failed: %s", job.type, job.key, message, exc_info=error)
    try:
        wait = backoff_ms(services_for(job).settings, job.retries)
    except RuntimeError:
        wait = 0
    await controller.set_failure_status(message[:2000], retry_back_off_ms=wait)


def job_type(router: ZeebeTaskRouter, name: str, *, timeout_ms: int | None = None) -> Callable[[Handler], Handler]:
    """Register ``handler`` for job type ``name`` (its contract gives the variables to fetch)."""
    contract = contract_for(name)

    def register(handler: Handler) -> Handler:
        async def task(job: Job, **_fetched: Any) -> dict[str, Any]:
            return await run_job(contract, handler, job)

        task.__name__ = task.__qualname__ = handler.__name__
        HANDLERS[name] = (contract, handler)
        router.task(
            task_type=name,
            variables_to_fetch=fetch_names(contract.input),
            timeout_ms=timeout_ms or 60_000,
            exception_handler=on_exception,
        )(task)  # type: ignore[arg-type]  # pyzeebe's overloads want a ParamSpec it cannot infer here
        return handler

    return register
