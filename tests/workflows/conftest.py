"""The processes in ``workflows/`` on the embedded engine, driven the way workers and caseworkers do.

``Case`` stands in for the job workers and the task list. Every job it takes is checked against the
job contract in ``schemas.contracts``: the variables the process hands the job must validate as the
contract's input model, the outputs it completes with are built from the contract's output model,
and a BPMN error it throws must be one the contract declares. A user task is completed only with
fields its form (``workflows/forms/<formId>.form``) defines.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jiuzhu.engine.clock import Clock
from jiuzhu.engine.feel import set_clock
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.store.repository import Store, open_database
from jiuzhu.policy import CST
from schemas.contracts import JOB_TYPES

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "workflows"
FORMS = WORKFLOWS / "forms"
START = datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # a Monday

# Variables the processes hand to a job that its contract does not accept yet (see docs/workflows.md,
# "Gaps in the job catalogue"). Each entry is (job type, field, why).
KNOWN_CONTRACT_GAPS: dict[tuple[str, str], str] = {}  # (job type, variable) the BPMN may leave null


def resource_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.bpmn"), *WORKFLOWS.glob("*.dmn")])


def form_fields(form_id: str) -> set[str]:
    """Keys (and dynamic-list paths) a form writes."""
    found: set[str] = set()

    def walk(components: list[dict[str, Any]]) -> None:
        for c in components:
            if "key" in c:
                found.add(c["key"])
            if c.get("type") == "dynamiclist":
                found.add(c["path"])
            else:
                walk(c.get("components", []))

    walk(json.loads((FORMS / f"{form_id}.form").read_text("utf-8"))["components"])
    return found


def id_number(area: str, born: str, seq: str) -> str:
    """A valid 18-character resident ID (GB 11643-1999, ISO 7064 MOD 11-2)."""
    body = area + born + seq
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def household(*, elderly_applicant: bool = False) -> list[dict[str, Any]]:
    applicant_born = "19500312" if elderly_applicant else "19800312"
    members = [
        {"name": "张建国", "idNumber": id_number("341822", applicant_born, "013"), "relationship": "本人"},
        {"name": "李秀英", "idNumber": id_number("341822", "19820907", "024"), "relationship": "配偶"},
        {"name": "张小明", "idNumber": id_number("341822", "20120101", "035"), "relationship": "子女"},
    ]
    return members[:1] if elderly_applicant else members


def application(case_type: str = "低保", **overrides: Any) -> dict[str, Any]:
    """Start variables of an application as the 一窗受理 intake (or a village assistant) records it."""
    variables: dict[str, Any] = {
        "caseType": case_type,
        "channel": "帮办代办",
        "proxyAssistantId": 31,
        "townshipId": 3,
        "villageId": 12,
        "address": "安徽省广德县桃州镇东亭村三组",
        "area": "rural",
        "members": household(elderly_applicant=case_type == "特困"),
        "receivedAt": START.isoformat(),
        "acceptedById": 21,
        "checkAuthorised": True,
        "missingMaterials": [],
    }
    variables.update(overrides)
    return variables


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


class Case:
    """One engine, the workers' and caseworkers' side of it, and the trail of what was done."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.trail: list[str] = []  # job types and user-task element ids, in the order they were done
        self.jobs_done: list[tuple[str, dict[str, Any], dict[str, Any]]] = []  # (type, input, output)
        self._ids = iter(range(100, 100_000))

    # --- clock ------------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.engine.clock.now().astimezone(CST)

    def advance(self, delta: timedelta) -> None:
        self.engine.clock.advance(delta)
        self.engine.tick()

    # --- what is waiting --------------------------------------------------------------------------

    def waiting_jobs(self) -> list[str]:
        return sorted(j.type for j in self.engine.jobs.values())

    def waiting_tasks(self) -> list[str]:
        return sorted(t.element_id for t in self.engine.user_tasks.values())

    def waiting(self) -> list[str]:
        return sorted([*self.waiting_jobs(), *self.waiting_tasks()])

    def active(self, instance_key: int) -> bool:
        return instance_key in self.engine.instances

    def incidents(self) -> list[str]:
        return [f"{i.element_id}: {i.message}" for i in self.engine.incidents.values()]

    # --- starting ---------------------------------------------------------------------------------

    def start(self, process_id: str, variables: dict[str, Any]) -> int:
        return self.engine.create_instance(process_id, variables).key

    # --- jobs -------------------------------------------------------------------------------------

    def _take(self, job_type: str) -> tuple[Any, dict[str, Any]]:
        assert not self.incidents(), self.incidents()
        activated = self.engine.activate_jobs(job_type, "tests", 60_000, 1, [], -1)
        assert activated, f"no {job_type} job waiting; waiting: {self.waiting()}; incidents: {self.incidents()}"
        [job] = activated
        contract = JOB_TYPES[job_type]
        variables = dict(job.variables)
        for (gap_type, name), _why in KNOWN_CONTRACT_GAPS.items():
            if gap_type == job_type and variables.get(name) is None:
                variables[name] = 0  # stands for the missing value; the gap is reported, not hidden
        parsed = contract.input.model_validate(variables)
        return job, parsed.model_dump(mode="json", by_alias=True)

    def complete(self, job_type: str, **outputs: Any) -> dict[str, Any]:
        """Take the one waiting job of this type, check its input, complete it with contract-shaped outputs."""
        job, given = self._take(job_type)
        produce = OUTPUTS[job_type]
        values = produce(self, given)
        values.update(outputs)
        result = JOB_TYPES[job_type].output.model_validate(values).to_variables()
        self.engine.complete_job(job.job.key, result)
        self.trail.append(job_type)
        self.jobs_done.append((job_type, given, result))
        return given

    def throw(self, job_type: str, code: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        job, given = self._take(job_type)
        codes = [e.code for e in JOB_TYPES[job_type].errors]
        assert code in codes, f"{job_type} may throw only {codes}, not {code}"
        self.engine.throw_error(job.job.key, code, "", variables or {})
        self.trail.append(f"{job_type}!{code}")
        self.jobs_done.append((job_type, given, {"error": code}))
        return given

    def last_input(self, job_type: str) -> dict[str, Any]:
        return [given for t, given, _ in self.jobs_done if t == job_type][-1]

    def last_output(self, job_type: str) -> dict[str, Any]:
        return [result for t, _, result in self.jobs_done if t == job_type][-1]

    def inputs(self, job_type: str) -> list[dict[str, Any]]:
        return [given for t, given, _ in self.jobs_done if t == job_type]

    # --- user tasks -------------------------------------------------------------------------------

    def task(self, element_id: str) -> Any:
        found = [t for t in self.engine.user_tasks.values() if t.element_id == element_id]
        assert found, f"no user task {element_id}; waiting: {self.waiting()}; incidents: {self.incidents()}"
        return found[0]

    def do(self, element_id: str, **values: Any) -> Any:
        """Complete the user task as the caseworker would, with fields its form has."""
        assert not self.incidents(), self.incidents()
        record = self.task(element_id)
        form_id = (record.form_key or "").removeprefix("camunda-forms:bpmn:")
        unknown = set(values) - form_fields(form_id)
        assert not unknown, f"{element_id}: form {form_id} has no fields {sorted(unknown)}"
        self.engine.complete_user_task(record.key, values)
        self.trail.append(element_id)
        return record

    # --- messages ---------------------------------------------------------------------------------

    def publish(self, name: str, key: Any, variables: dict[str, Any] | None = None, message_id: str = "") -> None:
        self.engine.publish_message(name, str(key), 0, message_id, variables or {})


# --- contract-shaped outputs of each job type -----------------------------------------------------


def _accept(case: Case, given: dict[str, Any]) -> dict[str, Any]:
    return {
        "caseId": 1001,
        "caseNumber": "JZ-2026-0001",
        "householdId": 501,
        "applicantId": 9001,
        "acceptedAt": case.now.isoformat(),
        "path": given["path"],
        "caseStatus": "已受理",
        "registeredSeparately": False,
    }


def _deadlines(case: Case, given: dict[str, Any]) -> dict[str, Any]:
    emergency = given["caseType"] == "急难型临时救助"
    return {
        "decisionDue": (case.now + timedelta(days=14)).date().isoformat(),
        "warnAt": (case.now + timedelta(days=10)).isoformat(),
        "breachAt": (case.now + timedelta(days=14)).isoformat(),
        "deadlineProvisional": False,
        "reliefDueAt": (case.now + timedelta(hours=24)).isoformat() if emergency else None,
    }


def _check(case: Case, given: dict[str, Any]) -> dict[str, Any]:
    return {
        "checkReportId": next(case._ids),
        "checkOutcome": "符合",
        "perCapitaIncome": 300,
        "findings": [
            {"source": "银行存款", "outcome": "符合", "finding": "存款余额 ¥1,200，未超过限额", "amount": 1200}
        ],
    }


def _assess(case: Case, given: dict[str, Any]) -> dict[str, Any]:
    temporary = given["caseType"].endswith("临时救助")
    return {
        "eligible": True,
        "programme": given["caseType"],
        "perCapitaIncome": 300,
        "standard": 780,
        "reasons": [{"code": "income_below_standard", "message": "家庭月人均收入 ¥300 低于标准 ¥780", "met": True}],
        "proposedAmount": 3000 if temporary else 1440,
        "addOns": [],
        "approvalLevel": "乡镇（街道）审批" if temporary else None,
    }


def _approval(case: Case, given: dict[str, Any]) -> dict[str, Any]:
    approved = given["decisionOutcome"] == "批准"
    return {
        "decisionId": next(case._ids),
        "approved": approved,
        "effectiveMonth": _month_after(case.now.date()).isoformat() if approved else None,
        "rejectionNoticeDue": None if approved else (case.now + timedelta(days=3)).date().isoformat(),
    }


def _publish(case: Case, given: dict[str, Any]) -> dict[str, Any]:
    days = given["days"] or 7
    start = date.fromisoformat(given["startDate"])
    ends = datetime.combine(start + timedelta(days=days), datetime.min.time(), tzinfo=CST)
    return {
        "publicityId": next(case._ids),
        "periodStart": start.isoformat(),
        "periodEnd": (start + timedelta(days=days - 1)).isoformat(),
        "publicityEndsAt": ends.isoformat(),
    }


def _schedule_recheck(case: Case, given: dict[str, Any]) -> dict[str, Any]:
    months = 12 if given["incomeStable"] and not given["memberAbleToWork"] else 6
    start = date.fromisoformat(given["fromDate"])
    due = date(start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1, 1)
    return {"nextRecheckDue": due.isoformat(), "cadenceMonths": months}


def _record_recheck(case: Case, given: dict[str, Any]) -> dict[str, Any]:
    outcome = given["recheckOutcome"]
    month = _month_after(case.now.date())
    taper = date(month.year + (month.month + 4) // 12, (month.month + 4) % 12 + 1, 1) if outcome == "渐退" else None
    return {
        "decisionId": None if outcome == "维持" else next(case._ids),
        "effectiveMonth": None if outcome == "维持" else month.isoformat(),
        "taperUntil": taper.isoformat() if taper else None,
        "recordedAt": case.now.isoformat(),
    }


OUTPUTS: dict[str, Callable[[Case, dict[str, Any]], dict[str, Any]]] = {
    "application.accept": _accept,
    "case.close": lambda c, g: {"caseId": g["caseId"], "caseStatus": g["finalStatus"], "closedAt": c.now.isoformat()},
    "sla.compute-deadlines": _deadlines,
    "sla.escalate": lambda c, g: {"escalatedTo": ["wang.jingban"], "escalatedAt": c.now.isoformat()},
    "verification.check-economic-status": _check,
    "verification.recheck": _check,
    "eligibility.assess": _assess,
    "eligibility.assess-self-care": lambda c, g: {
        "selfCareLevel": "部分丧失生活自理能力",
        "unableActivities": [k for k, able in g["abilities"].items() if not able],
        "selfCareReason": "洗澡不能独立完成",
    },
    "visit.schedule": lambda c, g: {
        "visitId": next(c._ids),
        "scheduledAt": (c.now + timedelta(days=1)).isoformat(),
        "visitDueAt": (c.now + timedelta(days=3)).isoformat(),
        "countyLed": g["registeredSeparately"],
        "candidateGroups": ["county-supervisor"] if g["registeredSeparately"] else ["township-caseworker"],
    },
    "visit.record": lambda c, g: {"visitId": g["visitId"], "visitPassed": g["passed"], "visitedAt": g["visitedAt"]},
    "approval.record": _approval,
    "supervision.select-spot-check": lambda c, g: {
        "spotCheckSelected": False,
        "sampleRate": 0.3,
        "selectedAt": c.now.isoformat(),
    },
    "publicity.publish": _publish,
    "publicity.record-objection": lambda c, g: {"objectionId": next(c._ids), "objectionStatus": "已收到"},
    "publicity.close": lambda c, g: {"openObjections": 0, "upheldObjections": 0, "closedAt": c.now.isoformat()},
    "publicity.resolve-objections": lambda c, g: {
        "resolvedObjections": 1,
        "objectionOutcome": g["objectionOutcome"],
    },
    "notice.issue-rejection": lambda c, g: {
        "noticeId": next(c._ids),
        "noticeNumber": "桃民告〔2026〕7号",
        "issuedAt": c.now.isoformat(),
        "noticeDue": (c.now + timedelta(days=3)).date().isoformat(),
    },
    "notice.issue-decision": lambda c, g: {
        "noticeId": next(c._ids),
        "noticeNumber": "桃民批〔2026〕12号",
        "issuedAt": c.now.isoformat(),
    },
    "notice.record-delivery": lambda c, g: {"noticeId": g["noticeId"], "deliveredAt": g["deliveredAt"]},
    "payment.schedule": lambda c, g: {
        "paymentId": next(c._ids),
        "firstMonth": g["effectiveMonth"],
        "idempotencyKey": f"monthly-{g['caseId']}",
    },
    "payment.pay-monthly": lambda c, g: {
        "paymentId": next(c._ids),
        "paymentStatus": "已发放",
        "paidAt": c.now.isoformat(),
    },
    "payment.pay-emergency": lambda c, g: {
        "paymentId": next(c._ids),
        "paidAt": c.now.isoformat(),
        "withinDeadline": True,
        "paperworkDue": (c.now + timedelta(days=7)).date().isoformat(),
    },
    "referral.create": lambda c, g: {"referralId": next(c._ids), "referralStatus": "已转介"},
    "dynamic.schedule-recheck": _schedule_recheck,
    "dynamic.record-recheck": _record_recheck,
}


# --- what caseworkers enter -----------------------------------------------------------------------


def visit_form(case: Case, conclusion: str = "符合") -> dict[str, Any]:
    return {
        "visitor1Id": 21,
        "visitor1Name": "王经办",
        "visitor2Id": 22,
        "visitor2Name": "赵协理",
        "visitedAt": case.now.isoformat(),
        "visitFindings": "家中无劳动力收入，住房为自建危房，无车辆。",
        "visitConclusion": conclusion,
        "familySignatory": "张建国",
    }


def assessment_form(**extra: Any) -> dict[str, Any]:
    values = {
        "propertyWithinLimits": True,
        "incomeItems": [{"kind": "wages", "amount": 900, "periodMonths": 1}],
        "rigidSpending": [],
        "incomeStable": True,
        "memberAbleToWork": False,
        "assessmentNotes": "收入、财产符合条件。",
    }
    values.update(extra)
    return values


def approve(amount: float = 1440, **extra: Any) -> dict[str, Any]:
    values = {
        "decisionOutcome": "批准",
        "approvedAmount": amount,
        "decisionReasons": "家庭月人均收入低于当地低保标准，财产符合规定。",
        "approverId": 41,
    }
    values.update(extra)
    return values


def reject(reason: str = "家庭成员有稳定务工收入，月人均收入高于当地低保标准。") -> dict[str, Any]:
    return {"decisionOutcome": "不予批准", "decisionReasons": reason, "approverId": 41}


def deliver(case: Case) -> None:
    """The written-notice sub-process: issue (already done by the caller's job), deliver, record."""
    case.do("Activity_DeliverNotice", deliveredAt=case.now.isoformat(), receiptReference="送达回证-2026-031")
    case.complete("notice.record-delivery")


def new_engine(tmp_path: Path) -> Engine:
    engine = Engine(Store(open_database(f"sqlite:///{tmp_path / 'engine.db'}")), Clock(controlled=True, start=START))
    engine.deploy([(p.name, p.read_bytes()) for p in resource_files()])
    return engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = new_engine(tmp_path)
    # FEEL now()/today() must read the engine's (controlled) clock, as in Zeebe. The runtime does
    # not hand its clock to FEEL yet (test_shared.py::test_feel_now_follows_the_engine_clock shows
    # it), so these tests do it here and put the system clock back afterwards.
    set_clock(engine.clock.now)
    try:
        yield engine
    finally:
        set_clock(None)


@pytest.fixture
def case(engine: Engine) -> Case:
    return Case(engine)


__all__ = ["CST", "START", "UTC", "Case"]
