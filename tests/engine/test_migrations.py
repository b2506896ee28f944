"""Durable state across releases: a data directory written by the first release (state format 1, tables
without a schema version) opens in this one, its instances go on, and what a newer release wrote is
refused before anything reads it.

`fixtures/engine-release-1.sql` is the SQLite dump of an engine database written by the first release
(commit 4a824c7): process `recheck` (job `verification.check` → user task `approve`), two instances
waiting at the job (one job activated by worker `w`), a buffered message `objection`.
"""

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from jiuzhu.engine.bpmn import state
from jiuzhu.engine.clock import Clock
from jiuzhu.engine.records import JobState
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.store import migrations
from jiuzhu.engine.store.repository import Store, open_database

pytestmark = pytest.mark.engine

FIXTURE = Path(__file__).parent / "fixtures" / "engine-release-1.sql"
WRITTEN_AT = datetime(2026, 11, 2, 9, tzinfo=UTC)


def release_1_database(tmp_path: Path) -> str:
    path = tmp_path / "engine.db"
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    conn.close()
    return f"sqlite:///{path}"


def stored_states(url: str) -> dict[int, dict[str, object]]:
    with open_database(url).connect() as conn:
        rows = conn.execute(text("SELECT key, state_json FROM engine_process_instances")).all()
    return {key: json.loads(body) for key, body in rows if body}


def schema_version(url: str) -> int:
    with open_database(url).connect() as conn:
        return int(conn.execute(text("SELECT value FROM engine_meta WHERE name = 'schema_version'")).scalar_one())


def test_the_first_release_data_opens_and_its_instances_go_on(tmp_path: Path) -> None:
    url = release_1_database(tmp_path)
    before = stored_states(url)
    assert {s["format"] for s in before.values()} == {1}  # really the old format

    engine = Engine(Store(open_database(url)), Clock(controlled=True, start=WRITTEN_AT))
    assert schema_version(url) == migrations.SCHEMA_VERSION
    assert sorted(engine.variables(k)["household"] for k in engine.instances) == ["H-7", "H-8"]
    activated = [j for j in engine.jobs.values() if j.state == JobState.ACTIVATED]
    assert [(j.worker, engine.variables(j.instance_key)["household"]) for j in activated] == [("w", "H-7")]
    assert [m.name for m in engine.messages.values()] == ["objection"]

    # the activated job completes, the user task appears and completes: the instance ends
    engine.complete_job(activated[0].key, {"eligible": True})
    [task] = engine.user_tasks.values()
    assert task.assignee == "leader"
    engine.complete_user_task(task.key, {"approved": True})
    assert activated[0].instance_key not in engine.instances

    # the other one is taken by a worker of this release; its state is rewritten in the new format
    [job] = engine.activate_jobs("verification.check", "new", 60_000, 5, [], -1)
    assert job.variables == {"household": "H-8", "members": 4}
    engine.complete_job(job.job.key, {"eligible": False})
    rewritten = stored_states(url)[job.job.instance_key]
    assert (rewritten["format"], rewritten["spiff"]) == (state.FORMAT_VERSION, state.SPIFF_SERIALIZER_VERSION)

    # and a restart reads the rewritten state
    again = Engine(Store(open_database(url)), Clock(controlled=True, start=WRITTEN_AT))
    assert list(again.instances) == [job.job.instance_key]
    assert again.variables(job.job.instance_key) == {"household": "H-8", "members": 4, "eligible": False}


def test_a_database_of_a_newer_release_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'engine.db'}"
    open_database(url).dispose()
    assert schema_version(url) == migrations.SCHEMA_VERSION  # a fresh database starts current
    with open_database(url).begin() as conn:
        conn.execute(text("UPDATE engine_meta SET value = :v WHERE name = 'schema_version'"), {"v": 99})
    with pytest.raises(migrations.SchemaTooNew, match="schema version 99"):
        open_database(url)


def test_state_formats_migrate_step_by_step_and_unknown_ones_are_refused() -> None:
    assert state.migrate({"format": 1, "workflow": {"x": 1}}) == {"format": 2, "spiff": "1.5", "workflow": {"x": 1}}
    current = {"format": state.FORMAT_VERSION, "spiff": "1.5", "workflow": {}}
    assert state.migrate(current) == current
    with pytest.raises(state.StateFormatError, match="unknown instance state format 99"):
        state.migrate({"format": 99, "workflow": {}})
