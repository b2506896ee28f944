"""An instance's live state follows what is active, not its history (a loop, a long-lived case)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiuzhu.engine.clock import Clock
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.store.repository import Store, open_database
from tests.engine.bpmn_builder import Process

pytestmark = pytest.mark.engine


def loop_process() -> bytes:
    return (
        Process("loop")
        .start()
        .service("work", "loop.work")
        .boundary_timer("late", "work", "timeDuration", "P30D", interrupting=False)
        .service("remind", "loop.remind")
        .end("reminded")
        .xor("again", default="leave")
        .end()
        .chain("start", "work", "again")
        .chain("late", "remind", "reminded")
        .flow("again", "work", condition="=n &lt; 400")
        .flow("again", "end", id="leave")
        .xml()
    )


def round_trip(engine: Engine, n: int) -> None:
    [job] = engine.activate_jobs("loop.work", "w", 60_000, 1, [], -1)
    engine.complete_job(job.job.key, {"n": n})


def test_a_loop_of_400_rounds_keeps_a_small_state_and_its_whole_history(tmp_path: Path) -> None:
    engine = Engine(Store(open_database(f"sqlite:///{tmp_path / 'engine.db'}")), Clock())
    engine.deploy([("loop.bpmn", loop_process())])
    instance = engine.create_instance("loop", {"n": 0})
    sizes = {}
    for n in range(1, 401):
        round_trip(engine, n)
        if n in (10, 399):
            sizes[n] = len(engine.store.load_instance_state(instance.key) or "")
    assert sizes[399] <= sizes[10] * 1.1, sizes  # before: 1.1 KB more per round
    assert instance.key not in engine.instances or engine.instances[instance.key].state != "ACTIVE"
    assert engine.store.completed_elements(instance.key)  # the history outlives the live state


def test_history_lists_every_round_while_the_instance_runs(tmp_path: Path) -> None:
    engine = Engine(Store(open_database(f"sqlite:///{tmp_path / 'engine.db'}")), Clock())
    engine.deploy([("loop.bpmn", loop_process())])
    instance = engine.create_instance("loop", {"n": 0})
    for n in range(1, 51):
        round_trip(engine, n)
    done = engine.completed_elements(instance.key)
    assert done.count("work") == 50 and done.count("again") == 50 and done[0] == "start"
    restarted = Engine(Store(open_database(f"sqlite:///{tmp_path / 'engine.db'}")), Clock())
    assert restarted.completed_elements(instance.key) == done
    round_trip(restarted, 51)
    assert restarted.completed_elements(instance.key).count("work") == 51
