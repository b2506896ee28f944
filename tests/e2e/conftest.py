"""Whole-case runs: the real pyzeebe workers (``workers.build_worker``) over real gRPC against the
in-process engine with a controlled clock, workflows/*.bpmn and *.dmn deployed, the demo county in
the case record (tests/workers' harness), user tasks completed through the engine with the fields
their forms have, messages published through the engine, and the clock advanced instead of waiting.

``Casework`` is the caseworkers' side: it starts cases as the task list's intake does, completes
user tasks, publishes objections and change reports, moves the clock, and reads back the path
(jobs from the audit log, user tasks it completed, called instances and their end states from the
engine's store) and the case record.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from jiuzhu.demo import DemoCounty
from jiuzhu.engine.records import Instance, UserTask
from jiuzhu.engine.server import EngineServer
from schemas.contracts import JOB_TYPES
from schemas.tables import AuditEntry, Case
from tests.engine.conftest import eventually, server  # noqa: F401 - the in-process engine fixture
from tests.workers.conftest import seeded  # noqa: F401 - the demo county, seeded once per session
from tests.workers.harness import CST, World, casework_running
from tests.workflows.conftest import form_fields

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
WAIT_S = 60.0  # a deadline for progress, generous for a loaded 2-core machine


class Casework:
    def __init__(self, engine_server: EngineServer, world: World) -> None:
        self.server = engine_server
        self.engine = engine_server.engine
        self.world = world
        self.county: DemoCounty = world.county
        self.done: list[str] = []  # user tasks completed, in order (element ids)

    # --- clock -------------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.server.clock.now().astimezone(CST)

    async def advance(self, delta: timedelta) -> None:
        """Let the workers finish what is in hand, then move the engine clock and fire what is due."""
        await self.quiet()
        self.server.clock.advance(delta)
        self.engine.tick()
        await self.quiet()

    async def advance_to(self, instant: datetime) -> None:
        assert instant > self.now, f"{instant} is not after {self.now}"
        await self.advance(instant - self.now)

    # --- starting and messages ---------------------------------------------------------------------

    def start(self, process: str, household: str, case_type: str, **extra: Any) -> int:
        """Start variables shaped as the task list's intake sends them (townshipCode, villageId, ...)."""
        variables = self.county.application(household, case_type, self.now, **extra)
        return int(self.engine.create_instance(process, variables).key)

    def publish(self, name: str, case_id: int, variables: dict[str, Any], message_id: str = "") -> None:
        self.engine.publish_message(name, str(case_id), 0, message_id, variables)

    # --- what is waiting ---------------------------------------------------------------------------

    def waiting(self) -> list[str]:
        jobs = [j.type for j in list(self.engine.jobs.values())]
        return sorted([*jobs, *(t.element_id for t in list(self.engine.user_tasks.values()))])

    def _no_failures(self) -> None:
        """A failed job attempt or an incident fails the test at once, with the worker's message."""
        incidents = [f"{i.element_id}: {i.message}" for i in list(self.engine.incidents.values())]
        assert not incidents, incidents
        jobs = list(self.engine.jobs.values())
        failed = [f"{j.type} @ {j.element_id}: {j.error_message}" for j in jobs if j.error_message]
        assert not failed, failed

    async def quiet(self) -> None:
        """No job of ours is waiting or running: the case waits for a person, a message or a timer."""

        def idle() -> bool:
            self._no_failures()
            return not [j for j in list(self.engine.jobs.values()) if j.type in JOB_TYPES]

        for _ in range(3):  # idle, and still idle a moment later
            await eventually(idle, timeout=WAIT_S, what=f"the workers to finish; waiting: {self.waiting()}")
            await asyncio.sleep(0.03)

    def open_tasks(self, element_id: str) -> list[UserTask]:
        return [t for t in list(self.engine.user_tasks.values()) if t.element_id == element_id]

    async def task(self, element_id: str) -> UserTask:
        def found() -> UserTask | None:
            self._no_failures()
            tasks = self.open_tasks(element_id)
            return tasks[0] if tasks else None

        return await eventually(found, timeout=WAIT_S, what=f"user task {element_id}; waiting: {self.waiting()}")

    async def complete(self, element_id: str, **values: Any) -> UserTask:
        """Complete the user task as the task list does: only with fields its form has."""
        task = await self.task(element_id)
        form_id = (task.form_key or "").removeprefix("camunda-forms:bpmn:")
        unknown = set(values) - form_fields(form_id)
        assert not unknown, f"{element_id} (form {form_id}) has no fields {sorted(unknown)}"
        self.engine.complete_user_task(task.key, values)
        self.done.append(element_id)
        return task

    async def ended(self, instance_key: int) -> str:
        """Wait until the instance has ended; its end state as the engine stored it."""

        def stored_end() -> str | None:
            self._no_failures()
            if instance_key in self.engine.instances:
                return None
            state = self.instance(instance_key).state  # committed just after it leaves memory
            return None if state == "ACTIVE" else state

        return await eventually(stored_end, timeout=WAIT_S, what=f"the end of {instance_key}; {self.waiting()}")

    # --- the path ----------------------------------------------------------------------------------

    def instance(self, key: int) -> Instance:
        table = self.engine.store.instance_table()
        [found] = self.engine.store.load(Instance, table.c.key == key)
        return found

    def reached(self, instance_key: int) -> list[str]:
        """Elements of a running instance (embedded sub-processes included) that have completed."""
        return self.engine.completed_elements(instance_key)

    def running_child(self, instance_key: int, process_id: str) -> int:
        """The key of the running instance of `process_id` that `instance_key` called."""
        table = self.engine.store.instance_table()
        children = self.engine.store.load(Instance, table.c.parent_key == instance_key)
        [child] = [c for c in children if c.bpmn_process_id == process_id and c.key in self.engine.instances]
        return child.key

    def called(self, key: int) -> list[tuple[str, str]]:
        """(process id, state) of every instance called from `key`, depth first, in creation order."""
        table = self.engine.store.instance_table()
        children = sorted(self.engine.store.load(Instance, table.c.parent_key == key), key=lambda i: i.key)
        found: list[tuple[str, str]] = []
        for child in children:
            found.append((child.bpmn_process_id, child.state))
            found.extend(self.called(child.key))
        return found

    def jobs(self, case_id: int) -> list[str]:
        """Every job the workers handled for the case, in order: `element id:job type`, `!CODE` when
        the job threw a BPMN error."""
        trail = []
        for entry in self.audit(case_id):
            error = entry.details.get("error")
            trail.append(f"{entry.element_id}:{entry.action}" + (f"!{error['code']}" if error else ""))
        return trail

    def audit(self, case_id: int, action: str | None = None) -> list[AuditEntry]:
        with self.world.session() as session:
            query = select(AuditEntry).where(AuditEntry.case_id == case_id)
            if action is not None:
                query = query.where(AuditEntry.action == action)
            return list(session.exec(query.order_by(col(AuditEntry.id))))

    # --- the case record ---------------------------------------------------------------------------

    def rows(self, model: Any, **where: Any) -> list[Any]:
        with self.world.session() as session:
            query = select(model)
            for name, value in where.items():
                query = query.where(getattr(model, name) == value)
            return list(session.exec(query.order_by(col(model.id))))

    def case_of(self, instance_key: int) -> Case:
        [case] = self.rows(Case, process_instance_key=instance_key)
        return case

    def staff(self, login: str) -> int:
        return self.county.staff[login]

    def variables(self, instance_key: int) -> dict[str, Any]:
        return self.engine.variables(instance_key)

    # --- form-shaped values ------------------------------------------------------------------------

    def visit_form(self, township: str, signatory: str, conclusion: str = "符合", findings: str = "") -> dict[str, Any]:
        return {
            "visitor1Id": self.staff(f"{township}.jingban"),
            "visitor1Name": "经办一",
            "visitor2Id": self.staff(f"{township}.jingban2"),
            "visitor2Name": "经办二",
            "visitedAt": self.now.isoformat(),
            "visitFindings": findings or "家中无劳动力收入以外的来源，住房为自建房，无车辆。",
            "visitConclusion": conclusion,
            "familySignatory": signatory,
        }

    @staticmethod
    def assessment_form(wages: int, **extra: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "propertyWithinLimits": True,
            "incomeItems": [{"kind": "wages", "amount": wages, "periodMonths": 1}],
            "rigidSpending": [],
            "incomeStable": True,
            "memberAbleToWork": False,
            "assessmentNotes": "收入、财产符合条件。",
        }
        values.update(extra)
        return values

    async def deliver(self, receipt: str) -> None:
        await self.complete("Activity_DeliverNotice", deliveredAt=self.now.isoformat(), receiptReference=receipt)


@pytest.fixture
async def cw(
    server: EngineServer,  # noqa: F811 - the fixture imported above
    seeded: tuple[Path, DemoCounty],  # noqa: F811
    tmp_path: Path,
) -> AsyncIterator[Casework]:
    async with casework_running(server, seeded, tmp_path) as world:
        yield Casework(server, world)
