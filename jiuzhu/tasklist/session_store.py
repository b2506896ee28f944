"""Server-side record of signed-in sessions: a signed cookie alone no longer proves a session.

Sign-in adds the session id, sign-out removes it, a new password removes all of that login's
(``credentials.set_password``); a cookie whose id is not here is treated as signed out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select

from jiuzhu.tasklist.credentials import sessions


class SessionStore:
    def __init__(self, db: Engine, max_age_s: int) -> None:
        self.db = db
        self.max_age = timedelta(seconds=max_age_s)

    def _oldest_live(self) -> datetime:
        return datetime.now(UTC) - self.max_age

    def open(self, sid: str, login: str) -> None:
        with self.db.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.created_at < self._oldest_live()))  # expired ones
            conn.execute(insert(sessions).values(sid=sid, login=login, created_at=datetime.now(UTC)))

    def is_live(self, sid: str, login: str) -> bool:
        with self.db.connect() as conn:
            row = conn.execute(
                select(sessions.c.created_at).where(sessions.c.sid == sid, sessions.c.login == login)
            ).first()
        if row is None:
            return False
        created: datetime = row[0] if row[0].tzinfo else row[0].replace(tzinfo=UTC)  # SQLite drops the zone
        return created >= self._oldest_live()

    def close(self, sid: str) -> None:
        with self.db.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.sid == sid))

    def close_all(self, login: str) -> None:
        with self.db.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.login == login))
