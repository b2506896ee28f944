"""The SMTP channel's URL (``JIUZHU_SMTP_URL``) and a login against a real local server."""

from __future__ import annotations

from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from jiuzhu.notify import Outgoing, SmtpChannel
from jiuzhu.testing.live import free_port
from tests.notify.mailbox import Mailbox, body_of


def test_smtp_urls() -> None:
    plain = SmtpChannel("smtp://mail.local:2525", "jiuzhu@gd.example")
    assert (plain.host, plain.port, plain.ssl, plain.starttls, plain.user) == ("mail.local", 2525, False, False, None)
    secure = SmtpChannel("smtps://notice%40gd.example:p%40ss@mail.gd.example", "jiuzhu@gd.example")
    assert (secure.port, secure.ssl, secure.user, secure.password) == (465, True, "notice@gd.example", "p@ss")
    assert SmtpChannel("smtp+starttls://u:p@mx", "x@y").port == 587
    with pytest.raises(ValueError, match="JIUZHU_SMTP_URL"):
        SmtpChannel("http://mail.local", "x@y")


def test_a_login_and_a_stable_message_id() -> None:
    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"notice", b"s3cret")
        return AuthResult(success=ok)

    box = Mailbox(port=free_port())
    controller = Controller(
        box, hostname="127.0.0.1", port=box.port, authenticator=authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        body = "请审批\n\n查看案件：http://tl/cases/1"
        message = Outgoing("sla.warning:1:x:email:wang", "wang@gd.example", "预警", body, None)
        SmtpChannel(f"smtp://notice:s3cret@127.0.0.1:{box.port}", "jiuzhu@gd.example").send(message)
        SmtpChannel(f"smtp://notice:s3cret@127.0.0.1:{box.port}", "jiuzhu@gd.example").send(message)
    finally:
        controller.stop()
    first, again = box.mails
    assert first["Message-ID"] == again["Message-ID"]  # a resend of one row is recognisable
    assert str(first["Subject"]) == "预警" and "http://tl/cases/1" in body_of(first)
