"""Engines for the case record: SQLite (the default) or PostgreSQL, by URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Task-list pages read while the workers write: in WAL mode readers no longer block the writer, and
    # a writer waits its turn (up to 15 s on a busy machine) instead of failing a person's sign-in with
    # "database is locked". (An in-memory database stays as it is.)
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


# One process writes the case record from many threads (jobs, the task list, the notification
# dispatcher): a writer waits up to this long for another's commit instead of failing at 5 s.
SQLITE_BUSY_TIMEOUT_S = 30


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_S})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine
