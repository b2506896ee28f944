"""Notice PDFs for 下载/打印: a sound stored PDF is served as it is; a missing one, or one drawn
without the shipped font (boxes where there is no CJK font), is rendered again from the issued HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session
from weasyprint import HTML

from jiuzhu.tasklist.notice_pdf import notice_pdf
from schemas.tables import AuditEntry
from tests.tasklist.world import World
from workers.documents import html_to_pdf, uses_shipped_font

pytestmark = pytest.mark.tasklist
ISSUED = "<html><body><h1>不予批准书面告知书</h1><p>王秘密明：经家庭经济状况核对，决定不予批准。</p></body></html>"


def _issued(world: World, case_id: int, notice_id: int, pdf_path: str) -> None:
    document = {"path": "x.html", "sha256": "-", "html": ISSUED, "pdf": {"path": pdf_path}}
    with Session(world.db) as session:
        session.add(
            AuditEntry(
                actor="worker:notice.issue-rejection",
                action="notice.issue-rejection",
                case_id=case_id,
                details={"noticeId": notice_id, "document": document},
            )
        )
        session.commit()


def test_a_pdf_drawn_without_the_font_is_rendered_again_and_stored(world: World, tmp_path: Path) -> None:
    case_id = world.ids["case_approved"]
    boxed = HTML(string=ISSUED).write_pdf(stylesheets=[])  # whatever fontconfig finds, not the shipped font
    assert boxed is not None and not uses_shipped_font(bytes(boxed))
    stored = tmp_path / "notices" / "n1.pdf"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(bytes(boxed))
    _issued(world, case_id, 901, "notices/n1.pdf")
    first = notice_pdf(world.db, tmp_path, case_id, 901)
    assert first is not None and first.rendered_now and uses_shipped_font(first.content)
    assert stored.read_bytes() == first.content  # stored in its place
    again = notice_pdf(world.db, tmp_path, case_id, 901)
    assert again is not None and not again.rendered_now and again.content == first.content


def test_a_missing_pdf_is_rendered_from_the_issued_html(world: World, tmp_path: Path) -> None:
    case_id = world.ids["case_approved"]
    _issued(world, case_id, 902, "notices/n2.pdf")
    found = notice_pdf(world.db, tmp_path, case_id, 902)
    assert found is not None and found.rendered_now and (tmp_path / "notices" / "n2.pdf").is_file()
    assert notice_pdf(world.db, None, case_id, 902) is not None  # no data dir: rendered for the download
    assert notice_pdf(world.db, tmp_path, case_id, 903) is None  # nothing issued under that id
    assert uses_shipped_font(html_to_pdf(ISSUED, tmp_path))
