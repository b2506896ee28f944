"""The watcher's rules on what the REST API v2 answers (shapes of /v2/user-tasks/search and
/v2/incidents/search; the live path is in tests/browser/test_notifications_browser.py): a new task
tells its candidate group in its township once, an old one is not announced, an incident tells the
administrators named in the county's routes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from jiuzhu.notify.routes import load_routes
from jiuzhu.notify.task_watch import TaskWatcher
from schemas.tables import Notification
from tests.workers.harness import START, World
from tests.workers.test_rules import accepted


class Answers:
    """What the engine's REST API answers, as the task list's client returns it."""

    def __init__(self, case_id: int) -> None:
        self.case_id = case_id
        self.tasks: list[dict[str, Any]] = []
        self.incidents: list[dict[str, Any]] = []
        self.variable_calls = 0

    def search_all_user_tasks(self, filter: dict[str, Any], limit: int = 1000) -> list[dict[str, Any]]:
        assert filter == {"state": "CREATED"}
        return self.tasks

    def user_task_variables(self, key: int | str) -> dict[str, Any]:
        self.variable_calls += 1
        return {"caseId": self.case_id, "townshipCode": "341822100"}

    def search_incidents(self, filter: dict[str, Any], limit: int = 1000) -> list[dict[str, Any]]:
        return self.incidents

    def process_variable(self, instance_key: int | str, name: str) -> Any:
        return self.case_id if name == "caseId" else None


def task(key: int, created: Any, group: str = "township-caseworker") -> dict[str, Any]:
    return {"userTaskKey": str(key), "name": "入户调查（至少两人）", "candidateGroups": [group],
            "creationDate": created.isoformat()}  # fmt: skip


def rows(world: World, event: str) -> list[Notification]:
    with Session(world.services.db) as session:
        return [r for r in session.exec(select(Notification)) if r.event == event]


def test_a_new_task_tells_its_group_once_and_an_old_one_not_at_all(world: World) -> None:
    raw = json.loads(load_routes(None).source.read_text("utf-8"))
    raw["emailDomain"] = "gd.example"
    (world.data_dir / "notify-routes.json").write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    case = accepted(world)
    answers = Answers(case["caseId"])
    watcher = TaskWatcher(answers, world.services.db, lambda: load_routes(world.data_dir), world.clock, "http://tl")
    answers.tasks = [task(1, START), task(2, START - timedelta(days=3))]
    assert watcher.watch_once() == 1
    assert watcher.watch_once() == 0 and answers.variable_calls == 1  # seen: not asked again
    again = TaskWatcher(answers, world.services.db, lambda: load_routes(world.data_dir), world.clock, "http://tl")
    again.watch_once()  # a restarted watcher: the outbox key keeps it to one message
    found = rows(world, "task.created")
    assert sorted(r.address for r in found) == ["taozhou.jingban2@gd.example", "taozhou.jingban@gd.example"]
    assert all(f"http://tl/cases/{case['caseId']}" in r.body and "入户调查" in r.subject for r in found)


def test_an_incident_tells_the_administrators(world: World) -> None:
    raw = json.loads(load_routes(None).source.read_text("utf-8"))
    raw["administrators"] = ["ops@gd.example"]
    (world.data_dir / "notify-routes.json").write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    case = accepted(world)
    answers = Answers(case["caseId"])
    answers.incidents = [{"incidentKey": "77", "processInstanceKey": "5", "elementId": "Activity_CheckEconomy",
                          "errorMessage": "核对平台无法连接"}]  # fmt: skip
    watcher = TaskWatcher(answers, world.services.db, lambda: load_routes(world.data_dir), world.clock, None)
    assert watcher.watch_incidents() == 1 and watcher.watch_incidents() == 0
    [row] = rows(world, "incident")
    assert row.address == "ops@gd.example" and row.channel == "email" and row.recipient_login is None
    assert case["caseNumber"] in row.subject and "核对平台无法连接" in row.body
