"""Shared fixtures: an engine in a subprocess (``jiuzhu.testing.EngineProcess``), a PostgreSQL server."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from jiuzhu.testing import EngineProcess, free_port


@pytest.fixture
def engine_process(tmp_path: Path) -> Iterator[EngineProcess]:
    engine = EngineProcess(tmp_path / "data")
    engine.start()
    yield engine
    engine.stop()


@pytest.fixture
def controlled_engine_process(tmp_path: Path) -> Iterator[EngineProcess]:
    engine = EngineProcess(tmp_path / "data", clock="controlled")
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
