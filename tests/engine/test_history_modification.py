"""The element-instance history (written in the command's own transaction) and process instance
modification: an operator moves a stuck token back to an earlier user task."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiuzhu.engine.clock import Clock
from jiuzhu.engine.errors import EngineError
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.runtime.modification import Activation, Modification
from jiuzhu.engine.store.repository import Store, open_database
from tests.engine.bpmn_builder import Process

pytestmark = pytest.mark.engine


def approval() -> bytes:
    return (
        Process("approval", name="审批")
        .start()
        .user_task("approve", name="分管领导审批")
        .service("pay", "approval.pay", retries="1")
        .xor("paid", default="done")
        .end()
        .chain("start", "approve", "pay", "paid")
        .flow("paid", "end", id="done")
        .xml()
    )


def new_engine(path: Path) -> Engine:
    return Engine(Store(open_database(f"sqlite:///{path / 'engine.db'}")), Clock())


def path_of(engine: Engine, instance_key: int) -> list[tuple[str, str, str]]:
    table = engine.store.element_table()
    rows = engine.store.element_instances(table.c.instance_key == instance_key)
    return [(r.element_id, r.element_type, r.state) for r in rows]


def approve(engine: Engine, amount: int | None) -> None:
    [task] = [t for t in engine.user_tasks.values() if t.element_id == "approve"]
    engine.complete_user_task(task.key, {} if amount is None else {"amount": amount})


def fail_pay(engine: Engine) -> None:
    [job] = engine.activate_jobs("approval.pay", "w", 60_000, 1, [], -1)
    engine.fail_job(job.job.key, 0, "金额为空", 0, {})


def test_a_finished_instance_keeps_its_whole_path_in_order_with_times(tmp_path: Path) -> None:
    engine = new_engine(tmp_path)
    engine.deploy([("approval.bpmn", approval())])
    instance = engine.create_instance("approval", {})
    assert path_of(engine, instance.key) == [
        ("approval", "PROCESS", "ACTIVE"),
        ("start", "START_EVENT", "COMPLETED"),
        ("approve", "USER_TASK", "ACTIVE"),
    ]
    approve(engine, 500)
    [job] = engine.activate_jobs("approval.pay", "w", 60_000, 1, [], -1)
    engine.complete_job(job.job.key, {})
    assert path_of(engine, instance.key) == [
        ("approval", "PROCESS", "COMPLETED"),
        ("start", "START_EVENT", "COMPLETED"),
        ("approve", "USER_TASK", "COMPLETED"),
        ("pay", "SERVICE_TASK", "COMPLETED"),
        ("paid", "EXCLUSIVE_GATEWAY", "COMPLETED"),
        ("end", "END_EVENT", "COMPLETED"),
    ]
    rows = engine.store.element_instances(engine.store.element_table().c.instance_key == instance.key)
    assert all(r.end_ms is not None and r.end_ms >= r.start_ms for r in rows)
    # the job and the element instance are one key, as in Zeebe
    assert job.job.element_instance_key in {r.key for r in rows if r.element_id == "pay"}


def test_a_cancelled_instance_keeps_its_path_and_its_open_elements_end_terminated(tmp_path: Path) -> None:
    engine = new_engine(tmp_path)
    engine.deploy([("approval.bpmn", approval())])
    instance = engine.create_instance("approval", {})
    engine.cancel_instance(instance.key)
    assert path_of(engine, instance.key) == [
        ("approval", "PROCESS", "TERMINATED"),
        ("start", "START_EVENT", "COMPLETED"),
        ("approve", "USER_TASK", "TERMINATED"),
    ]
    assert engine.history.live.get(instance.key) is None


def test_moving_the_token_back_to_the_leaders_approval_repairs_a_failed_payment(tmp_path: Path) -> None:
    engine = new_engine(tmp_path)
    engine.deploy([("approval.bpmn", approval())])
    instance = engine.create_instance("approval", {})
    approve(engine, None)
    fail_pay(engine)
    [incident] = engine.open_incidents()
    assert incident.element_id == "pay"

    move = Modification(terminate_ids=["pay"], activate=[Activation("approve", variables=[("", {"note": "退回"})])])
    engine.modify_instance(instance.key, move)

    assert engine.open_incidents() == []
    assert not engine.jobs
    assert engine.variables(instance.key)["note"] == "退回"
    approve(engine, 800)
    [job] = engine.activate_jobs("approval.pay", "w", 60_000, 1, [], -1)
    assert job.variables["amount"] == 800
    engine.complete_job(job.job.key, {})
    assert [(e, s) for e, _, s in path_of(engine, instance.key)] == [
        ("approval", "COMPLETED"),
        ("start", "COMPLETED"),
        ("approve", "COMPLETED"),
        ("pay", "TERMINATED"),
        ("approve", "COMPLETED"),
        ("pay", "COMPLETED"),
        ("paid", "COMPLETED"),
        ("end", "COMPLETED"),
    ]


def test_the_history_and_a_moved_token_survive_a_restart(tmp_path: Path) -> None:
    engine = new_engine(tmp_path)
    engine.deploy([("approval.bpmn", approval())])
    instance = engine.create_instance("approval", {})
    approve(engine, None)
    fail_pay(engine)
    [pay] = [r for r in engine.history.live[instance.key].values() if r.element_id == "pay"]
    engine.modify_instance(instance.key, Modification(terminate_keys=[pay.key], activate=[Activation("approve")]))
    before = path_of(engine, instance.key)
    engine.store.close()

    again = new_engine(tmp_path)
    assert path_of(again, instance.key) == before
    assert {r.element_id for r in again.history.live[instance.key].values()} == {"approval", "approve"}
    approve(again, 300)
    assert [r.element_id for r in again.history.live[instance.key].values()] == ["approval", "pay"]


def test_a_modification_with_an_unknown_element_changes_nothing(tmp_path: Path) -> None:
    engine = new_engine(tmp_path)
    engine.deploy([("approval.bpmn", approval())])
    instance = engine.create_instance("approval", {})
    approve(engine, None)
    before = path_of(engine, instance.key)
    with pytest.raises(EngineError, match="element 'nowhere'"):
        engine.modify_instance(instance.key, Modification(terminate_ids=["pay"], activate=[Activation("nowhere")]))
    assert path_of(engine, instance.key) == before
    assert len(engine.jobs) == 1


def test_terminating_the_last_element_ends_the_instance(tmp_path: Path) -> None:
    engine = new_engine(tmp_path)
    engine.deploy([("approval.bpmn", approval())])
    instance = engine.create_instance("approval", {})
    engine.modify_instance(instance.key, Modification(terminate_ids=["approve"]))
    assert instance.key not in engine.instances
    assert path_of(engine, instance.key)[0] == ("approval", "PROCESS", "TERMINATED")
