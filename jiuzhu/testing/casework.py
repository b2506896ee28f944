"""Cases driven through the real processes, for the demo's history and for tests.

``Casework`` runs an in-process engine on a controlled clock with ``workflows/`` deployed and the
real workers (``workers.start_background``, over gRPC, with the engine's own credentials); its engine
state is kept in ``data_dir`` (``engine.db``), so an engine started later on that directory serves
the same instances. ``Casework.run`` drives planned cases (``CasePlan``) from their application to
the state they are meant to reach: it starts each case with the county's application variables at
its date, completes its user tasks with the values their forms send (one step a working day, as
people work), runs the monthly payment runs, and fast-forwards the clock between, so the timers of
the BPMN (publicity, dispute windows, re-checks) fire as they would.

    with Casework(data_dir, case_record_url, start=now - timedelta(days=400)) as cw:
        cw.run(county, [CasePlan(household, "assistance-application", "低保", received_at,
                                 stop_at=frozenset({"Activity_ConductVisit"}))], until=now)
"""

from __future__ import annotations

import json
import time as monotonic
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from jiuzhu.policy import CST, WorkingCalendar
from jiuzhu.resources import workflows_dir
from jiuzhu.testing.engine import InProcessEngine

if TYPE_CHECKING:
    from jiuzhu.demo import DemoCounty, DemoHousehold
    from jiuzhu.engine.records import UserTask
    from jiuzhu.engine.server import EngineServer
    from workers import BackgroundWorkers

WAIT_S = 120.0  # a deadline for the workers' progress on a loaded 2-core machine
STAFF_HOUR = time(10, 0)  # people act on a case at 10:00 of the next working day
PAYMENT_DAY = 10  # the monthly payment run (jiuzhu payments run) on the 10th at 09:00


class CaseworkError(RuntimeError):
    """A case did not go as planned: an incident, a failed job, a user task nobody knows how to fill."""


@dataclass
class CasePlan:
    """One case: which household applies for what, when, and where it is left.

    ``stop_at``: user tasks left open (the case waits there); every other user task is completed.
    ``recheck``: what the caseworker proposes at a re-check in dynamic management (维持/调整/停发).
    ``pace``: how long people take between steps (default: the next working day at 10:00).
    """

    household: DemoHousehold
    process: str
    case_type: str
    received_at: datetime
    stop_at: frozenset[str] = frozenset()
    recheck: str = "维持"
    income_stable: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    pace: timedelta | None = None
    label: str = ""
    instance_key: int | None = None
    case_id: int | None = None
    next_at: datetime | None = None
    completed: list[str] = field(default_factory=list)

    @property
    def town(self) -> str:
        return "taozhou" if self.household.township == "341822100" else "xinhang"


def form_fields(form_id: str, forms: Path | None = None) -> set[str]:
    """Keys (and dynamic-list paths) a Camunda form writes."""
    found: set[str] = set()

    def walk(components: list[dict[str, Any]]) -> None:
        for c in components:
            if "key" in c:
                found.add(c["key"])
            if c.get("type") == "dynamiclist":
                found.add(c["path"])
            else:
                walk(c.get("components", []))

    path = (forms or workflows_dir() / "forms") / f"{form_id}.form"
    walk(json.loads(path.read_text("utf-8"))["components"])
    return found


class Casework:
    """The engine (controlled clock, ``data_dir``), the workflows and the real workers, until exit."""

    def __init__(
        self,
        data_dir: Path,
        case_record_url: str,
        *,
        start: datetime,
        engine_database_url: str | None = None,
        insecure: bool = False,
        worker_settings: dict[str, Any] | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.case_record_url = case_record_url
        self.start_at = start
        self.engine_database_url = engine_database_url
        self.insecure = insecure
        self.worker_settings = worker_settings or {}
        self.calendar = calendar
        self.holder: InProcessEngine | None = None
        self.server: EngineServer | None = None
        self.workers: BackgroundWorkers | None = None
        self._case_db: Any = None

    # --- lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> Casework:
        from jiuzhu.calendar_admin import load_calendar
        from schemas.db import make_engine
        from workers import WorkerSettings, start_background

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.holder = InProcessEngine(
            self.data_dir, clock_start=self.start_at, insecure=self.insecure, database_url=self.engine_database_url
        )
        self.server = self.holder.start()
        try:
            wf = workflows_dir()
            files = sorted([*wf.glob("*.bpmn"), *wf.glob("*.dmn")])
            self.server.engine.deploy([(f.name, f.read_bytes()) for f in files])
            settings = WorkerSettings(database_url=self.case_record_url, data_dir=self.data_dir, **self.worker_settings)
            credentials = None if self.insecure else self.holder.clients.oauth("worker")
            self.workers = start_background(
                self.holder.address, settings, clock=self.server.clock.now, credentials=credentials
            )
            self._case_db = make_engine(self.case_record_url)
            self.calendar = self.calendar or load_calendar(self.data_dir)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self.workers is not None:
            self.workers.stop()
            self.workers = None
        if self.holder is not None:
            self.holder.stop()
            self.holder = self.server = None
        if self._case_db is not None:
            self._case_db.dispose()
            self._case_db = None

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    def engine(self) -> Any:
        assert self.server is not None, "Casework is not running"
        return self.server.engine

    # --- clock and the workers ---------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        assert self.server is not None
        return self.server.clock.now().astimezone(CST)

    def advance_to(self, instant: datetime) -> None:
        """Let the workers finish what is in hand, move the clock, fire what is due, finish that too."""
        assert self.server is not None
        self.quiet()
        if instant > self.now:
            self.server.clock.advance(instant - self.now)
            self.engine.tick()
            self.quiet()

    def failures(self) -> list[str]:
        incidents = [f"{i.element_id}: {i.message}" for i in list(self.engine.incidents.values())]
        jobs = list(self.engine.jobs.values())
        return incidents + [f"{j.type} @ {j.element_id}: {j.error_message}" for j in jobs if j.error_message]

    def quiet(self) -> None:
        """No job of ours is waiting or running: every case waits for a person, a message or a timer."""
        from schemas.contracts import JOB_TYPES

        # A job's completion creates the next job in the same engine command, and ``advance_to`` fires
        # due timers itself (``engine.tick``), so "no job of ours" is a state that stays until we act.
        deadline = monotonic.monotonic() + WAIT_S
        while True:
            failed = self.failures()
            if failed:
                raise CaseworkError(f"at {self.now.isoformat()}: {failed}")
            if not any(j.type in JOB_TYPES for j in list(self.engine.jobs.values())):
                return
            if monotonic.monotonic() > deadline:
                raise CaseworkError(f"the workers did not finish within {WAIT_S:.0f} s: {self.waiting()}")
            monotonic.sleep(0.005)

    def waiting(self) -> list[str]:
        jobs = [j.type for j in list(self.engine.jobs.values())]
        return sorted([*jobs, *(t.element_id for t in list(self.engine.user_tasks.values()))])

    # --- instances and tasks -----------------------------------------------------------------------

    def root(self, instance_key: int) -> int:
        """The case's own instance above a called one (home-visit, written-notice, ...)."""
        instances = self.engine.instances
        key = instance_key
        while (instance := instances.get(key)) is not None and instance.parent_key:
            key = instance.parent_key
        return key

    def open_tasks(self) -> dict[int, list[UserTask]]:
        """Open user tasks by the root instance they belong to, oldest first."""
        found: dict[int, list[UserTask]] = {}
        for task in sorted(list(self.engine.user_tasks.values()), key=lambda t: t.key):
            found.setdefault(self.root(task.instance_key), []).append(task)
        return found

    def complete(self, task: UserTask, values: dict[str, Any]) -> None:
        """Complete a user task as the task list does: only with fields its form has."""
        form_id = (task.form_key or "").removeprefix("camunda-forms:bpmn:")
        if form_id:
            unknown = set(values) - form_fields(form_id)
            if unknown:
                raise CaseworkError(f"{task.element_id} (form {form_id}) has no fields {sorted(unknown)}")
        self.engine.complete_user_task(task.key, values)

    def case_id(self, instance_key: int) -> int:
        from schemas.tables import Case

        with Session(self._case_db) as session:
            case = session.exec(select(Case).where(Case.process_instance_key == instance_key)).first()
        if case is None or case.id is None:
            raise CaseworkError(f"instance {instance_key} has no case in the case record: {self.waiting()}")
        return case.id

    # --- driving planned cases ---------------------------------------------------------------------

    def next_step(self, after: datetime, plan: CasePlan) -> datetime:
        """When people next act on the case: after ``plan.pace``, else the next working day at 10:00."""
        if plan.pace is not None:
            return after + plan.pace
        assert self.calendar is not None
        day = self.calendar.add_working_days(after.astimezone(CST).date(), 1).value
        return datetime.combine(day, STAFF_HOUR, tzinfo=CST)

    def _first_run(self) -> datetime:
        """The first monthly payment run after ``start``."""
        local = self.start_at.astimezone(CST)
        run = datetime.combine(local.date().replace(day=PAYMENT_DAY), time(9), tzinfo=CST)
        return run if run > local else _next_month(run)

    def run(
        self,
        county: DemoCounty,
        plans: Sequence[CasePlan],
        until: datetime,
        *,
        payments_actor: str = "casework:payments",
    ) -> list[CasePlan]:
        """Drive every plan from its application (``received_at``) to ``until``; each plan learns its
        instance key and case id. The clock ends at ``until``; ``payments_actor`` signs the payment runs."""
        from jiuzhu.payments.ledger import run_month

        forms = Forms(county, self)
        waiting = sorted(plans, key=lambda p: p.received_at)
        live: dict[int, CasePlan] = {}
        until = until.astimezone(CST)
        run_at = self._first_run()
        while True:
            self.quiet()
            now = self.now
            while waiting and waiting[0].received_at <= now:
                starting = waiting.pop(0)
                variables = county.application(starting.household.key, starting.case_type, now, **starting.extra)
                starting.instance_key = int(self.engine.create_instance(starting.process, variables).key)
                self.quiet()
                starting.case_id = self.case_id(starting.instance_key)
                live[starting.instance_key] = starting
            if run_at <= now:
                run_month(self._case_db, run_at.date().replace(day=1), now, actor=payments_actor)
                run_at = _next_month(run_at)
                continue
            acted = False
            for root, tasks in self.open_tasks().items():
                plan = live.get(root)
                if plan is None:
                    continue
                todo = [t for t in tasks if t.element_id not in plan.stop_at]  # oldest first
                if not todo:
                    plan.next_at = None
                elif plan.next_at is None:
                    plan.next_at = self.next_step(now, plan)
                elif plan.next_at <= now:
                    task = todo[0]
                    self.complete(task, forms.values(plan, task))
                    plan.completed.append(task.element_id)
                    plan.next_at = None
                    acted = True
            if acted:
                continue
            candidates = [p.next_at for p in live.values() if p.next_at is not None]
            if waiting:
                candidates.append(waiting[0].received_at)
            candidates.append(run_at)
            wake = self.engine.next_wake_ms()
            if wake is not None:
                candidates.append(datetime.fromtimestamp(wake / 1000, UTC).astimezone(CST))
            later = [c for c in candidates if now < c <= until]
            if not later:
                if now < until:
                    self.advance_to(until)
                    continue
                break
            self.advance_to(min(later))
        return list(plans)


def _next_month(instant: datetime) -> datetime:
    return instant.replace(year=instant.year + instant.month // 12, month=instant.month % 12 + 1)


# --- what people enter in each form --------------------------------------------------------------

_ABLE = ("eating", "dressing", "bedTransfer", "toileting", "walkingIndoors")


class Forms:
    """The values a caseworker, leader or assistant enters in each user task's form, for a planned case."""

    def __init__(self, county: DemoCounty, casework: Casework) -> None:
        self.county = county
        self.casework = casework
        self.receipts = 0

    def staff(self, login: str) -> int:
        return self.county.staff[login]

    def values(self, plan: CasePlan, task: UserTask) -> dict[str, Any]:
        fill = getattr(self, task.element_id.removeprefix("Activity_"), None)
        if fill is None:
            raise CaseworkError(f"no values for user task {task.element_id} of {plan.household.key} ({plan.label})")
        engine = self.casework.engine
        variables = {**engine.variables(plan.instance_key), **engine.variables(task.instance_key)}
        values: dict[str, Any] = fill(plan, variables)
        return values

    @property
    def now(self) -> str:
        return self.casework.now.isoformat()

    # -- intake
    def AuthoriseCheck(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        return {"authorised": True, "authorisationNote": "申请人及全部家庭成员已签署授权核对书。"}

    def NotifyMissingMaterials(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        return {"materialsSupplied": True, "missingMaterialsNote": "已补齐。"}

    # -- review
    def TownshipFollowUp(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        return {"followUpFindings": "平台未能核对的成员经乡镇调取户籍和社保信息核实，无其他收入。"}

    def ConductVisit(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        from jiuzhu.demo import STAFF_NAMES

        first, second = f"{plan.town}.jingban", f"{plan.town}.jingban2"
        return {
            "visitor1Id": self.staff(first),
            "visitor1Name": STAFF_NAMES[first],
            "visitor2Id": self.staff(second),
            "visitor2Name": STAFF_NAMES[second],
            "visitedAt": self.now,
            "visitFindings": "入户核实家庭人口、住房和收入情况，与申报一致；家中无车辆、无经营活动。",
            "visitConclusion": "符合",
            "familySignatory": plan.household.members[0].name,
        }

    def RecordSelfCare(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = dict.fromkeys(_ABLE, True)
        values.update(bathing=False, walkingIndoors=plan.household.key[-1] in "02468")
        values["selfCareNotes"] = "不能自行洗澡，其余日常生活基本能自理。"
        return values

    def CheckSupporters(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        return {"supporterAble": False, "supporterNotes": "无法定赡养、抚养、扶养义务人，或义务人无履行能力。"}

    def TownshipAssessment(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        from jiuzhu.demo import WorkCapacity

        able = any(m.work_capacity is not WorkCapacity.NONE for m in plan.household.members)
        return {
            "propertyWithinLimits": True,
            "incomeItems": plan.household.income_items(),
            "rigidSpending": [],
            "incomeStable": plan.income_stable,
            "memberAbleToWork": able,
            "assessmentNotes": "收入、财产与核对结果、入户调查情况一致，符合条件。",
        }

    def DemocraticEvaluation(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        return {"evaluationSummary": "村（居）民代表民主评议，一致认为家庭困难情况属实。", "evaluationSupports": True}

    def OnSiteCheck(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        return {"onSiteFindings": "县级实地核查，家庭情况与乡镇审核一致。", "onSiteConfirmed": True}

    def _approval(self, plan: CasePlan, variables: dict[str, Any], approver: str) -> dict[str, Any]:
        from jiuzhu.demo import _yuan

        income, standard = variables.get("perCapitaIncome"), variables.get("standard")
        reasons = "财产状况符合规定；入户调查情况属实。"
        if income is not None and standard is not None:
            reasons = f"家庭月人均收入 {_yuan(income)}，低于当地低保标准 {_yuan(standard)}；" + reasons
        return {
            "decisionOutcome": "批准",
            "approvedAmount": variables["proposedAmount"],
            "decisionReasons": reasons,
            "approverId": self.staff(approver),
        }

    def LeaderApproval(self, plan: CasePlan, variables: dict[str, Any]) -> dict[str, Any]:
        return self._approval(plan, variables, f"{plan.town}.lingdao")

    def CountyConfirmation(self, plan: CasePlan, variables: dict[str, Any]) -> dict[str, Any]:
        return self._approval(plan, variables, "county.minzheng")

    CountyCaseByCase = CountyConfirmation

    def AnswerObjections(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        return {"objectionOutcome": "异议不成立", "objectionReason": "经核查，异议反映的情况与事实不符。"}

    def DeliverNotice(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        self.receipts += 1
        return {"deliveredAt": self.now, "receiptReference": f"送达回证-{plan.case_id or 0:05d}-{self.receipts}"}

    def SuperviseOverdue(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        return {"supervisionNotes": "已督促乡镇加快办理。"}

    SuperviseRelief = SuperviseOverdue

    # -- dynamic management
    def ProposeOutcome(self, plan: CasePlan, variables: dict[str, Any]) -> dict[str, Any]:
        from jiuzhu.demo import WorkCapacity

        able = any(m.work_capacity is not WorkCapacity.NONE for m in plan.household.members)
        reasons = {
            "停发": "复核入户发现子女已稳定就业并共同生活，家庭月人均收入已高于当地低保标准。",
            "调整": "复核发现家庭收入有所增加，按差额调整救助金额。",
            "维持": "复核家庭人口、收入和财产状况无变化，继续保障。",
        }[plan.recheck]
        values: dict[str, Any] = {
            "recheckOutcome": plan.recheck,
            "recheckReasons": reasons,
            "incomeStable": plan.income_stable,
            "memberAbleToWork": able,
        }
        if plan.recheck == "调整":
            values["newAmount"] = round(float(variables["approvedAmount"]) * 0.8)
        return values

    def HearHousehold(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        return {"householdHeard": True, "hearingNotes": "已听取家庭陈述申辩，户主对复核情况无异议。"}

    def ApproveRecheck(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        return {"approverId": self.staff(f"{plan.town}.lingdao"), "recheckApprovalNotes": "同意。"}

    # -- temporary assistance
    def ApproveRelief(self, plan: CasePlan, variables: dict[str, Any]) -> dict[str, Any]:
        cause = variables.get("emergencyCause")
        return {
            "reliefAmount": 1500 if cause == "火灾" else 1200,
            "reliefReasons": f"{cause or '急难'}，家庭基本生活陷入困境，先行救助。",
            "approverId": self.staff(f"{plan.town}.lingdao"),
        }

    def EmergencyFollowUp(self, plan: CasePlan, _: dict[str, Any]) -> dict[str, Any]:
        return {"followUpNotes": "已补齐事后说明材料，家庭需医疗救助，转介。", "referralTargets": ["医疗救助"]}
