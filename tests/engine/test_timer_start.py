"""Timer start events (timer-events.md "Timer start events": timeDate and timeCycle; a new version
replaces the previous version's timers): monthly payment runs and yearly re-check sweeps need them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jiuzhu.engine.clock import Clock
from jiuzhu.engine.errors import EngineError
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.store.repository import Store, open_database
from tests.engine.bpmn_builder import Process

pytestmark = pytest.mark.engine

T0 = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)


def timer_process(process_id: str, kind: str, value: str) -> bytes:
    timer = f"<bpmn:{kind}>{value}</bpmn:{kind}>"
    return (
        Process(process_id)
        .start(timer=timer)
        .service("run", f"{process_id}.run")
        .end()
        .chain("start", "run", "end")
        .xml()
    )


def open_engine(tmp_path: Path, clock: Clock) -> Engine:
    return Engine(Store(open_database(f"sqlite:///{tmp_path / 'engine.db'}")), clock)


def started(engine: Engine, process_id: str) -> int:
    return sum(1 for j in engine.jobs.values() if j.type == f"{process_id}.run")


def test_cycle_starts_an_instance_at_each_interval_and_stops_after_its_repetitions(tmp_path: Path) -> None:
    clock = Clock(controlled=True, start=T0)
    engine = open_engine(tmp_path, clock)
    engine.deploy([("monthly.bpmn", timer_process("monthly", "timeCycle", "R3/PT24H"))])
    engine.tick()
    assert started(engine, "monthly") == 0
    for day in range(1, 6):
        clock.advance(timedelta(days=1))
        engine.tick()
        assert started(engine, "monthly") == min(day, 3)
    assert not engine.timer_starts
    with pytest.raises(EngineError, match="none start event"):
        engine.create_instance("monthly", {})


def test_date_in_the_future_fires_once_and_a_restart_neither_loses_nor_repeats_it(tmp_path: Path) -> None:
    clock = Clock(controlled=True, start=T0)
    engine = open_engine(tmp_path, clock)
    engine.deploy([("sweep.bpmn", timer_process("sweep", "timeDate", "2026-03-05T00:00:00Z"))])
    assert engine.next_wake_ms() == int(datetime(2026, 3, 5, tzinfo=UTC).timestamp() * 1000)
    clock.advance(timedelta(days=10))
    restarted = open_engine(tmp_path, clock)  # the engine was down when the date passed
    restarted.tick()
    restarted.tick()
    assert started(restarted, "sweep") == 1
    again = open_engine(tmp_path, clock)
    again.tick()
    assert started(again, "sweep") == 1


def test_a_new_version_replaces_the_timers_of_the_previous_one(tmp_path: Path) -> None:
    clock = Clock(controlled=True, start=T0)
    engine = open_engine(tmp_path, clock)
    engine.deploy([("p.bpmn", timer_process("p", "timeCycle", "R/PT1H"))])
    engine.deploy([("p.bpmn", timer_process("p", "timeCycle", "R/PT2H"))])
    [timer] = engine.timer_starts.values()
    assert timer.interval_ms == 2 * 3600 * 1000
    assert timer.definition_key == engine.latest["p"].definition.key


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("timeDuration", "PT1H", "needs a 'timeDate' or a 'timeCycle'"),
        ("timeCycle", "every month", "repeating interval"),
        ("timeDate", "next monday", "ISO 8601"),
    ],
)
def test_a_timer_start_that_cannot_be_scheduled_is_refused_at_deploy(
    tmp_path: Path, kind: str, value: str, message: str
) -> None:
    engine = open_engine(tmp_path, Clock(controlled=True, start=T0))
    with pytest.raises(EngineError, match=message) as err:
        engine.deploy([("bad.bpmn", timer_process("bad", kind, value))])
    assert err.value.code.name == "INVALID_ARGUMENT"
    assert not engine.timer_starts and "bad" not in engine.latest
