"""The case record follows the engine (issue 13): a process instance cancelled in the engine (here
by the engine's cancel command, which gRPC CancelProcessInstance and zbctl call; the live path, over
gRPC on `jiuzhu up --demo`, is in tests/e2e/test_demo_instances.py) closes its case as 已终止办理
with a reason the case page shows. The sweep reads instance states over REST v2 as the task list's
client does."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from jiuzhu.tasklist import V2Client
from jiuzhu.tasklist.reconcile import ACTION, CaseReconciler
from schemas.enums import CaseStatus
from schemas.tables import AuditEntry, Case
from tests.tasklist.helpers import sign_in
from tests.tasklist.world import NOW, World


def case(world: World, name: str) -> Case:
    with Session(world.db) as session:
        found = session.get(Case, world.ids[f"case_{name}"])
        assert found is not None
        return found


def reconciler(world: World, api: TestClient, batch: int = 100) -> CaseReconciler:
    return CaseReconciler(V2Client("http://engine", http=api), world.db, lambda: NOW, batch=batch)


def test_a_cancelled_instance_closes_its_case_with_a_reason_on_the_case_page(
    world: World, api: TestClient, tasklist: TestClient
) -> None:
    world.engine.cancel_instance(world.instances["a"])
    sweep = reconciler(world, api)
    assert sweep.reconcile_once() == 1

    closed, running = case(world, "a"), case(world, "b")
    assert closed.status is CaseStatus.CANCELLED and closed.closed_at is not None
    assert running.status is CaseStatus.VISITING and running.closed_at is None  # its instance still runs
    with Session(world.db) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == ACTION)).all()
    assert [(e.case_id, e.details["statusFrom"], e.details["statusTo"]) for e in entries] == [
        (closed.id, "入户调查", "已终止办理")
    ]
    assert sweep.reconcile_once() == 0  # once: a closed case is not looked at again

    sign_in(tasklist, "zhang")
    page = tasklist.get(f"/cases/{closed.id}").text
    head = page.split('class="page-head"')[1].split("</div>")[0]
    assert "已终止办理" in head
    timeline = page.split('id="timeline"')[1].split("</section>")[0]
    assert f"终止办理：流程实例 {world.instances['a']} 已于" in timeline and "在流程引擎中被取消" in timeline


def test_a_case_closed_meanwhile_and_a_missing_instance_stay_as_they_are(world: World, api: TestClient) -> None:
    world.engine.cancel_instance(world.instances["a"])
    with Session(world.db) as session:
        a = session.get(Case, world.ids["case_a"])
        b = session.get(Case, world.ids["case_b"])
        assert a is not None and b is not None
        a.status, a.closed_at = CaseStatus.WITHDRAWN, NOW  # a worker closed it first
        b.process_instance_key = 2251799813999999  # no such instance: not the engine's word it was cancelled
        session.add_all([a, b])
        session.commit()
    assert reconciler(world, api).reconcile_once() == 0
    assert case(world, "a").status is CaseStatus.WITHDRAWN
    assert case(world, "b").status is CaseStatus.VISITING


def test_the_sweep_goes_through_the_open_cases_a_batch_at_a_time(world: World, api: TestClient) -> None:
    world.engine.cancel_instance(world.instances["a"])
    world.engine.cancel_instance(world.instances["b"])
    sweep = reconciler(world, api, batch=1)
    assert [sweep.reconcile_once(), sweep.reconcile_once()] == [1, 1]
    assert case(world, "a").status is case(world, "b").status is CaseStatus.CANCELLED
