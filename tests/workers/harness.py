"""Running one handler the way the worker does (same transaction, audit and replay), without gRPC."""

import asyncio
import contextlib
import itertools
import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pyzeebe import Job, create_insecure_channel
from sqlmodel import Session, col, select

from jiuzhu.demo import DemoCounty
from jiuzhu.policy import CST
from schemas.tables import AuditEntry
from workers import build_services, build_worker, release
from workers.runtime import HANDLERS, Services, Thrown, execute
from workers.settings import WorkerSettings

START = datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # a Monday
_keys = itertools.count(2_251_799_813_700_000)


class FakeClock:
    def __init__(self, start: datetime = START) -> None:
        self.instant = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.instant

    def advance(self, delta: timedelta) -> None:
        self.instant += delta


@dataclass
class World:
    """A migrated case record with the demo county, a data dir and the services a worker builds."""

    county: DemoCounty
    data_dir: Path
    services: Services
    clock: FakeClock
    instance_key: int = field(default_factory=lambda: next(_keys))

    @property
    def db(self) -> Any:
        return self.services.db

    def session(self) -> Session:
        return Session(self.db, expire_on_commit=False)

    def job(
        self,
        job_type: str,
        variables: dict[str, Any],
        *,
        key: int | None = None,
        instance: int | None = None,
        element: str = "Activity_Test",
    ) -> Job:
        return Job(
            key=key if key is not None else next(_keys),
            type=job_type,
            process_instance_key=instance if instance is not None else self.instance_key,
            bpmn_process_id="tests",
            process_definition_version=1,
            process_definition_key=1,
            element_id=element,
            element_instance_key=next(_keys),
            custom_headers={},
            worker="tests",
            retries=3,
            deadline=0,
            variables=json.loads(json.dumps(variables, default=str)),
        )

    def run(self, job_type: str, variables: dict[str, Any], **job: Any) -> dict[str, Any] | Thrown:
        contract, handler = HANDLERS[job_type]
        return execute(self.services, contract, handler, self.job(job_type, variables, **job))

    def ok(self, job_type: str, variables: dict[str, Any], **job: Any) -> dict[str, Any]:
        result = self.run(job_type, variables, **job)
        assert not isinstance(result, Thrown), f"{job_type} threw {result.code}: {result.message}"
        return result

    def thrown(self, job_type: str, variables: dict[str, Any], **job: Any) -> Thrown:
        result = self.run(job_type, variables, **job)
        assert isinstance(result, Thrown), f"{job_type} completed with {result}"
        return result

    def all(self, model: Any) -> list[Any]:
        with self.session() as session:
            return list(session.exec(select(model).order_by(col(model.id))))

    def audit(self, action: str) -> list[AuditEntry]:
        with self.session() as session:
            return list(
                session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id)))
            )

    def staff_id(self, login: str) -> int:
        return self.county.staff[login]


def make_world(template: Path, county: DemoCounty, tmp_path: Path, **settings: Any) -> World:
    """A world on a copy of the SQLite ``template`` (seeded with ``county``)."""
    db_file = tmp_path / "caserecord.db"
    shutil.copy(template, db_file)
    return world_at(f"sqlite:///{db_file}", county, tmp_path, **settings)


def world_at(url: str, county: DemoCounty, tmp_path: Path, **settings: Any) -> World:
    """A world on the case record at ``url`` (already seeded with ``county``), with its own data dir."""
    data_dir = tmp_path / "worker-data"
    data_dir.mkdir()
    (data_dir / "provincial-registry.json").write_text(json.dumps(county.registry, ensure_ascii=False), "utf-8")
    clock = FakeClock()
    worker_settings = WorkerSettings(database_url=url, data_dir=data_dir, **settings)
    services = build_services(worker_settings, clock=clock)
    world_county = DemoCounty(
        **{**county.__dict__, "database_url": url, "registry_file": data_dir / "provincial-registry.json"}
    )
    return World(world_county, data_dir, services, clock)


def accept_vars(county: DemoCounty, key: str = "zhang", case_type: str = "低保", **extra: Any) -> dict[str, Any]:
    variables = county.application(key, case_type, START)
    variables.setdefault("path", "county")
    variables.update(extra)
    return variables


WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


@contextlib.asynccontextmanager
async def casework_running(server: Any, seeded: tuple[Path, DemoCounty], tmp_path: Path) -> AsyncIterator[World]:
    """The real processes deployed on `server` (clock pinned at START) and the real pyzeebe workers
    working them over gRPC against a fresh copy of the seeded county, until the block ends."""
    server.clock.pin(START)
    files = sorted([*WORKFLOWS.glob("*.bpmn"), *WORKFLOWS.glob("*.dmn")])
    server.engine.deploy([(f.name, f.read_bytes()) for f in files])
    template, county = seeded
    world = make_world(template, county, tmp_path)
    channel = create_insecure_channel(grpc_address=f"127.0.0.1:{server.grpc_port}")
    worker = build_worker(
        channel, world.services.settings, clock=server.clock.now, request_timeout=1000, poll_retry_delay=0
    )
    working = asyncio.create_task(worker.work())
    try:
        yield world
    finally:
        await worker.stop()
        working.cancel()
        release(worker)
        await channel.close()
        world.services.db.dispose()


def approval_vars(
    world: World, case_id: Any, amount: Any = 1516, reasons: str = "家庭月人均收入低于当地低保标准。"
) -> dict[str, Any]:
    """The variables of `approval.record` when the township leader approves a 低保 case at START."""
    return {
        "caseId": case_id,
        "caseType": "低保",
        "approverId": world.staff_id("taozhou.lingdao"),
        "decisionOutcome": "批准",
        "amount": amount,
        "reasons": reasons,
        "decidedAt": START.isoformat(),
    }
