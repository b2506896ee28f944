"""Timer start events survive `kill -9`: each due firing starts exactly one instance, crash or not.

timer-events.md (8.8) "Timer start events": a process with a timeCycle start event gets a new
instance at each interval (only the latest version's timers are scheduled). Zeebe writes the
firing and the timer's next due time as one record batch, so a broker that dies around a firing
neither loses it (it fires after the restart, as Zeebe catches up due timers) nor repeats it.

`jiuzhu engine` runs as a subprocess with a controlled clock. Three times: the clock is moved past
the next due time and the engine gets SIGKILL a few milliseconds later (before, during or after the
firing's commit), then it is restarted at that instant; the number of instances must go up by one.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pyzeebe import ZeebeClient, create_insecure_channel

from jiuzhu.testing import EngineProcess
from tests.engine.bpmn_builder import Process

pytestmark = pytest.mark.engine

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def engine_at(data_dir: Path, now: datetime, ports: tuple[int, int] | None = None) -> EngineProcess:
    extra = ("--clock-start", now.isoformat())
    if ports is None:
        return EngineProcess(data_dir, clock="controlled", insecure=True, extra_args=extra)
    return EngineProcess(data_dir, ports[0], ports[1], clock="controlled", insecure=True, extra_args=extra)


class Engines:
    """The engine process and its restarts; whichever runs is stopped at the end."""

    def __init__(self, data_dir: Path) -> None:
        self.current = engine_at(data_dir, T0).start()

    def crash_and_restart(self, now: datetime) -> EngineProcess:
        old = self.current
        old.kill()  # SIGKILL: the firing may be committed, half done or not begun
        self.current = engine_at(old.data_dir, now, (old.grpc_port, old.http_port)).start()
        return self.current


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[Engines]:
    running = Engines(tmp_path / "data")
    try:
        yield running
    finally:
        running.current.stop()


def started(engine: EngineProcess) -> int:
    uri = f"file:{engine.data_dir / 'engine.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=10) as db:
        [(count,)] = list(db.execute("SELECT count(*) FROM engine_process_instances WHERE bpmn_process_id = 'sweep'"))
    return int(count)


def advance(engine: EngineProcess, seconds: float) -> None:
    request = urllib.request.Request(
        f"{engine.http}/v2/clock/advance",
        data=json.dumps({"seconds": seconds}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


async def until_started(engine: EngineProcess, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if started(engine) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for firing {count} after the restart")


async def test_a_cycle_timer_start_fires_once_per_interval_across_kill_9(engines: Engines, tmp_path: Path) -> None:
    engine = engines.current
    bpmn = tmp_path / "sweep.bpmn"
    bpmn.write_bytes(
        Process("sweep")
        .start(timer="<bpmn:timeCycle>R/PT1H</bpmn:timeCycle>")
        .service("run", "sweep.run")
        .end()
        .chain("start", "run", "end")
        .xml()
    )
    channel = create_insecure_channel(grpc_address=engine.address)
    await ZeebeClient(channel).deploy_resource(str(bpmn))
    await channel.close()
    now = T0
    assert started(engine) == 0
    for round_, delay_s in enumerate((0.0, 0.005, 0.05), start=1):
        now += timedelta(hours=1, seconds=1)
        advance(engine, 3601)
        await asyncio.sleep(delay_s)
        engine = engines.crash_and_restart(now)
        await until_started(engine, round_, 20)
        await asyncio.sleep(1.5)  # the scheduler has ticked again: a second start would show now
        assert started(engine) == round_, engine.log()
