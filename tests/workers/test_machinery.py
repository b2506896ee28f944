"""The worker machinery (registration, failures, back-off, BPMN errors, metrics, settings) and the demo starts."""

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from jiuzhu import metrics
from jiuzhu.demo import DemoCounty, demo_applications
from jiuzhu.engine.server import EngineServer
from jiuzhu.policy import WorkingCalendar
from schemas.contracts import JOB_TYPES
from schemas.tables import Case
from tests.engine.conftest import eventually
from tests.workers.harness import START, World
from workers import WorkerSettings, all_routers, start_background
from workers.runtime import (
    HANDLERS,
    BpmnErrorRaised,
    JobInputError,
    backoff_ms,
    bind,
    fetch_names,
    on_exception,
    run_job,
    unbind,
)

pytestmark = pytest.mark.workers


def test_one_handler_per_job_type_fetching_the_contract_variables() -> None:
    tasks = {task.type: task for router in all_routers() for task in router.tasks}
    assert set(tasks) == set(JOB_TYPES)
    for name, task in tasks.items():
        assert list(task.config.variables_to_fetch or []) == fetch_names(JOB_TYPES[name].input)
        assert task.config.job_parameter_name == "job"  # pyzeebe saw the `job: Job` annotation


class Controller:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def set_error_status(self, message: str, error_code: str = "", variables: Any = None) -> None:
        self.calls.append(("error", {"message": message, "code": error_code, "variables": variables}))

    async def set_failure_status(self, message: str, retry_back_off_ms: int = 0, variables: Any = None) -> None:
        self.calls.append(("failure", {"message": message, "backoff": retry_back_off_ms}))


@pytest.mark.parametrize(("retries", "wait"), [(3, 2_000), (2, 8_000), (1, 32_000), (0, 128_000)])
def test_back_off_grows_and_is_capped(retries: int, wait: int) -> None:
    settings = WorkerSettings(retry_backoff_ms=2_000, retry_backoff_max_ms=100_000)
    assert backoff_ms(settings, retries) == min(wait, 100_000)


async def test_exception_handler_fails_or_throws(world: World) -> None:
    job = world.job("payment.pay-emergency", {})
    object.__setattr__(job, "worker", "bound-for-test")
    bind("bound-for-test", world.services)
    try:
        controller = Controller()
        await on_exception(JobInputError("输入变量不符合合同"), job, controller)  # type: ignore[arg-type]
        await on_exception(BpmnErrorRaised("DUPLICATE_PAYMENT", "已发放", {"paymentId": 3}), job, controller)  # type: ignore[arg-type]
    finally:
        unbind("bound-for-test")
    assert controller.calls == [
        ("failure", {"message": "JobInputError: 输入变量不符合合同", "backoff": 2_000}),
        ("error", {"message": "已发放", "code": "DUPLICATE_PAYMENT", "variables": {"paymentId": 3}}),
    ]


async def test_run_job_counts_outcomes(world: World) -> None:
    contract, handler = HANDLERS["case.close"]
    bind("counted", world.services)

    def count(outcome: str) -> float:
        value = metrics.telemetry.registry.get_sample_value(
            "jiuzhu_worker_jobs_handled_total", {"job_type": "case.close", "outcome": outcome}
        )
        return value or 0.0

    before = (count("completed"), count("failed"))
    job = world.job("case.close", {"caseId": 999, "finalStatus": "已结案", "closedAt": START.isoformat()})
    object.__setattr__(job, "worker", "counted")
    try:
        with pytest.raises(Exception, match="案件 999 不在案件记录中"):
            await run_job(contract, handler, job)
    finally:
        unbind("counted")
    assert (count("completed"), count("failed")) == (before[0], before[1] + 1)


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JIUZHU_DATABASE_URL", "sqlite:///x.db")
    monkeypatch.setenv("JIUZHU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JIUZHU_PLATFORM", "provincial")
    monkeypatch.setenv("JIUZHU_PLATFORM_URL", "http://platform.example:8443")
    settings = WorkerSettings()
    assert settings.resolved_database_url() == "sqlite:///x.db" and settings.data_dir == tmp_path
    assert settings.resolved_registry_file() == tmp_path / "provincial-registry.json"
    from workers import make_platform
    from workers.verification.provincial import ProvincialPlatformClient

    assert isinstance(make_platform(settings), ProvincialPlatformClient)
    with pytest.raises(ValueError, match="JIUZHU_PLATFORM_URL"):
        make_platform(WorkerSettings(platform="provincial", platform_url=None))


def test_demo_applications_one_near_warning_one_emergency(seeded: tuple[Path, DemoCounty]) -> None:
    _, county = seeded
    started = demo_applications(county, START, WorkingCalendar.standard())
    assert [key for key, _, _ in started] == ["zhang", "zhao", "wang", "chen"]
    zhao = next(v for k, _, v in started if k == "zhao")
    # 7 working days before 2 March: 春节 15–23 February off, Saturdays 14 and 28 February worked.
    assert zhao["receivedAt"] == "2026-02-13T09:30:00+08:00"
    chen = next(v for k, _, v in started if k == "chen")
    assert chen["caseType"] == "急难型临时救助" and chen["emergencyCause"] == "火灾"


async def test_background_workers_start_and_stop(server: EngineServer, world: World, tmp_path: Path) -> None:
    server.clock.pin(START)
    files = sorted((Path(__file__).resolve().parents[2] / "workflows").glob("*.bpmn"))
    files += sorted((Path(__file__).resolve().parents[2] / "workflows").glob("*.dmn"))
    server.engine.deploy([(f.name, f.read_bytes()) for f in files])
    background = start_background(f"127.0.0.1:{server.grpc_port}", world.services.settings, clock=server.clock.now)
    try:
        server.engine.create_instance("assistance-application", world.county.application("zhang", "低保", START))

        def accepted() -> bool:
            with Session(world.db) as session:
                return session.exec(select(Case)).first() is not None

        await eventually(accepted, timeout=20, what="the case accepted by the background workers")
    finally:
        await asyncio.to_thread(background.stop)
    assert background.error is None


async def test_a_worker_outlasts_many_gateway_errors_and_works_once_the_engine_is_up(
    world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """pyzeebe's own default closes the channel for good after 10 gateway errors in a worker's life;
    ours keeps polling, so an engine that is down (or stalls) for a while does not stop casework."""
    from pyzeebe import create_insecure_channel

    from jiuzhu.testing import InProcessEngine
    from tests.engine.bpmn_builder import Process
    from workers import build_worker, release

    engine = InProcessEngine(tmp_path / "engine", insecure=True)
    channel = create_insecure_channel(grpc_address=engine.address)
    worker = build_worker(channel, world.services.settings, request_timeout=200, poll_retry_delay=0)
    working = asyncio.create_task(worker.work())
    try:
        # 24 pollers against a port where nothing listens yet: far more than 10 errors
        await eventually(
            lambda: sum("Failed to activate jobs" in r.getMessage() for r in caplog.records) > 30,
            timeout=60,
            what="the pollers to fail against the missing engine",
        )
        assert worker.zeebe_adapter.connected
        with engine as server:
            xml = (
                Process("reconnect").start().service("create", "referral.create").end().chain("start", "create", "end")
            )
            server.engine.deploy([("reconnect.bpmn", xml.xml())])
            key = server.engine.create_instance("reconnect", {}).key
            # the worker took the job: its empty input fails the contract, with a back-off
            failed = await eventually(
                lambda: [j for j in server.engine.jobs.values() if j.instance_key == key and j.error_message],
                timeout=60,
                what="the worker to take the job once the engine is up",
            )
            assert "JobInputError" in failed[0].error_message
            await worker.stop()
    finally:
        working.cancel()
        release(worker)
        await channel.close()
