"""``jiuzhu.testing.casework``: planned cases driven through the real processes to the state asked for,
on a controlled clock fast-forwarded over weeks, and an engine started afterwards on the same data
directory serving their instances."""

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from jiuzhu.demo import DemoCounty
from jiuzhu.engine.records import Instance
from jiuzhu.testing import CasePlan, Casework, InProcessEngine
from schemas.db import make_engine
from schemas.enums import CaseStatus, PaymentKind
from schemas.tables import AuditEntry, Case, Payment
from tests.workers.harness import START

pytestmark = pytest.mark.workers


def test_cases_reach_their_planned_states_and_their_instances_stay_in_the_data_dir(
    seeded: tuple[Path, DemoCounty], tmp_path: Path
) -> None:
    template, county = seeded
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(template, data_dir / "caserecord.db")
    url = f"sqlite:///{data_dir / 'caserecord.db'}"
    county = DemoCounty(**{**county.__dict__, "database_url": url})
    (data_dir / "provincial-registry.json").write_text(json.dumps(county.registry, ensure_ascii=False), "utf-8")
    begin = START - timedelta(days=70)
    paid = CasePlan(county.household("zhang"), "assistance-application", "低保", begin + timedelta(hours=1))
    visiting = CasePlan(
        county.household("zhao"),
        "assistance-application",
        "低保",
        START - timedelta(days=1),
        stop_at=frozenset({"Activity_ConductVisit"}),
    )
    failed = CasePlan(county.household("wang"), "assistance-application", "低保", begin + timedelta(days=3))

    with Casework(data_dir, url, start=begin, worker_settings={"notice_pdf": False}) as casework:
        casework.run(county, [paid, visiting, failed], until=START)
        assert casework.now == START

    # People did each step on a working day after the last, in the order the processes asked for.
    assert paid.completed == [
        "Activity_ConductVisit",
        "Activity_TownshipAssessment",
        "Activity_LeaderApproval",
        "Activity_DeliverNotice",
    ]
    assert visiting.completed == [] and failed.completed == ["Activity_DeliverNotice"]
    db = make_engine(url)
    with Session(db) as session:
        status = {p.household.key: session.get(Case, p.case_id).status for p in (paid, visiting, failed)}  # type: ignore[union-attr]
        payments = session.exec(select(Payment).where(Payment.case_id == paid.case_id)).all()
        runs = session.exec(select(AuditEntry).where(AuditEntry.action == "payments.run")).all()
    db.dispose()
    assert status == {"zhang": CaseStatus.APPROVED, "zhao": CaseStatus.VISITING, "wang": CaseStatus.REJECTED}
    assert {p.kind for p in payments} == {PaymentKind.MONTHLY} and len(payments) >= 2  # first month, then the run
    assert len(runs) == 2  # the 10th of January and of February
    assert len({p.month for p in payments}) == len(payments)

    # A new engine on the data dir (as `jiuzhu up` starts next) has them: two running, one finished.
    with InProcessEngine(data_dir, clock_start=START) as server:
        running = set(server.engine.instances)
        table = server.engine.store.instance_table()
        [ended] = server.engine.store.load(Instance, table.c.key == failed.instance_key)
    assert {paid.instance_key, visiting.instance_key} <= running and failed.instance_key not in running
    assert ended.state == "COMPLETED"
