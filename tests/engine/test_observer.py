"""Metrics and other listeners plug into the engine as an observer: told once a command has committed,
never for a command that failed, and unable to fail a command themselves. Two engines in one process
keep their own FEEL clocks."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jiuzhu.engine.clock import Clock
from jiuzhu.engine.errors import EngineError
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.store.repository import Store, open_database
from tests.engine.bpmn_builder import Process, linear_jobs

pytestmark = pytest.mark.engine


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.events: list[tuple[object, ...]] = []
        self.fail = fail

    def _note(self, *event: object) -> None:
        self.events.append(event)
        if self.fail:
            raise RuntimeError("a broken observer")

    def instance_created(self, bpmn_process_id: str) -> None:
        self._note("instance_created", bpmn_process_id)

    def instance_ended(self, bpmn_process_id: str, state: str) -> None:
        self._note("instance_ended", bpmn_process_id, state)

    def job_created(self, job_type: str) -> None:
        self._note("job_created", job_type)

    def job_completed(self, job_type: str, seconds: float) -> None:
        self._note("job_completed", job_type)

    def job_failed(self, job_type: str, retries_left: int) -> None:
        self._note("job_failed", job_type, retries_left)

    def job_error_thrown(self, job_type: str, caught: bool) -> None:
        self._note("job_error_thrown", job_type, caught)

    def job_timed_out(self, job_type: str) -> None:
        self._note("job_timed_out", job_type)

    def incident_raised(self, error_type: str) -> None:
        self._note("incident_raised", error_type)

    def message_published(self, correlated: bool) -> None:
        self._note("message_published", correlated)

    def timers_fired(self, count: int = 1) -> None:
        self._note("timers_fired", count)


def engine(tmp_path: Path, observer: Recorder, clock: Clock | None = None, name: str = "engine.db") -> Engine:
    return Engine(Store(open_database(f"sqlite:///{tmp_path / name}")), clock, observer=observer)


def test_the_observer_hears_committed_events_only(tmp_path: Path) -> None:
    recorder = Recorder()
    eng = engine(tmp_path, recorder)
    eng.deploy([("two.bpmn", linear_jobs("two", ["a.work"]))])
    instance = eng.create_instance("two", {})
    [job] = eng.activate_jobs("a.work", "w", 60_000, 1, [], -1)
    with pytest.raises(EngineError):
        eng.complete_job(job.job.key + 1000, {})  # no such job: nothing happened, nothing is told
    eng.complete_job(job.job.key, {"done": True})
    assert recorder.events == [
        ("instance_created", "two"),
        ("job_created", "a.work"),
        ("job_completed", "a.work"),
        ("instance_ended", "two", "COMPLETED"),
    ]
    assert instance.key not in eng.instances


def test_a_failing_observer_does_not_fail_the_command(tmp_path: Path) -> None:
    recorder = Recorder(fail=True)
    eng = engine(tmp_path, recorder)
    eng.deploy([("two.bpmn", linear_jobs("two", ["a.work"]))])
    instance = eng.create_instance("two", {})
    assert instance.key in eng.instances and [j.type for j in eng.jobs.values()] == ["a.work"]
    assert ("instance_created", "two") in recorder.events


def test_each_engine_evaluates_feel_against_its_own_clock(tmp_path: Path) -> None:
    process = (
        Process("stamp")
        .start()
        .script("stamp", "=string(today())", "today")
        .service("wait", "stamp.wait")
        .end()
        .chain("start", "stamp", "wait", "end")
        .xml()
    )
    first_clock = Clock(controlled=True, start=datetime(2024, 3, 1, 12, tzinfo=UTC))
    second_clock = Clock(controlled=True, start=datetime(2030, 9, 9, 12, tzinfo=UTC))
    first = engine(tmp_path, Recorder(), first_clock, "first.db")
    second = engine(tmp_path, Recorder(), second_clock, "second.db")  # made last: it must not win
    for eng in (first, second):
        eng.deploy([("stamp.bpmn", process)])
    first_clock.advance(timedelta(days=1))
    a = first.create_instance("stamp", {})
    b = second.create_instance("stamp", {})
    assert first.variables(a.key)["today"] == "2024-03-02"
    assert second.variables(b.key)["today"] == "2030-09-09"
