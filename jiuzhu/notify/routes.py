"""Who is told what, and how: the county's notification routes (data, not code).

The packaged ``routes.json`` is the default; a county changes it by putting its own
``notify-routes.json`` in the data directory. Every event names its recipients (caseworker,
leader, county, administrator), its channels and its texts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGED = Path(__file__).with_name("routes.json")
COUNTY_FILE = "notify-routes.json"
RECIPIENTS = frozenset({"caseworker", "leader", "county", "administrator", "group"})  # group: the task's
CHANNELS = frozenset({"inapp", "email", "sms", "wecom"})


class RoutesError(ValueError):
    """The county's routes file is not usable (the message says where)."""


@dataclass(frozen=True)
class Route:
    to: tuple[str, ...]
    channels: tuple[str, ...]
    subject: str
    body: str


@dataclass(frozen=True)
class Routes:
    events: dict[str, Route]
    email_domain: str | None = None  # staff without an address get <login>@<domain>
    county_mailbox: str | None = None
    administrators: tuple[str, ...] = ()  # e-mail addresses
    relief_unpaid_after_hours: float = 20
    source: Path = field(default=PACKAGED)

    def route(self, event: str) -> Route | None:
        return self.events.get(event)


def parse_routes(raw: dict[str, Any], source: Path) -> Routes:
    events: dict[str, Route] = {}
    for name, spec in (raw.get("events") or {}).items():
        to, channels = tuple(spec.get("to", ())), tuple(spec.get("channels", ()))
        unknown = [*(set(to) - RECIPIENTS), *(set(channels) - CHANNELS)]
        if unknown:
            raise RoutesError(f"{source}: 事件 {name} 的收件人或渠道无法识别：{', '.join(sorted(unknown))}")
        if not spec.get("subject") or not spec.get("body"):
            raise RoutesError(f"{source}: 事件 {name} 缺少 subject 或 body")
        events[name] = Route(to, channels, str(spec["subject"]), str(spec["body"]))
    return Routes(
        events=events,
        email_domain=raw.get("emailDomain") or None,
        county_mailbox=raw.get("countyMailbox") or None,
        administrators=tuple(raw.get("administrators") or ()),
        relief_unpaid_after_hours=float(raw.get("reliefUnpaidAfterHours", 20)),
        source=source,
    )


def load_routes(data_dir: Path | None) -> Routes:
    """The county's file if there is one, else the packaged default."""
    path = data_dir / COUNTY_FILE if data_dir is not None else None
    source = path if path is not None and path.is_file() else PACKAGED
    try:
        raw = json.loads(source.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise RoutesError(f"{source}: 无法读取通知规则：{error}") from error
    return parse_routes(raw, source)
