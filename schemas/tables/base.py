"""The case record's own ``MetaData`` and the column types every table uses.

The case record lives beside the engine's tables (which use SQLModel's default metadata) but is
migrated by Alembic on its own, so it gets its own ``MetaData`` with a naming convention: named
constraints are what lets later migrations drop or alter them on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Dialect, MetaData, Numeric, TypeDecorator
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Money: yuan with fen, up to 9,999,999,999.99 — always Decimal, never float.
MONEY = Numeric(12, 2, asdecimal=True)


class CaseRecordModel(SQLModel):
    """Base of every case-record table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware instants, stored in UTC.

    Naive datetimes are refused: a naive value is ambiguous between China time and UTC, and
    deadlines computed from it would be 8 hours off. SQLite drops the offset on the way back, so
    values read back are marked UTC again.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: pass a timezone-aware instant")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def enum_type(enum_cls: type[enum.Enum]) -> SAEnum:
    """A VARCHAR(32) holding the member name; no native type, so adding a member needs no DDL."""
    return SAEnum(enum_cls, native_enum=False, create_constraint=False, length=32)


def enum_field(enum_cls: type[enum.Enum], *, default: Any = ..., nullable: bool = False, index: bool = False) -> Any:
    return Field(default=default, sa_column=Column(enum_type(enum_cls), nullable=nullable, index=index))


def instant_field(*, nullable: bool = False, index: bool = False, now: bool = False) -> Any:
    """A UTC timestamp column; ``now`` fills it with the current instant when omitted."""
    if now:
        return Field(default_factory=utc_now, sa_column=Column(UtcDateTime(), nullable=nullable, index=index))
    default = None if nullable else ...
    return Field(default=default, sa_column=Column(UtcDateTime(), nullable=nullable, index=index))


def money_field(*, nullable: bool = False) -> Any:
    default = None if nullable else ...
    return Field(default=default, sa_column=Column(MONEY, nullable=nullable))


def process_key_field(*, unique: bool = False) -> Any:
    """Zeebe keys are 64-bit."""
    return Field(default=None, sa_column=Column(BigInteger, nullable=True, unique=unique, index=not unique))


__all__ = [
    "MONEY",
    "CaseRecordModel",
    "UtcDateTime",
    "enum_field",
    "enum_type",
    "instant_field",
    "money_field",
    "process_key_field",
    "utc_now",
]
