"""The engine's tables, versioned: a fresh database gets the current schema, an older one is brought
up step by step, and a database written by a newer release is refused before anything reads it.

The version lives in `engine_meta` (`schema_version`). The first release wrote no version: its
tables are version 1. Each step runs in its own transaction with the version bump.

Versions:
1. the first release's tables.
2. no change of tables; instance states may now be state format 2 (`bpmn/state.py`), which the
   first release cannot read, so the version tells an older release to stop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

SCHEMA_VERSION = 2
VERSION_ROW = "schema_version"


class SchemaTooNew(RuntimeError):
    """The database was written by a newer release of the engine."""


def _to_2(conn: Any) -> None:
    """Version 2 changes no table (see the module docstring)."""


STEPS: dict[int, Callable[[Any], None]] = {1: _to_2}  # from version n to n + 1


def migrate(db: Engine, tables: list[Any], meta: Any) -> int:
    """Bring the engine's tables in `db` to SCHEMA_VERSION; returns the version found."""
    existing = set(inspect(db).get_table_names())
    names = {t.name for t in tables} | {meta.name}
    if not existing & names:  # a fresh database
        SQLModel.metadata.create_all(db, tables=[*tables, meta])
        with db.begin() as conn:
            _set_version(db, conn, meta, SCHEMA_VERSION)
        return SCHEMA_VERSION
    # tables added since (engine_element_instances: the element history) are created; existing ones
    # are left to the steps
    SQLModel.metadata.create_all(db, tables=[*tables, meta])
    with db.connect() as conn:
        stored = conn.execute(select(meta.c.value).where(meta.c.name == VERSION_ROW)).scalar_one_or_none()
    found = int(stored) if stored is not None else 1
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the engine database has schema version {found}, newer than this release knows ({SCHEMA_VERSION}); "
            "run the release that wrote it"
        )
    version = found
    while version < SCHEMA_VERSION:
        with db.begin() as conn:
            STEPS[version](conn)
            version += 1
            _set_version(db, conn, meta, version)
    return found


def _set_version(db: Engine, conn: Any, meta: Any, version: int) -> None:
    insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    statement = insert(meta).values(name=VERSION_ROW, value=version)
    conn.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"value": version}))
