"""Write-through persistence: each engine command commits one `Changes` batch before it answers."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite

from jiuzhu.engine import records
from jiuzhu.engine.store import migrations, tables


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
    records.ElementInstance: _table(tables.ElementInstanceTable),
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
    migrations.migrate(db, list(TABLE_OF.values()), _table(tables.MetaTable))
    return db


class _TableWriter:
    """One table's upsert and delete as driver SQL, compiled once, with the columns' bind processors:
    a commit then costs the driver's executemany, not SQLAlchemy's per-statement machinery."""

    def __init__(self, db: Engine, table: Any, insert: Any, pk: str) -> None:
        statement = insert(table)
        columns = {c.name: statement.excluded[c.name] for c in table.columns if c.name != pk}
        upsert = statement.on_conflict_do_update(index_elements=[pk], set_=columns)
        self.upsert_sql, self.upsert_names = self._compile(db, upsert, [c.name for c in table.columns])
        self.delete_sql, self.delete_names = self._compile(db, delete(table).where(table.c[pk] == bindparam(pk)), [pk])
        self.processors = {}
        for column in table.columns:
            processor = column.type.dialect_impl(db.dialect).bind_processor(db.dialect)
            if processor is not None:
                self.processors[column.name] = processor
        self.positional = db.dialect.positional

    @staticmethod
    def _compile(db: Engine, statement: Any, names: list[str]) -> tuple[str, list[str]]:
        compiled = statement.compile(dialect=db.dialect, column_keys=names)
        order = list(compiled.positiontup or []) if db.dialect.positional else names
        return str(compiled), order

    def params(self, rows: Iterable[dict[str, Any]], names: list[str]) -> list[Any]:
        processors = self.processors
        out: list[Any] = []
        for row in rows:
            values = {n: (processors[n](row[n]) if n in processors else row[n]) for n in names}
            out.append(tuple(values[n] for n in names) if self.positional else values)
        return out


class Store:
    def __init__(self, db: Engine) -> None:
        self.db = db
        self._insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
        self._writers: dict[str, _TableWriter] = {}
        self._raw: Any = None  # the driver connection every commit writes through (one writer)
        self._write_lock = threading.Lock()

    def load(self, kind: type, *where: Any, skip: tuple[str, ...] = ()) -> list[Any]:
        """The records of `kind` matching `where`; the fields in `skip` are not read (left at their
        defaults), e.g. an instance's state, read only when a command needs it."""
        table = TABLE_OF[kind]
        fields = [f.name for f in dataclasses.fields(kind)]
        names = [n for n in fields if n not in skip]
        with self.db.connect() as conn:
            rows = conn.execute(select(*[table.c[n] for n in names]).where(*where)).all()
        if names == fields[: len(names)]:  # the columns in field order: positional is cheapest
            return [kind(*row) for row in rows]
        return [kind(**dict(zip(names, row, strict=True))) for row in rows]

    def instance_table(self) -> Any:
        return TABLE_OF[records.Instance]

    def element_table(self) -> Any:
        return TABLE_OF[records.ElementInstance]

    def element_instances(self, *where: Any) -> list[records.ElementInstance]:
        """Element-instance history rows, oldest first."""
        found = self.load(records.ElementInstance, *where)
        return sorted(found, key=lambda e: e.position)

    def open_user_tasks(self) -> Any:
        """The condition of the user tasks still open (completed ones are history, not loaded)."""
        return TABLE_OF[records.UserTask].c.state == records.UserTaskState.CREATED

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
        self.commit_all([changes])

    def commit_all(self, batch: list[Changes]) -> None:
        """Write several commands' changes in one transaction, in order (a later one wins)."""
        batch = [c for c in batch if not c.empty()]
        if not batch:
            return
        with self._write_lock:
            raw = self._connection()
            cursor = raw.cursor()
            try:
                for changes in batch:
                    self._write(cursor, changes)
                raw.commit()
            except BaseException:
                self._discard_connection()
                raise
            finally:
                with contextlib.suppress(Exception):
                    cursor.close()

    def _write(self, cursor: Any, changes: Changes) -> None:
        for kind, keys in changes.deletes.items():
            if keys:
                writer = self._writer(TABLE_OF[kind])
                cursor.executemany(writer.delete_sql, writer.params(({"key": k} for k in keys), writer.delete_names))
        for kind, by_key in changes.upserts.items():
            if by_key:
                names = _FIELDS.setdefault(kind, [f.name for f in dataclasses.fields(kind)])
                writer = self._writer(TABLE_OF[kind])
                # shallow: rows are written at once, so nested values need no copy
                rows = ({n: getattr(r, n) for n in names} for r in by_key.values())
                cursor.executemany(writer.upsert_sql, writer.params(rows, writer.upsert_names))
        if changes.next_key is not None:
            writer = self._writer(_table(tables.MetaTable), pk="name")
            meta_rows = [{"name": "next_key", "value": changes.next_key}]
            cursor.executemany(writer.upsert_sql, writer.params(meta_rows, writer.upsert_names))

    def _writer(self, table: Any, pk: str = "key") -> _TableWriter:
        writer = self._writers.get(table.name)
        if writer is None:
            writer = self._writers[table.name] = _TableWriter(self.db, table, self._insert, pk)
        return writer

    def _connection(self) -> Any:
        if self._raw is None:
            self._raw = self.db.raw_connection()
        return self._raw

    def _discard_connection(self) -> None:
        """After a failed write the transaction is rolled back and the connection dropped (a broken
        PostgreSQL connection must not be reused); the next commit opens a fresh one."""
        raw, self._raw = self._raw, None
        if raw is not None:
            with contextlib.suppress(Exception):
                raw.rollback()
            with contextlib.suppress(Exception):
                raw.invalidate()

    def close(self) -> None:
        with self._write_lock:
            raw, self._raw = self._raw, None
            if raw is not None:
                with contextlib.suppress(Exception):
                    raw.close()
