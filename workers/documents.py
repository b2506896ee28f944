"""Notices rendered to HTML from ``templates/notices/*.html.j2`` and written under the data dir.

The rendered HTML is also kept in the job's audit-log row (append-only), so the case record holds
exactly what was issued even if the data dir is lost.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from jiuzhu.policy import CST
from jiuzhu.policy.money import format_yuan

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "notices"


def _yuan(amount: Decimal | float | int | None) -> str:
    return "" if amount is None else format_yuan(Decimal(str(amount)))


def _cn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(CST).date()
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass(frozen=True)
class Document:
    path: Path  # relative to the data dir
    html: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.html.encode("utf-8")).hexdigest()

    def audit(self) -> dict[str, Any]:
        return {"path": self.path.as_posix(), "sha256": self.sha256, "html": self.html}


class DocumentRenderer:
    def __init__(self, data_dir: Path, templates: Path = TEMPLATES) -> None:
        self.data_dir = data_dir
        self.env = Environment(
            loader=FileSystemLoader(templates), autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True
        )
        self.env.filters["yuan"] = _yuan
        self.env.filters["cn_date"] = _cn_date

    def render(self, template: str, relative: Path, **context: Any) -> Document:
        """Render ``template`` and write it to ``<data_dir>/<relative>`` (same name: replaced)."""
        html = self.env.get_template(template).render(**context)
        target = self.data_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_text(html, "utf-8")
        temporary.replace(target)
        return Document(relative, html)
