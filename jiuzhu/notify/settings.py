"""Notification channels from the environment: ``JIUZHU_SMTP_URL``, ``JIUZHU_SMS_URL``, ``JIUZHU_WECOM_URL``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jiuzhu.notify.channels import Channel, HttpSender, SmtpChannel


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIUZHU_", extra="ignore")

    smtp_url: str | None = None  # smtp://host:port, smtp+starttls://user:pass@host, smtps://user:pass@host
    smtp_from: str = "jiuzhu@localhost"
    sms_url: str | None = None  # the SMS provider's HTTP API (or its adapter)
    sms_token: str | None = None
    wecom_url: str | None = None  # WeCom (企业微信) application messages, through its adapter
    wecom_token: str | None = None
    notify_interval_s: float = Field(default=2.0, gt=0)  # how often the outbox is looked at

    def channels(self) -> dict[str, Channel]:
        """Only the channels configured: a row for another channel waits, and says why."""
        found: dict[str, Channel] = {}
        if self.smtp_url:
            found["email"] = SmtpChannel(self.smtp_url, self.smtp_from)
        if self.sms_url:
            found["sms"] = HttpSender("sms", self.sms_url, self.sms_token)
        if self.wecom_url:
            found["wecom"] = HttpSender("wecom", self.wecom_url, self.wecom_token)
        return found
