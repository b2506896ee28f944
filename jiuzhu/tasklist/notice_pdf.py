"""A notice as PDF for 下载/打印: the stored file when it is sound, else rendered again on demand.

What was issued is the HTML kept in the issuing job's audit row (append-only). Its PDF under the
data dir is served when it exists and is set in the shipped font; when it is missing, or was drawn
before the font shipped (boxes on machines without CJK fonts), it is rendered again from that HTML
and stored in its place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from schemas.tables import AuditEntry
from workers.documents import html_to_pdf, uses_shipped_font

log = logging.getLogger(__name__)
ISSUING_JOBS = ("notice.issue-rejection", "notice.issue-decision")


@dataclass(frozen=True)
class NoticePdf:
    content: bytes
    rendered_now: bool  # True: the stored PDF was missing or unsound


def issued_html(db: Engine, case_id: int, notice_id: int) -> tuple[str, str | None] | None:
    """(HTML as issued, its PDF path relative to the data dir) from the issuing job's audit row."""
    with Session(db) as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.case_id == case_id, col(AuditEntry.action).in_(ISSUING_JOBS))
        ).all()
    for entry in entries:
        document = entry.details.get("document")
        if entry.details.get("noticeId") == notice_id and isinstance(document, dict) and document.get("html"):
            pdf = document.get("pdf") or {}
            return str(document["html"]), pdf.get("path") if isinstance(pdf, dict) else None
    return None


def notice_pdf(db: Engine, data_dir: Path | None, case_id: int, notice_id: int) -> NoticePdf | None:
    found = issued_html(db, case_id, notice_id)
    if found is None:
        return None
    html, relative = found
    stored = (data_dir / relative) if data_dir is not None and relative else None
    if stored is not None and stored.is_file():
        content = stored.read_bytes()
        if uses_shipped_font(content):
            return NoticePdf(content, rendered_now=False)
        log.warning("文书 PDF %s 未使用随附中文字体（可能显示为方框），已重新生成", stored)
    content = html_to_pdf(html, stored.parent if stored is not None else Path.cwd())
    if stored is not None:
        stored.parent.mkdir(parents=True, exist_ok=True)
        partial = stored.with_name(stored.name + ".tmp")
        partial.write_bytes(content)
        partial.replace(stored)
    return NoticePdf(content, rendered_now=True)
