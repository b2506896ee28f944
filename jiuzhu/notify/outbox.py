"""Writing messages into the outbox, in the caller's transaction (see ``schemas.tables.notifications``).

``enqueue`` resolves an event's recipients from the routes and the staff table, renders the texts
and adds one row per recipient and channel. The row key names the event, the case, the occasion
(e.g. the due day), the channel and the recipient: the same occasion never adds a second row.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from jiuzhu.notify.routes import Route, Routes
from schemas.enums import StaffRole
from schemas.tables import Case, Notification, Staff, Township

log = logging.getLogger(__name__)

_ROLE_OF = {"caseworker": StaffRole.CASEWORKER, "leader": StaffRole.LEADER, "county": StaffRole.COUNTY_SUPERVISOR}


@dataclass(frozen=True)
class Recipient:
    login: str | None
    name: str
    email: str | None
    phone: str | None


def recipients(
    session: Session, route: Route, routes: Routes, township_id: int | None, group: StaffRole | None = None
) -> list[Recipient]:
    found: dict[str, Recipient] = {}
    for kind in route.to:
        role = group if kind == "group" else _ROLE_OF.get(kind)
        if role is not None:
            query = select(Staff).where(Staff.role == role, col(Staff.active).is_(True)).order_by(col(Staff.id))
            for staff in session.exec(query):
                if role is not StaffRole.COUNTY_SUPERVISOR and staff.township_id != township_id:
                    continue
                email = staff.email or (
                    f"{staff.login}@{routes.email_domain}" if staff.login and routes.email_domain else None
                )
                person = Recipient(staff.login, staff.name, email, staff.phone)
                found.setdefault(staff.login or f"staff:{staff.id}", person)
        if kind == "county" and routes.county_mailbox:
            found.setdefault(routes.county_mailbox, Recipient(None, "县民政局", routes.county_mailbox, None))
        if kind == "administrator":
            for address in routes.administrators:
                found.setdefault(address, Recipient(None, "系统管理员", address, None))
    return list(found.values())


def _address(recipient: Recipient, channel: str) -> str | None:
    if channel == "inapp" or channel == "wecom":
        return recipient.login  # the WeCom user id is the login
    if channel == "email":
        return recipient.email
    return recipient.phone


def _key(event: str, case: Case | None, occasion: str, channel: str, person: Recipient) -> str:
    return f"{event}:{case.id if case else '-'}:{occasion}:{channel}:{person.login or person.email}"[:200]


class _Facts(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def case_facts(session: Session, case: Case, link: str | None) -> dict[str, Any]:
    township = session.get(Township, case.township_id)
    return {
        "caseNumber": case.case_number,
        "scheme": case.type.value,
        "township": township.name if township else "",
        "due": case.decision_due.isoformat() if case.decision_due else "",
        "link": link or "",
    }


def enqueue(
    session: Session,
    routes: Routes,
    event: str,
    *,
    case: Case | None,
    occasion: str,
    now: datetime,
    link_base: str | None = None,
    facts: Mapping[str, Any] | None = None,
    group: StaffRole | None = None,
) -> list[str]:
    """Add the event's messages; returns the logins told (for the job's output and audit row)."""
    route = routes.route(event)
    if route is None:
        log.info("no notification route for %s: nobody is told", event)
        return []
    link = f"{(link_base or '').rstrip('/')}/cases/{case.id}" if case is not None else None
    values = _Facts(case_facts(session, case, link) if case is not None else {})
    values.update(facts or {})
    subject = route.subject.format_map(values)
    body = route.body.format_map(values) + (f"\n\n查看案件：{link}" if link else "")
    told: list[str] = []
    people = recipients(session, route, routes, case.township_id if case is not None else None, group)
    keys = [_key(event, case, occasion, channel, person) for person in people for channel in route.channels]
    existing = set(session.exec(select(Notification.key).where(col(Notification.key).in_(keys))))
    for person in people:
        if person.login and person.login not in told:
            told.append(person.login)
        for channel in route.channels:
            key = _key(event, case, occasion, channel, person)
            if key in existing:
                continue
            address = _address(person, channel)
            if channel == "inapp" and address is None:
                continue  # a mailbox has no 消息 centre
            row = Notification(
                key=key,
                event=event,
                case_id=case.id if case is not None else None,
                channel=channel,
                recipient_login=person.login,
                address=address,
                subject=subject[:200],
                body=body,
                link=link,
                created_at=now,
            )
            if channel == "inapp":
                row.status, row.sent_at = "sent", now  # delivered by being written
            elif address is None:
                # Said, not swallowed: the row shows who could not be reached and why.
                row.status, row.last_error = "failed", f"{person.name}未登记{_LABELS[channel]}，无法发送"
                _warn_once(person, channel)
            session.add(row)
    return told


_warned: set[tuple[str, str]] = set()


def _warn_once(person: Recipient, channel: str) -> None:
    """The rows say it each time; the log says it once per person and channel."""
    if (person.name, channel) not in _warned:
        _warned.add((person.name, channel))
        log.warning("notifications: %s has no %s address (the rows are marked failed)", person.name, channel)


_LABELS = {"email": "电子邮箱", "sms": "手机号码", "wecom": "企业微信账号"}
