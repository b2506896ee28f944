"""Sending what the outbox holds: claim due rows, send each by its channel, record the outcome.

A row is claimed with a lease (two dispatchers never send one row at once), marked ``sent`` once its
channel accepted it, or retried with a growing back-off (on the wall clock: a controlled business
clock must not stop retries) until ``max_attempts``, then ``failed`` with the last error. Delivery
is at least once: a crash between the SMTP reply and the commit resends, with the same Message-ID.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from jiuzhu.notify.channels import Channel, Outgoing
from schemas.tables import Notification

log = logging.getLogger(__name__)


def wall_clock() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    def __init__(
        self,
        db: Engine,
        channels: Mapping[str, Channel],
        *,
        clock: Callable[[], datetime] = wall_clock,
        batch: int = 50,
        lease: timedelta = timedelta(minutes=2),
        backoff: timedelta = timedelta(seconds=5),
        backoff_max: timedelta = timedelta(hours=1),
        max_attempts: int = 10,
    ) -> None:
        self.db, self.channels, self.clock = db, dict(channels), clock
        self.batch, self.lease, self.backoff, self.backoff_max = batch, lease, backoff, backoff_max
        self.max_attempts = max_attempts

    def delay(self, attempts: int) -> timedelta:
        """5 s, 20 s, 80 s, … capped at an hour."""
        return min(self.backoff_max, self.backoff * 4 ** max(0, attempts - 1))

    def _claim(self) -> list[Notification]:
        """Due rows, each leased in its own short write: a round with nothing due writes nothing,
        and no transaction reads first and writes later (SQLite's lock-upgrade deadlock)."""
        now = self.clock()
        with Session(self.db, expire_on_commit=False) as session:
            due = session.exec(
                select(Notification)
                .where(
                    Notification.status == "pending",
                    or_(col(Notification.next_attempt_at).is_(None), col(Notification.next_attempt_at) <= now),
                    or_(col(Notification.lease_until).is_(None), col(Notification.lease_until) < now),
                )
                .order_by(col(Notification.id))
                .limit(self.batch)
            ).all()
        claimed = []
        for row in due:
            with Session(self.db) as session, session.begin():
                taken = session.execute(
                    update(Notification)
                    .where(
                        col(Notification.id) == row.id,
                        col(Notification.status) == "pending",
                        or_(col(Notification.lease_until).is_(None), col(Notification.lease_until) < now),
                    )
                    .values(lease_until=now + self.lease)
                )
            if taken.rowcount == 1:  # type: ignore[attr-defined]  # a CursorResult
                claimed.append(row)
        return claimed

    def run_once(self) -> int:
        """Send what is due; returns how many were sent."""
        sent = 0
        for row in self._claim():
            channel = self.channels.get(row.channel)
            error: str | None = None
            if channel is None:
                error = f"渠道 {row.channel} 未配置（如 JIUZHU_SMTP_URL）"
            else:
                try:
                    channel.send(Outgoing(row.key, row.address or "", row.subject, row.body, row.link))
                except Exception as failure:  # any sender failure is retried
                    error = f"{type(failure).__name__}: {failure}"
            self._record(row, error)
            sent += error is None
        return sent

    def _record(self, row: Notification, error: str | None) -> None:
        """One UPDATE, no read before it in its transaction (SQLite's lock-upgrade deadlock)."""
        now = self.clock()
        attempts = row.attempts + 1
        values: dict[str, object] = {"attempts": attempts, "lease_until": None}
        if error is None:
            values.update(status="sent", sent_at=now, last_error=None)
        elif attempts >= self.max_attempts:
            values.update(status="failed", last_error=error[:2000])
            log.error("notification %s failed for good after %d attempts: %s", row.key, attempts, error)
        else:
            values.update(last_error=error[:2000], next_attempt_at=now + self.delay(attempts))
            log.warning("notification %s not sent (attempt %d), retrying: %s", row.key, attempts, error)
        with Session(self.db) as session, session.begin():
            session.execute(update(Notification).where(col(Notification.id) == row.id).values(**values))
