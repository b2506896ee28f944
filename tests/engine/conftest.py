"""Engine fixtures: an in-process engine server on free ports, and a pyzeebe client for it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pyzeebe import ZeebeClient, ZeebeWorker, create_insecure_channel

from jiuzhu.engine.server import EngineServer
from jiuzhu.testing import InProcessEngine


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EngineServer]:
    # Engine semantics, not its doors (tests/engine/test_auth.py): plaintext clients, no tokens.
    with InProcessEngine(tmp_path / "data", insecure=True) as srv:
        yield srv


@pytest.fixture
def address(server: EngineServer) -> str:
    return f"127.0.0.1:{server.grpc_port}"


@pytest.fixture
async def client(address: str) -> AsyncIterator[ZeebeClient]:
    channel = create_insecure_channel(grpc_address=address)
    yield ZeebeClient(channel)
    await channel.close()


@pytest.fixture
async def worker_factory(address: str) -> AsyncIterator[Callable[..., ZeebeWorker]]:
    """Workers started with `start(worker)` run until the test ends."""
    channels: list[Any] = []

    def make(**kwargs: Any) -> ZeebeWorker:
        channel = create_insecure_channel(grpc_address=address)
        channels.append(channel)
        kwargs.setdefault("request_timeout", 1000)  # keeps worker.stop() quick
        return ZeebeWorker(channel, poll_retry_delay=0, **kwargs)

    yield make
    for channel in channels:
        await channel.close()


class Running:
    def __init__(self) -> None:
        self.workers: list[tuple[ZeebeWorker, asyncio.Task[None]]] = []

    def start(self, worker: ZeebeWorker) -> ZeebeWorker:
        self.workers.append((worker, asyncio.create_task(worker.work())))
        return worker

    async def stop(self) -> None:
        for worker, task in self.workers:
            await worker.stop()
            task.cancel()
        self.workers.clear()


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    r = Running()
    yield r
    await r.stop()


async def eventually(check: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll until `check()` is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
