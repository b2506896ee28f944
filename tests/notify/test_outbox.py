"""The outbox: routes as county data, one row per recipient and channel, deduplicated, sent by a
dispatcher over a real local SMTP server and a fake SMS gateway, retried with back-off."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from sqlmodel import Session, select

from jiuzhu.notify import Dispatcher, HttpSender, Outgoing, SmtpChannel, load_routes
from jiuzhu.notify.routes import RoutesError
from schemas.enums import CaseStatus, Programme
from schemas.tables import Notification, Staff
from tests.component.workers.test_workers_exclusion import MARCH, approve, legacy_case, schedule
from tests.notify.mailbox import body_of, smtp_server
from tests.workers.harness import World, accept_vars
from tests.workers.test_rules import accepted


def routes_file(world: World, **changes: Any) -> None:
    raw = json.loads(load_routes(None).source.read_text("utf-8"))
    raw.update(changes)
    (world.data_dir / "notify-routes.json").write_text(json.dumps(raw, ensure_ascii=False), "utf-8")


def rows(world: World) -> list[Notification]:
    with Session(world.services.db) as session:
        return list(session.exec(select(Notification).order_by(Notification.id)))  # type: ignore[arg-type]


def escalate(world: World, case_id: int, level: str = "warning") -> dict[str, Any]:
    return world.ok("sla.escalate", {"caseId": case_id, "level": level, "decisionDue": "2026-03-16"})


def test_day_eight_tells_the_caseworkers_and_the_leader_once(world: World) -> None:
    routes_file(world, emailDomain="gd.example")
    case = accepted(world)
    escalate(world, case["caseId"])
    escalate(world, case["caseId"])  # a second job for the same warning (a re-run timer)
    found = rows(world)
    assert sorted((r.channel, r.recipient_login) for r in found) == sorted(
        (channel, login)
        for login in ("taozhou.jingban", "taozhou.jingban2", "taozhou.lingdao")
        for channel in ("inapp", "email")
    )
    mail = next(r for r in found if r.channel == "email" and r.recipient_login == "taozhou.lingdao")
    assert mail.address == "taozhou.lingdao@gd.example" and mail.status == "pending"
    assert f"/cases/{case['caseId']}" in mail.body and case["caseNumber"] in mail.subject
    assert "2026-03-16" in mail.body
    assert all(r.status == "sent" for r in found if r.channel == "inapp")  # the 消息 centre has them


def test_a_breach_tells_the_county(world: World) -> None:
    case = accepted(world)
    out = escalate(world, case["caseId"], "overdue")
    assert out["escalatedTo"] == ["county.minzheng", "county.minzheng2"]
    assert {r.recipient_login for r in rows(world)} == {"county.minzheng", "county.minzheng2"}


def test_staff_without_an_address_is_said_not_swallowed(world: World) -> None:
    case = accepted(world)  # the packaged routes have no e-mail domain; the demo staff no e-mail
    escalate(world, case["caseId"], "overdue")
    mails = [r for r in rows(world) if r.channel == "email"]
    assert mails and all(r.status == "failed" and "未登记电子邮箱" in (r.last_error or "") for r in mails)


def test_a_registered_email_is_used(world: World) -> None:
    with Session(world.services.db) as session, session.begin():
        staff = session.exec(select(Staff).where(Staff.login == "county.minzheng")).one()
        staff.email = "shen@minzheng.example"
        session.add(staff)
    escalate(world, accepted(world)["caseId"], "overdue")
    [mail] = [r for r in rows(world) if r.channel == "email" and r.recipient_login == "county.minzheng"]
    assert mail.address == "shen@minzheng.example" and mail.status == "pending"


def test_routes_are_the_countys_data(world: World) -> None:
    routes_file(world, events={"sla.warning": {"to": ["leader"], "channels": ["inapp"], "subject": "预警 {caseNumber}",
                                               "body": "{township}"}})  # fmt: skip
    out = escalate(world, accepted(world)["caseId"])
    assert out["escalatedTo"] == ["taozhou.lingdao"]
    [row] = rows(world)
    assert row.body.startswith("桃州镇")
    (world.data_dir / "notify-routes.json").write_text('{"events": {"x": {"to": ["mayor"]}}}', "utf-8")
    with pytest.raises(RoutesError, match="mayor"):
        load_routes(world.data_dir)


def test_the_dispatcher_mails_through_a_real_smtp_server(world: World) -> None:
    routes_file(world, emailDomain="gd.example")
    case = accepted(world)
    escalate(world, case["caseId"])
    with smtp_server() as box:
        dispatcher = Dispatcher(world.services.db, {"email": SmtpChannel(box.url, "jiuzhu@gd.example")})
        assert dispatcher.run_once() == 3
        assert dispatcher.run_once() == 0  # nothing twice
    assert sorted(str(m["To"]) for m in box.mails) == [
        "taozhou.jingban2@gd.example", "taozhou.jingban@gd.example", "taozhou.lingdao@gd.example",
    ]  # fmt: skip
    mail = box.to("taozhou.lingdao@gd.example")[0]
    assert case["caseNumber"] in str(mail["Subject"]) and f"/cases/{case['caseId']}" in body_of(mail)
    assert all(r.status == "sent" and r.attempts == 1 for r in rows(world) if r.channel == "email")


class FlakyGateway(BaseHTTPRequestHandler):
    """A provider's SMS API: refuses the first request, then accepts."""

    received: ClassVar[list[dict[str, Any]]] = []
    refuse = 1

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        cls = type(self)
        if cls.refuse > 0:
            cls.refuse -= 1
            self.send_response(503)
        else:
            cls.received.append({**body, "idempotency": self.headers["Idempotency-Key"]})
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), FlakyGateway)
    FlakyGateway.received, FlakyGateway.refuse = [], 1
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms"
    server.shutdown()


def test_a_failed_send_is_retried_after_its_back_off(world: World, gateway: str) -> None:
    with Session(world.services.db) as session, session.begin():
        leader = session.exec(select(Staff).where(Staff.login == "taozhou.lingdao")).one()
        leader.phone = "13800000000"
        session.add(leader)
    routes_file(world, events={"sla.warning": {"to": ["leader"], "channels": ["sms"], "subject": "预警 {caseNumber}",
                                               "body": "请于 {due} 前审批"}})  # fmt: skip
    escalate(world, accepted(world)["caseId"])
    now = [datetime(2026, 3, 2, 1, 0, tzinfo=UTC)]
    dispatcher = Dispatcher(world.services.db, {"sms": HttpSender("sms", gateway)}, clock=lambda: now[0])
    assert dispatcher.run_once() == 0  # the gateway refused
    [row] = rows(world)
    assert row.status == "pending" and row.attempts == 1 and "503" in (row.last_error or "")
    assert row.next_attempt_at == now[0] + dispatcher.delay(1)
    assert dispatcher.run_once() == 0  # not before its back-off
    now[0] += dispatcher.delay(1)
    assert dispatcher.run_once() == 1
    [sms] = FlakyGateway.received
    assert sms["to"] == "13800000000" and "请于 2026-03-16 前审批" in sms["text"] and sms["idempotency"] == row.key
    assert rows(world)[0].status == "sent"


def test_a_row_failing_every_attempt_ends_failed_with_its_reason(world: World) -> None:
    class Down:
        name = "email"

        def send(self, message: Outgoing) -> None:
            raise ConnectionRefusedError("邮件服务器拒绝连接")

    routes_file(world, emailDomain="gd.example")
    escalate(world, accepted(world)["caseId"], "overdue")
    now = [datetime(2026, 3, 2, 1, 0, tzinfo=UTC)]
    dispatcher = Dispatcher(world.services.db, {"email": Down()}, clock=lambda: now[0], max_attempts=3)
    for _ in range(3):
        dispatcher.run_once()
        now[0] += timedelta(hours=2)
    mails = [r for r in rows(world) if r.channel == "email"]
    assert mails and all(r.status == "failed" and r.attempts == 3 for r in mails)
    assert all("邮件服务器拒绝连接" in (r.last_error or "") for r in mails)


def test_a_leased_row_is_not_sent_by_a_second_dispatcher(world: World) -> None:
    routes_file(world, emailDomain="gd.example")
    escalate(world, accepted(world)["caseId"], "overdue")
    first = Dispatcher(world.services.db, {})
    claimed = first._claim()
    assert len(claimed) == 2
    assert Dispatcher(world.services.db, {})._claim() == []


def test_a_duplicate_recipient_tells_the_county_once(world: World) -> None:
    accepted_case = world.ok("application.accept", accept_vars(world.county, "zhang"))
    _, tekun_number = legacy_case(world, accepted_case, Programme.TEKUN, CaseStatus.APPROVED, [MARCH])
    decision = approve(world, accepted_case)
    schedule(world, accepted_case, decision)  # flags again (payment.schedule): same case and month
    found = [r for r in rows(world) if r.event == "duplicate.recipient"]
    assert sorted((r.channel, r.recipient_login) for r in found) == [
        ("email", "county.minzheng"), ("email", "county.minzheng2"),
        ("inapp", "county.minzheng"), ("inapp", "county.minzheng2"),
    ]  # fmt: skip
    assert all(tekun_number in r.body and f"/cases/{accepted_case['caseId']}" in r.body for r in found)
