"""The table models without a database: metadata, constraints, the UTC column type."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import UniqueConstraint
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from jiuzhu.policy import CST
from schemas.tables import Payment, UtcDateTime, metadata

pytestmark = pytest.mark.unit

CASE_RECORD_TABLES = {
    "townships",
    "villages",
    "staff",
    "households",
    "members",
    "cases",
    "economic_checks",
    "economic_check_items",
    "home_visits",
    "visit_signatures",
    "decisions",
    "notifications",
    "training_sessions",
    "complaints",
    "register_imports",
    "register_households",
    "caseload_imports",
    "caseload_entries",
    "spot_check_draws",
    "spot_checks",
    "decision_addons",
    "publicity_notices",
    "publicity_rows",
    "objections",
    "written_notices",
    "payments",
    "payment_runs",
    "referrals",
    "audit_log",
}


def test_case_record_has_its_own_metadata() -> None:
    assert set(metadata.tables) == CASE_RECORD_TABLES
    assert metadata is not SQLModel.metadata
    assert not CASE_RECORD_TABLES & set(SQLModel.metadata.tables)


def test_payment_ledger_is_unique_per_case_and_per_household_scheme_and_month() -> None:
    uniques = {
        tuple(c.name for c in constraint.columns)
        for constraint in Payment.__table__.constraints  # type: ignore[attr-defined]
        if isinstance(constraint, UniqueConstraint)
    }
    assert ("case_id", "month", "kind", "run_month") in uniques
    assert ("idempotency_key",) in uniques
    # Across cases: one 按月发放/补发 row per household, scheme, month, kind and run.
    across = {
        tuple(c.name for c in index.columns): str(index.dialect_options["sqlite"]["where"])
        for index in Payment.__table__.indexes  # type: ignore[attr-defined]
        if index.unique
    }
    assert across == {("household_id", "scheme", "month", "kind", "run_month"): "kind IN ('MONTHLY', 'ARREARS')"}


def test_money_columns_are_numeric_12_2() -> None:
    for table in metadata.tables.values():
        for column in table.columns:
            if column.name in {"amount", "monthly_amount", "per_capita_income"}:
                assert (column.type.precision, column.type.scale) == (12, 2), f"{table.name}.{column.name}"  # type: ignore[attr-defined]


def test_every_constraint_is_named() -> None:
    for table in metadata.tables.values():
        for constraint in table.constraints:
            assert constraint.name, f"unnamed constraint on {table.name}"


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_utc_column_refuses_naive_and_stores_utc(dialect: object) -> None:
    column = UtcDateTime()
    with pytest.raises(ValueError, match="naive datetime 2026-03-02T09:30:00 refused"):
        column.process_bind_param(datetime(2026, 3, 2, 9, 30), dialect)  # type: ignore[arg-type]
    china = datetime(2026, 3, 2, 9, 30, tzinfo=CST)
    stored = column.process_bind_param(china, dialect)  # type: ignore[arg-type]
    assert stored == china and stored is not None and stored.tzinfo is UTC and stored.hour == 1
    # SQLite hands back naive values: they were stored in UTC.
    assert column.process_result_value(datetime(2026, 3, 2, 1, 30), dialect) == datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # type: ignore[arg-type]
