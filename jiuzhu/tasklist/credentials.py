"""Task-list passwords: argon2 hashes in their own table, keyed by the staff login.

The case record's ``staff`` table says who someone is and what they may do; how they prove it is
the task list's business, so the hashes live beside it (``tasklist_credentials``, own metadata,
created on start-up) and never in the case record. ``tasklist_sessions`` lists the sessions signed
in with them, so a sign-out or a new password ends a session on the server, not only in a cookie.
"""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

metadata = MetaData()
credentials = Table(
    "tasklist_credentials",
    metadata,
    Column("login", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "tasklist_sessions",
    metadata,
    Column("sid", String(64), primary_key=True),
    Column("login", String(64), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

_hasher = PasswordHasher()
# Verifying against this when the login is unknown costs the same time as a real check.
_DUMMY_HASH = _hasher.hash("jiuzhu: no such user")
MIN_LENGTH = 10


class WeakPasswordError(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"密码至少需要 {MIN_LENGTH} 个字符")
    return _hasher.hash(password)


def create_tables(db: Engine) -> None:
    metadata.create_all(db)


def set_password(db: Engine, login: str, password: str) -> None:
    hashed = hash_password(password)
    insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    row = {"login": login, "password_hash": hashed, "updated_at": datetime.now(UTC)}
    stmt = insert(credentials).values(row)
    stmt = stmt.on_conflict_do_update(index_elements=["login"], set_={k: stmt.excluded[k] for k in row if k != "login"})
    with db.begin() as conn:
        conn.execute(stmt)
        # A new password ends every session signed in with the old one (a stolen cookie included).
        conn.execute(delete(sessions).where(sessions.c.login == login))


def verify_password(db: Engine, login: str, password: str) -> bool:
    with db.connect() as conn:
        stored = conn.execute(select(credentials.c.password_hash).where(credentials.c.login == login)).scalar()
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def stored_hash(db: Engine, login: str) -> str | None:
    with db.connect() as conn:
        value = conn.execute(select(credentials.c.password_hash).where(credentials.c.login == login)).scalar()
    return str(value) if value is not None else None
