"""Fresh, migrated case-record databases on SQLite and on PostgreSQL.

PostgreSQL tests each get their own database on the session's server, so they neither see nor
disturb what other tests keep in the shared one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text

from schemas import migrate
from schemas.db import make_engine


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "component: tests against real databases and services")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'case-record.db'}"
        return
    server = make_url(request.getfixturevalue("postgres_url"))
    name = f"case_record_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def db(empty_db_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head."""
    migrate.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    yield engine
    engine.dispose()
