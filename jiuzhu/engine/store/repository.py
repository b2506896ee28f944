"""Write-through persistence: each engine command commits one `Changes` batch before it answers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from jiuzhu.engine import records
from jiuzhu.engine.store import tables


def _table(model: Any) -> Any:
    return model.__table__


TABLE_OF: dict[type, Any] = {
    records.Definition: _table(tables.DefinitionTable),
    records.Instance: _table(tables.InstanceTable),
    records.Job: _table(tables.JobTable),
    records.Incident: _table(tables.IncidentTable),
    records.UserTask: _table(tables.UserTaskTable),
    records.Message: _table(tables.MessageTable),
    records.Subscription: _table(tables.SubscriptionTable),
    records.TimerStart: _table(tables.TimerStartTable),
    records.ElementCompleted: _table(tables.ElementCompletedTable),
    records.DecisionRequirements: _table(tables.DecisionRequirementsTable),
    records.DecisionDefinition: _table(tables.DecisionTable),
}


_FIELDS: dict[type, list[str]] = {}


@dataclass
class Changes:
    """Rows to upsert and keys to delete, per record type; the next free key."""

    upserts: dict[type, dict[int, Any]] = field(default_factory=dict)
    deletes: dict[type, set[int]] = field(default_factory=dict)
    next_key: int | None = None

    def put(self, record: Any) -> None:
        kind = type(record)
        self.deletes.get(kind, set()).discard(record.key)
        self.upserts.setdefault(kind, {})[record.key] = record

    def drop(self, record: Any) -> None:
        kind = type(record)
        self.upserts.get(kind, {}).pop(record.key, None)
        self.deletes.setdefault(kind, set()).add(record.key)

    def empty(self) -> bool:
        return not any(self.upserts.values()) and not any(self.deletes.values()) and self.next_key is None


def database_url(data_dir: Path, url: str | None) -> str:
    if url:
        return url
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'engine.db'}"


def open_database(url: str) -> Engine:
    if url.startswith("sqlite"):
        db = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(db, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            # WAL + NORMAL survives a killed process (the OS keeps the pages); FULL would only
            # add protection against power loss at a large cost per commit.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()
    else:
        db = create_engine(url, pool_pre_ping=True)
    SQLModel.metadata.create_all(db, tables=[t for t in TABLE_OF.values()] + [_table(tables.MetaTable)])
    return db


class Store:
    def __init__(self, db: Engine) -> None:
        self.db = db
        self._insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
        self._statements: dict[str, Any] = {}

    def load(self, kind: type, *where: Any) -> list[Any]:
        table = TABLE_OF[kind]
        names = [f.name for f in dataclasses.fields(kind)]
        with self.db.connect() as conn:
            rows = conn.execute(select(*[table.c[n] for n in names]).where(*where)).all()
        return [kind(**dict(zip(names, row, strict=True))) for row in rows]

    def instance_table(self) -> Any:
        return TABLE_OF[records.Instance]

    def completed_elements(self, instance_key: int) -> list[records.ElementCompleted]:
        table = TABLE_OF[records.ElementCompleted]
        found = self.load(records.ElementCompleted, table.c.instance_key == instance_key)
        return sorted(found, key=lambda e: e.key)

    def load_instance_state(self, key: int) -> str | None:
        table = TABLE_OF[records.Instance]
        with self.db.connect() as conn:
            value = conn.execute(select(table.c.state_json).where(table.c.key == key)).scalar_one_or_none()
        return value

    def next_key(self) -> int | None:
        meta = _table(tables.MetaTable)
        with self.db.connect() as conn:
            value = conn.execute(select(meta.c.value).where(meta.c.name == "next_key")).scalar_one_or_none()
        return value

    def commit(self, changes: Changes) -> None:
        if changes.empty():
            return
        with self.db.begin() as conn:
            for kind, keys in changes.deletes.items():
                if keys:
                    table = TABLE_OF[kind]
                    conn.execute(delete(table).where(table.c.key.in_(list(keys))))
            for kind, by_key in changes.upserts.items():
                if by_key:
                    names = _FIELDS.setdefault(kind, [f.name for f in dataclasses.fields(kind)])
                    # shallow: rows are written at once, so nested values need no copy
                    self._upsert(conn, TABLE_OF[kind], [{n: getattr(r, n) for n in names} for r in by_key.values()])
            if changes.next_key is not None:
                meta = _table(tables.MetaTable)
                self._upsert(conn, meta, [{"name": "next_key", "value": changes.next_key}], pk="name")

    def _upsert(self, conn: Any, table: Any, rows: Iterable[dict[str, Any]], pk: str = "key") -> None:
        conn.execute(self._upsert_statement(table, pk), list(rows))

    def _upsert_statement(self, table: Any, pk: str) -> Any:
        """One compiled INSERT … ON CONFLICT DO UPDATE per table, run as executemany: compiling a
        fresh multi-row statement per commit cost more than the write itself."""
        statement = self._statements.get(table.name)
        if statement is None:
            insert = self._insert(table)
            columns = {c.name: insert.excluded[c.name] for c in table.columns if c.name != pk}
            statement = self._statements[table.name] = insert.on_conflict_do_update(index_elements=[pk], set_=columns)
        return statement
