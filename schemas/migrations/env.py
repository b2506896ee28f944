"""Alembic environment: online migrations only (offline SQL scripts are not needed here)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from schemas.db import make_engine
from schemas.migrate import VERSION_TABLE, include_name
from schemas.tables import metadata

DEFAULT_URL = "sqlite:///var/jiuzhu.db"


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_name=include_name,
        version_table=VERSION_TABLE,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:  # handed in by a caller that owns the transaction
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get("JIUZHU_DATABASE_URL") or DEFAULT_URL
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run against a database")
run_online()
