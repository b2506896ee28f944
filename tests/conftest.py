"""Shared fixtures: free ports, an in-process engine, an engine in a subprocess."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from jiuzhu.testing.auth import EngineClients

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class EngineProcess:
    """`jiuzhu engine` running as a child process on free ports, with credentials as shipped
    (``clients`` reads the ones it generated); ``insecure=True`` runs it with ``--insecure``."""

    data_dir: Path
    grpc_port: int
    http_port: int
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

    def start(self, timeout: float = 30.0) -> EngineProcess:
        log = open(self.data_dir / "engine.log", "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jiuzhu",
                "engine",
                "--grpc-port",
                str(self.grpc_port),
                "--http-port",
                str(self.http_port),
                "--data-dir",
                str(self.data_dir),
                "--clock",
                self.clock,
                *(["--insecure"] if self.insecure else []),
                *self.extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
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

    def log(self) -> str:
        path = self.data_dir / "engine.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


@pytest.fixture
def engine_process(tmp_path: Path) -> Iterator[EngineProcess]:
    engine = EngineProcess(tmp_path / "data", free_port(), free_port())
    engine.data_dir.mkdir()
    engine.start()
    yield engine
    engine.stop()


@pytest.fixture
def controlled_engine_process(tmp_path: Path) -> Iterator[EngineProcess]:
    engine = EngineProcess(tmp_path / "data", free_port(), free_port(), clock="controlled")
    engine.data_dir.mkdir()
    engine.start()
    yield engine
    engine.stop()


PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server (Debian's binaries, run as the postgres user), or
    JIUZHU_TEST_POSTGRES_URL if set. .ci/run installs PostgreSQL; a missing server fails loudly."""
    given = os.environ.get("JIUZHU_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    if not PG_BIN_DIRS:
        raise RuntimeError("PostgreSQL is not installed: run .ci/run or `apt-get install postgresql`")
    bin_dir = PG_BIN_DIRS[0]
    # Not under pytest's tmp dir: that is private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="jiuzhu-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    for path in (base, sockets):
        os.chmod(path, 0o777)
    port = free_port()

    def as_postgres(*cmd: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *cmd], check=True, capture_output=True, timeout=120)

    as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start")
    try:
        as_postgres(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "jiuzhu_test")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/jiuzhu_test"
    finally:
        as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)
