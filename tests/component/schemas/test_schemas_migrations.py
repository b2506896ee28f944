"""Migrations: head matches the models exactly, base removes everything, and back again."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from schemas import migrate
from schemas.db import make_engine
from schemas.tables import metadata

pytestmark = pytest.mark.component


def test_upgrade_head_matches_the_models_and_downgrade_base_removes_them(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as conn:
            assert set(metadata.tables) <= set(inspect(conn).get_table_names())
            assert migrate.schema_differences(conn) == []

        migrate.downgrade(empty_db_url)
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == {migrate.VERSION_TABLE}

        # A database taken down to base can be brought up again.
        migrate.upgrade(empty_db_url)
        with engine.connect() as conn:
            assert migrate.schema_differences(conn) == []
    finally:
        engine.dispose()


def test_comparison_notices_a_missing_table(empty_db_url: str) -> None:
    """The check is not vacuous: a table the models have and the database lacks is reported."""
    migrate.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE referrals")
        with engine.connect() as conn:
            differences = migrate.schema_differences(conn)
        assert [(d[0], d[1].name) for d in differences if d[0] == "add_table"] == [("add_table", "referrals")]
    finally:
        engine.dispose()


def test_tables_of_other_parts_are_left_alone(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE engine_jobs (key BIGINT PRIMARY KEY)")
        migrate.upgrade(empty_db_url)
        with engine.connect() as conn:
            assert migrate.schema_differences(conn) == []
        migrate.downgrade(empty_db_url)
        with engine.connect() as conn:
            assert "engine_jobs" in inspect(conn).get_table_names()
    finally:
        engine.dispose()
