"""A real SMTP server on a free local port (aiosmtpd) that keeps what it is sent."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

from jiuzhu.testing.live import free_port


@dataclass
class Mailbox:
    port: int = 0
    mails: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.mails if address in str(m["To"])]

    def wait_for(self, address: str, subject_part: str, timeout: float = 60.0) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for mail in self.to(address):
                if subject_part in str(mail["Subject"]):
                    return mail
            time.sleep(0.2)
        seen = [(str(m["To"]), str(m["Subject"])) for m in self.mails]
        raise AssertionError(f"no mail to {address} about {subject_part!r} within {timeout}s; got {seen}")


def body_of(mail: Message) -> str:
    part = mail.get_body(preferencelist=("plain",)) if hasattr(mail, "get_body") else mail
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
