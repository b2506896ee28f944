"""``jiuzhu up`` as a child process: what the browser tests, benchmarks and soaks drive."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType

import httpx

from jiuzhu.oauth import trust
from jiuzhu.testing.auth import EngineClients
from jiuzhu.testing.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LiveSystem:
    """``jiuzhu up [--demo] --clock controlled`` on free ports, stopped on exit.

    ``clock_start`` pins where the controlled clock starts, so demo cases and SLA timers are dated
    reproducibly; ``advance`` moves it the way ``POST /v2/clock/advance`` does on Zeebe.
    """

    data_dir: Path
    demo: bool = True
    clock_start: datetime | None = None
    extra_args: tuple[str, ...] = ()
    tls: tuple[Path, Path] | None = None  # (certificate, key): serve over TLS, reached as localhost
    env: dict[str, str] = field(default_factory=dict)
    grpc_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    template: Path | None = None  # a seeded data dir (``demo_data_dir``) copied into data_dir first
    python: str = sys.executable  # another interpreter runs an installed jiuzhu (the wheel test)
    cwd: Path = ROOT
    proc: subprocess.Popen[bytes] | None = None
    _auth: httpx.Auth | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        if self.tls:
            return f"https://localhost:{self.http_port}"
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def address(self) -> str:
        return f"{'localhost' if self.tls else '127.0.0.1'}:{self.grpc_port}"

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What an httpx client checks this system's certificate against."""
        return trust(str(self.tls[0])) if self.tls else True

    @property
    def clients(self) -> EngineClients:
        """The clients ``jiuzhu up`` generated into the data dir (admin, worker, tasklist)."""
        return EngineClients(self.data_dir, self.url, str(self.tls[0]) if self.tls else None)

    @property
    def log_path(self) -> Path:
        return self.data_dir / "up.log"

    def command(self) -> list[str]:
        # fmt: off
        command = [
            self.python, "-m", "jiuzhu", "up", "--clock", "controlled", "--data-dir", str(self.data_dir),
            "--grpc-port", str(self.grpc_port), "--http-port", str(self.http_port),
        ]
        # fmt: on
        if self.clock_start is not None:
            command += ["--clock-start", self.clock_start.isoformat()]
        if self.demo:
            command.append("--demo")
        if self.tls:
            command += ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])]
        return [*command, *self.extra_args]

    # With --demo the county's history is first run through the processes (~30 s, more on a loaded machine).
    def start(self, timeout: float = 180.0) -> LiveSystem:
        if self.template is not None and not self.data_dir.exists():
            shutil.copytree(self.template, self.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIUZHU_")}
        env.update(PYTHONUNBUFFERED="1", JIUZHU_TASKLIST_SECRET_KEY="live-test-secret-0123456789", **self.env)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=self.cwd, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jiuzhu up exited with {self.proc.returncode}:\n{self.log()}")
            if "jiuzhu engine ready" in self.log() and (not self.demo or "cases started" in self.log()):
                try:
                    if httpx.get(f"{self.url}/healthz", timeout=1, verify=self.verify).status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"jiuzhu up not ready within {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self, tail: int = 6000) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text("utf-8", errors="replace")[-tail:]

    # --- the controlled clock (test-only door, as Zeebe's) -------------------------------------------

    def now(self) -> datetime:
        response = httpx.get(f"{self.url}/v2/clock", auth=self._admin(), timeout=10, verify=self.verify)
        response.raise_for_status()
        return datetime.fromtimestamp(response.json()["timestamp"] / 1000).astimezone()

    def advance(self, delta: timedelta) -> None:
        """Move the engine clock forward; due timers fire and the workers act on them."""
        body = {"seconds": delta.total_seconds()}
        response = httpx.post(
            f"{self.url}/v2/clock/advance", json=body, auth=self._admin(), timeout=10, verify=self.verify
        )
        response.raise_for_status()

    def _admin(self) -> httpx.Auth | None:
        """The clock is admin's; a system started with ``--insecure`` has no credentials to use."""
        if "--insecure" in self.extra_args:
            return None
        if self._auth is None:
            self._auth = self.clients.auth("admin")
        return self._auth

    def __enter__(self) -> LiveSystem:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def demo_data_dir(path: Path, now: datetime) -> Path:
    """A data dir with the demo county and its history seeded at ``now``, as ``jiuzhu up --demo
    --clock-start now`` seeds it (the history through the processes, ~30 s): give it as a
    ``LiveSystem(template=...)`` with ``clock_start=now`` and each system starts from a copy."""
    from jiuzhu.demo import DEFAULT_PASSWORD, seed

    path.mkdir(parents=True, exist_ok=True)
    seed(f"sqlite:///{(path / 'caserecord.db').resolve()}", now, data_dir=path, password=DEFAULT_PASSWORD)
    # Each system started from a copy generates its own clients and signing key, as a first
    # `jiuzhu up --demo` does (and says so); the seed's engine made these for its workers only.
    from jiuzhu.engine.auth.credentials import CREDENTIALS_FILE, SIGNING_KEY_FILE

    for private in (CREDENTIALS_FILE, SIGNING_KEY_FILE):
        (path / private).unlink(missing_ok=True)
    return path
