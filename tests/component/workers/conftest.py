"""Every worker against a real case record on SQLite and on PostgreSQL.

The demo county (without its seeded history) is seeded once per database kind; each test gets a
fresh copy: a copied file on SQLite, ``CREATE DATABASE … TEMPLATE`` on the session's PostgreSQL
server (a database of its own per test, dropped afterwards).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from jiuzhu.demo import DemoCounty, seed
from schemas.db import make_engine
from tests.workers.harness import START, World, world_at


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "component: tests against real databases and services")
    config.addinivalue_line("markers", "workers: the job workers, their handlers and end-to-end runs")


@pytest.fixture(scope="session")
def sqlite_county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoCounty]:
    template = tmp_path_factory.mktemp("workers-sqlite") / "template.db"
    return template, seed(f"sqlite:///{template}", START, password="demo-password-1", history=False)


@pytest.fixture(scope="session")
def postgres_county(postgres_url: str) -> Iterator[tuple[str, DemoCounty]]:
    server = make_url(postgres_url)
    name = f"workers_template_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
        yield name, seed(url, START, password="demo-password-1", history=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param == "sqlite":
        template, county = request.getfixturevalue("sqlite_county")
        shutil.copy(template, tmp_path / "caserecord.db")
        built = world_at(f"sqlite:///{tmp_path / 'caserecord.db'}", county, tmp_path)
        yield built
        built.services.db.dispose()
        return
    template_name, county = request.getfixturevalue("postgres_county")
    server = make_url(request.getfixturevalue("postgres_url"))
    name = f"workers_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
        built = world_at(server.set(database=name).render_as_string(hide_password=False), county, tmp_path)
        yield built
        built.services.db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
