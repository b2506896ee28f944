"""The engine's durable state on SQLite and on a real PostgreSQL: what was acknowledged survives."""

from pathlib import Path

import pytest
from sqlalchemy import text

from jiuzhu.engine.clock import Clock
from jiuzhu.engine.records import InstanceState
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.store.repository import Store, open_database
from tests.engine.bpmn_builder import Process, message_ref

pytestmark = pytest.mark.engine

PROCESS = (
    Process("case")
    .start()
    .service("check", "verification.check")
    .boundary_timer("late", "check", "timeDuration", "P10D")
    .service("escalate", "sla.escalate")
    .user_task("approve", assignee="leader")
    .end()
    .end("e2")
    .chain("start", "check", "approve", "end")
    .flow("late", "escalate")
    .flow("escalate", "e2")
    .xml()
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'engine.db'}"
    url: str = request.getfixturevalue("postgres_url")
    db = open_database(url)
    with db.begin() as conn:  # each test starts from an empty engine
        for table in (
            "engine_process_definitions",
            "engine_process_instances",
            "engine_jobs",
            "engine_incidents",
            "engine_user_tasks",
            "engine_messages",
            "engine_meta",
        ):
            conn.execute(text(f"DELETE FROM {table}"))
    return url


def test_state_survives_a_restart(database: str) -> None:
    clock = Clock(controlled=True)
    first = Engine(Store(open_database(database)), clock)
    first.deploy([("case.bpmn", PROCESS)])
    instance = first.create_instance("case", {"household": "H-1", "members": 3})
    [activated] = first.activate_jobs("verification.check", "w", 60_000, 1, [], -1)
    first.publish_message("objection", "H-1", 60_000, "m-1", {"text": "异议"})

    # A new engine on the same database sees exactly what the first acknowledged.
    second = Engine(Store(open_database(database)), clock)
    assert list(second.instances) == [instance.key]
    assert second.variables(instance.key) == {"household": "H-1", "members": 3}
    job = second.jobs[activated.job.key]
    assert (job.state, job.worker) == ("ACTIVATED", "w")
    assert [m.name for m in second.messages.values()] == ["objection"]
    assert second.instances[instance.key].next_due_ms == first.instances[instance.key].next_due_ms

    second.complete_job(job.key, {"result": "符合"})
    [task] = second.user_tasks.values()
    second.complete_user_task(task.key, {"approved": True})
    assert instance.key not in second.instances

    third = Engine(Store(open_database(database)), clock)
    assert third.instances == {} and third.jobs == {} and third.user_tasks == {}
    keys_before = max(third.incidents.keys() | {second._next_key})
    assert third.new_key() >= keys_before  # keys are never reused after a restart


def test_timers_resume_after_restart(database: str) -> None:
    clock = Clock(controlled=True)
    first = Engine(Store(open_database(database)), clock)
    first.deploy([("case.bpmn", PROCESS)])
    instance = first.create_instance("case", {})
    from datetime import timedelta

    clock.advance(timedelta(days=11))
    second = Engine(Store(open_database(database)), clock)
    assert second.tick() == 1
    assert sorted(j.type for j in second.jobs.values()) == ["sla.escalate"]
    assert second.instances[instance.key].state == InstanceState.ACTIVE


def test_multi_instance_progress_buffers_and_subscriptions_survive_a_restart(database: str) -> None:
    clock = Clock(controlled=True)
    process = (
        Process("mi")
        .message("m", "documents-arrived", "=caseId")
        .start()
        .multi(
            "check",
            "verification.check-member",
            "=members",
            element="member",
            output_collection="findings",
            output_element="=finding",
        )
        .catch("docs", message_ref("m"), outputs={"docs": "=files"})
        .service("after", "eligibility.assess")
        .end()
        .chain("start", "check", "docs", "after", "end")
        .xml()
    )
    first = Engine(Store(open_database(database)), clock)
    first.deploy([("mi.bpmn", process)])
    case = first.create_instance("mi", {"members": ["甲", "乙", "丙"], "caseId": "R-1"})
    activated = first.activate_jobs("verification.check-member", "w", 60_000, 10, [], -1)
    by_member = {a.variables["member"]: a for a in activated}
    first.complete_job(by_member["乙"].job.key, {"finding": "乙:符合"})
    first.publish_message("documents-arrived", "R-1", 3_600_000, "", {"files": ["户口簿"]})  # buffered

    second = Engine(Store(open_database(database)), clock)  # restart: the instance is mid-way
    for member in ("丙", "甲"):
        second.complete_job(by_member[member].job.key, {"finding": f"{member}:符合"})
    # The multi-instance resumed where it was, then the buffered message was taken at once.
    assert [j.type for j in second.jobs.values() if j.instance_key == case.key] == ["eligibility.assess"]
    variables = second.variables(case.key)
    assert variables["findings"] == ["甲:符合", "乙:符合", "丙:符合"]
    assert variables["docs"] == ["户口簿"]

    waiting = second.create_instance("mi", {"members": [], "caseId": "R-2"})
    assert [s.correlation_key for s in second.subscriptions.values()] == ["R-2"]
    third = Engine(Store(open_database(database)), clock)  # restart with a subscription open
    third.publish_message("documents-arrived", "R-2", 0, "", {"files": []})
    assert [j.type for j in third.jobs.values() if j.instance_key == waiting.key] == ["eligibility.assess"]
