"""The ways a message leaves the system, behind one small interface: ``send(message)`` raises on failure.

* e-mail over SMTP (``JIUZHU_SMTP_URL``: ``smtp://host:port``, ``smtp+starttls://user:pass@host``,
  ``smtps://user:pass@host``), with the standard library's ``smtplib``;
* SMS and WeCom through a provider's HTTP API (``HttpSender``): a JSON POST the provider's adapter
  or gateway accepts. The in-app channel needs no sender: its rows are the 消息 centre.
"""

from __future__ import annotations

import hashlib
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol
from urllib.parse import unquote, urlsplit

import httpx


@dataclass(frozen=True)
class Outgoing:
    key: str
    address: str
    subject: str
    body: str
    link: str | None


class Channel(Protocol):
    name: str

    def send(self, message: Outgoing) -> None: ...


class SmtpChannel:
    name = "email"

    def __init__(self, url: str, sender: str, timeout_s: float = 20.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
            raise ValueError(
                f"JIUZHU_SMTP_URL 须形如 smtp://主机:端口 或 smtps://用户:密码@主机，实际为 {parts.scheme}://…"
            )
        self.ssl = parts.scheme == "smtps"
        self.starttls = parts.scheme == "smtp+starttls"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.ssl else 587 if self.starttls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout_s = timeout_s

    def message(self, outgoing: Outgoing) -> EmailMessage:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, outgoing.address, outgoing.subject
        mail["Date"] = formatdate(localtime=False)
        # The same outbox row always has the same Message-ID: a receiver can drop a resend.
        digest = hashlib.sha256(outgoing.key.encode()).hexdigest()[:32]
        mail["Message-ID"] = f"<{digest}@jiuzhu>"
        mail.set_content(outgoing.body)
        return mail

    def send(self, message: Outgoing) -> None:
        smtp_class = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(self.message(message))


class HttpSender:
    """A provider's HTTP API: ``POST url`` with ``{"to", "text", "key"}``; any non-2xx is a failure."""

    def __init__(self, name: str, url: str, token: str | None = None, timeout_s: float = 10.0) -> None:
        self.name, self.url, self.token, self.timeout_s = name, url, token, timeout_s

    def send(self, message: Outgoing) -> None:
        text = f"{message.subject}\n{message.body}"
        headers = {"Idempotency-Key": message.key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response = httpx.post(
            self.url, json={"to": message.address, "text": text, "key": message.key}, headers=headers,
            timeout=self.timeout_s,
        )  # fmt: skip
        if response.status_code // 100 != 2:
            raise RuntimeError(f"{self.name} 网关返回 {response.status_code}：{response.text[:200]}")
