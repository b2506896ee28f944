"""Run the case-record migrations from Python and compare the result with the models.

``alembic -c schemas/alembic.ini upgrade head`` does the same from a shell (URL from
``JIUZHU_DATABASE_URL``). The case record keeps its own version table so it can share a database
with the engine's tables, which Alembic here neither sees nor touches.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from schemas.tables import metadata

HERE = Path(__file__).resolve().parent
VERSION_TABLE = "case_record_version"


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Only the case record's tables: the engine's tables and our version table are not ours to diff."""
    if type_ == "table":
        return name in metadata.tables
    return True


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(HERE / "alembic.ini"))
    config.set_main_option("script_location", str(HERE / "migrations"))
    if url is not None:
        # ConfigParser interpolates '%': a password with '%' must survive.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


_UPGRADE_LOCK = threading.Lock()


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the case record. Serialised in the process: `jiuzhu up --demo` seeds while the
    workers start, and two concurrent upgrades of one SQLite file collide."""
    with _UPGRADE_LOCK:
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def schema_differences(connection: Connection) -> list[Any]:
    """What autogenerate would still change; empty when the database matches the models."""
    context = MigrationContext.configure(
        connection,
        opts={"include_name": include_name, "compare_type": True, "version_table": VERSION_TABLE},
    )
    return list(compare_metadata(context, metadata))
