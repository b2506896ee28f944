"""An instance's live state follows what is active, not its history (a loop, a long-lived case)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiuzhu.engine.clock import Clock
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.store.repository import Store, open_database
from tests.engine.bpmn_builder import Process, error_ref

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


def tekun_checks() -> bytes:
    """特困's two checks side by side: the self-care record and assessment (an assessment sent back goes
    round its branch again) and the supporters' check; both meet at a parallel join."""
    return (
        Process("tekun")
        .error("rejected", "INPUT_REJECTED")
        .start()
        .parallel("fork")
        .xor("again")
        .service("record", "selfcare.record")
        .service("assess", "selfcare.assess")
        .boundary("sentBack", "assess", error_ref("rejected"))
        .service("supporters", "supporters.check")
        .parallel("join")
        .service("assessment", "township.assess")
        .end()
        .chain("start", "fork", "again", "record", "assess", "join", "assessment", "end")
        .chain("fork", "supporters", "join")
        .flow("sentBack", "again")
        .xml()
    )


def job_of(engine: Engine, job_type: str) -> int:
    [job] = engine.activate_jobs(job_type, "w", 60_000, 1, [], -1)
    return job.job.key


@pytest.mark.parametrize("restart", [False, True], ids=["running", "restarted"])
def test_a_branch_sent_back_after_the_other_branch_is_done_still_meets_it_at_the_join(
    tmp_path: Path, restart: bool
) -> None:
    """The supporters' check is done (its token waits at the join) when the self-care assessment is sent
    back: the compacted tree must keep the waiting token where the join looks for it."""
    db = f"sqlite:///{tmp_path / 'engine.db'}"
    engine = Engine(Store(open_database(db)), Clock())
    engine.deploy([("tekun.bpmn", tekun_checks())])
    instance = engine.create_instance("tekun", {})
    engine.complete_job(job_of(engine, "supporters.check"), {})  # first done: its token waits at the join
    engine.complete_job(job_of(engine, "selfcare.record"), {})
    engine.throw_error(job_of(engine, "selfcare.assess"), "INPUT_REJECTED", "评估被退回", {})
    if restart:
        engine = Engine(Store(open_database(db)), Clock())
    engine.complete_job(job_of(engine, "selfcare.record"), {})
    engine.complete_job(job_of(engine, "selfcare.assess"), {})
    done = engine.completed_elements(instance.key)
    assert done.count("record") == 2 and done.count("sentBack") == 1 and done.count("join") == 1, done
    engine.complete_job(job_of(engine, "township.assess"), {})  # the join let the case go on
    assert instance.key not in engine.instances or engine.instances[instance.key].state != "ACTIVE"
