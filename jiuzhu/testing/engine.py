"""The embedded engine alone, for tests and benchmarks of the engine itself.

``InProcessEngine`` runs an ``EngineServer`` in this process (reach into ``.server``: its clock,
its engine); ``EngineProcess`` runs ``jiuzhu engine`` as a child process, so a test can kill it.
Both listen on free ports; both default to the doors as shipped (credentials generated into the
data directory, read back through ``clients``) and take ``insecure=True`` for tests of semantics.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType

from jiuzhu.engine.server import EngineConfig, EngineServer
from jiuzhu.testing.auth import EngineClients
from jiuzhu.testing.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class InProcessEngine:
    """An ``EngineServer`` in this process on free ports, with a controlled clock unless told otherwise."""

    data_dir: Path
    controlled_clock: bool = True
    clock_start: datetime | None = None
    insecure: bool = False
    database_url: str | None = None  # the engine's store (default: <data_dir>/engine.db)
    grpc_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    server: EngineServer | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def clients(self) -> EngineClients:
        return EngineClients(self.data_dir, self.http)

    def start(self) -> EngineServer:
        config = EngineConfig(
            grpc_port=self.grpc_port,
            http_port=self.http_port,
            data_dir=self.data_dir,
            database_url=self.database_url,
            controlled_clock=self.controlled_clock,
            clock_start=self.clock_start,
            insecure=self.insecure,
        )
        # The task list's rules for people, as `jiuzhu engine` has them (its metrics stay out:
        # they are process-wide and one test process may start many engines).
        from jiuzhu.engine_plugins import person_plugins

        self.server = EngineServer(config, plugins=person_plugins())
        self.server.start()
        if not self.server.wait_http():
            self.server.stop()
            raise RuntimeError(f"the engine's HTTP server did not start on port {self.http_port}")
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> EngineServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


@dataclass
class EngineProcess:
    """``jiuzhu engine`` as a child process on free ports, logging to ``<data_dir>/engine.log``.

    ``clock="controlled"`` gives it the controlled clock (moved over ``/v2/clock``); ``start`` again after
    ``stop``/``kill`` restarts it on the same data directory and ports.
    """

    data_dir: Path
    grpc_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    clock: str = "system"
    insecure: bool = False
    extra_args: tuple[str, ...] = ()
    proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def clients(self) -> EngineClients:
        return EngineClients(self.data_dir, self.http)

    @property
    def log_path(self) -> Path:
        return self.data_dir / "engine.log"

    def command(self) -> list[str]:
        # fmt: off
        command = [
            sys.executable, "-m", "jiuzhu", "engine", "--grpc-port", str(self.grpc_port),
            "--http-port", str(self.http_port), "--data-dir", str(self.data_dir), "--clock", self.clock,
        ]
        # fmt: on
        if self.insecure:
            command.append("--insecure")
        return [*command, *self.extra_args]

    def start(self, timeout: float = 30.0) -> EngineProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"engine exited with {self.proc.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(f"{self.http}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"engine did not become healthy in {timeout}s: {self.log()}")

    def kill(self) -> None:
        """SIGKILL: no chance to flush or close anything (crash tests)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:] if self.log_path.exists() else ""

    def __enter__(self) -> EngineProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
