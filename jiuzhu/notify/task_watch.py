"""新待办: a new user task tells its candidate group (in the task's township) — the routes'
``task.created``. Zeebe has no hook the task list could subscribe to, so the watcher asks the REST
API for open tasks every few seconds; the outbox key (task key, channel, person) sends each once,
and tasks created more than ``RECENT`` before now (e.g. before a first start) are not announced.
Incidents (a job out of retries: the case is stuck) tell the routes' ``incident`` recipients."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from jiuzhu.notify.outbox import enqueue
from jiuzhu.notify.routes import Routes
from schemas.enums import StaffRole
from schemas.tables import Case

log = logging.getLogger(__name__)
RECENT = timedelta(hours=24)
GROUP_ROLES = {
    "village-assistant": StaffRole.VILLAGE_ASSISTANT,
    "township-caseworker": StaffRole.CASEWORKER,
    "township-leader": StaffRole.LEADER,
    "county-supervisor": StaffRole.COUNTY_SUPERVISOR,
}


class TaskSource(Protocol):
    def search_all_user_tasks(self, filter: dict[str, Any], limit: int = 1000) -> list[dict[str, Any]]: ...

    def user_task_variables(self, key: int | str) -> dict[str, Any]: ...

    def search_incidents(self, filter: dict[str, Any], limit: int = 1000) -> list[dict[str, Any]]: ...

    def process_variable(self, instance_key: int | str, name: str) -> Any: ...


def _created(task: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(task.get("creationDate")).replace("Z", "+00:00"))
    except ValueError:
        return None


def _case_id(value: Any) -> int:
    try:
        return int(value) if not isinstance(value, bool) else 0
    except (TypeError, ValueError):
        return 0  # no case: nothing to announce


class TaskWatcher:
    def __init__(
        self, source: TaskSource, db: Engine, routes: Callable[[], Routes], clock: Callable[[], datetime],
        link_base: str | None, acting: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> None:  # fmt: skip
        self.source, self.db, self.routes, self.clock, self.link_base = source, db, routes, clock, link_base
        self.acting = acting  # whom the source's calls act for (the engine scopes /v2 by person)
        self.seen: set[str] = set()

    def watch_once(self) -> int:
        """Announce the open tasks not announced yet; returns how many."""
        routes = self.routes()
        if routes.route("task.created") is None:
            return 0
        now = self.clock()
        announced = 0
        for task in self.source.search_all_user_tasks({"state": "CREATED"}):
            key = str(task.get("userTaskKey"))
            created = _created(task)
            if key in self.seen or created is None or now - created > RECENT:
                continue
            roles = [GROUP_ROLES[g] for g in task.get("candidateGroups") or [] if g in GROUP_ROLES]
            variables = self.source.user_task_variables(key) if roles else {}
            with Session(self.db) as session, session.begin():
                case = session.get(Case, _case_id(variables.get("caseId")))
                for role in roles if case is not None else []:
                    enqueue(
                        session, routes, "task.created", case=case, occasion=key, now=now, link_base=self.link_base,
                        facts={"taskName": task.get("name") or task.get("elementId") or "待办任务"}, group=role,
                    )  # fmt: skip
                    announced += 1
            self.seen.add(key)
        return announced

    def watch_incidents(self) -> int:
        """Tell the administrators of each new incident (a job out of retries); returns how many."""
        routes = self.routes()
        if routes.route("incident") is None:
            return 0
        told = 0
        for incident in self.source.search_incidents({}):
            key = f"incident:{incident.get('incidentKey')}"
            if key in self.seen:
                continue
            case_id = _case_id(self.source.process_variable(incident["processInstanceKey"], "caseId"))
            message = str(incident.get("errorMessage") or "")[:500]
            facts = {"message": f"环节 {incident.get('elementId')}：{message}"}
            with Session(self.db) as session, session.begin():
                case = session.get(Case, case_id)
                enqueue(
                    session, routes, "incident", case=case, occasion=str(incident.get("incidentKey")),
                    now=self.clock(), link_base=self.link_base,
                    facts=facts if case is not None else {**facts, "caseNumber": "（未关联案件）"},
                )  # fmt: skip
            self.seen.add(key)
            told += 1
        return told

    def start(self, interval_s: float = 2.0) -> threading.Event:
        """Watch in a daemon thread until the returned event is set."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(interval_s):
                try:
                    with self.acting():
                        self.watch_once()
                        self.watch_incidents()
                except Exception:
                    log.exception("task and incident notifications: this round failed; trying again")

        threading.Thread(target=loop, name="jiuzhu-task-watch", daemon=True).start()
        return stop
