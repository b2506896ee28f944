"""Notices and the 公示 are archived as HTML and as PDF rendered from the same HTML (WeasyPrint), both
under the data dir, with both SHA-256 checksums in the job's audit row; the PDF's text (pypdf) carries
the notice number and the masked name, and no ID number."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from jiuzhu.demo import HOUSEHOLDS
from tests.workers.harness import START, World, accept_vars, approval_vars
from workers import build_services
from workers.documents import DocumentRenderer
from workers.settings import WorkerSettings

pytestmark = [pytest.mark.component, pytest.mark.workers]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text without whitespace (letter-spaced headings come out as 不 予 批 准)."""
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def archived(world: World, document: dict[str, Any]) -> tuple[str, bytes]:
    """The HTML and PDF the audit row names, checked against the checksums it recorded."""
    html = (world.data_dir / document["path"]).read_bytes()
    pdf = (world.data_dir / document["pdf"]["path"]).read_bytes()
    assert Path(document["pdf"]["path"]) == Path(document["path"]).with_suffix(".pdf")
    assert hashlib.sha256(html).hexdigest() == document["sha256"]
    assert hashlib.sha256(pdf).hexdigest() == document["pdf"]["sha256"] and len(pdf) == document["pdf"]["bytes"]
    assert html.decode("utf-8") == document["html"]
    assert pdf.startswith(b"%PDF-")
    return html.decode("utf-8"), pdf


def assert_no_id_number(text: str) -> None:
    for household in HOUSEHOLDS:
        for member in household.members:
            assert member.id_number not in text and member.id_number[:-1] not in text, member.id_number


def test_the_written_notice_is_archived_as_html_and_pdf(world: World) -> None:
    case = world.ok("application.accept", accept_vars(world.county, "zhao"), instance=7_101)
    out = world.ok(
        "notice.issue-rejection",
        {"caseId": case["caseId"], "facts": ["经入户调查，家庭财产状况不符合规定"], "decidedAt": START.isoformat()},
    )
    [entry] = world.audit("notice.issue-rejection")
    _, pdf = archived(world, entry.details["document"])
    text = pdf_text(pdf)
    assert out["noticeNumber"] in text  # 桃州镇民救告〔2026〕1号
    for expected in ("不予批准书面告知书", "经入户调查，家庭财产状况不符合规定", "六十日内", "送达回证"):
        assert expected in text, expected
    assert_no_id_number(text)


def test_the_publicity_is_archived_as_html_and_pdf_with_the_masked_name_only(world: World) -> None:
    case = world.ok("application.accept", accept_vars(world.county, "zhang"), instance=7_102)
    decision = world.ok(
        "approval.record",
        approval_vars(world, case["caseId"], 1516, reasons="家庭月人均收入 ¥300，低于当地低保标准 ¥755。"),
    )
    out = world.ok(
        "publicity.publish",
        {
            "caseId": case["caseId"],
            "decisionId": decision["decisionId"],
            "villageId": world.county.villages["东亭村/三组"],
            "startDate": "2026-03-02",
        },
    )
    [entry] = world.audit("publicity.publish")
    assert entry.details["document"]["pdf"]["path"] == f"publicity/publicity-{out['publicityId']}.pdf"
    _, pdf = archived(world, entry.details["document"])
    text = pdf_text(pdf)
    assert "张*国" in text and "东亭村三组" in text and "¥1,516" in text
    assert "张建国" not in text  # the full name is not published
    assert_no_id_number(text)


def test_pdfs_can_be_switched_off(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "n.html.j2").write_text("<p>{{ text }}</p>", "utf-8")
    settings = WorkerSettings(data_dir=tmp_path / "data", notice_pdf=False)
    services = build_services(settings)
    services.db.dispose()
    assert services.documents.pdf is False
    renderer = DocumentRenderer(tmp_path / "data", templates, pdf=services.documents.pdf)
    document = renderer.render("n.html.j2", Path("notices") / "x.html", text="告知")
    assert document.pdf is None and document.audit()["pdf"] is None
    assert [p.name for p in (tmp_path / "data" / "notices").iterdir()] == ["x.html"]
    on = DocumentRenderer(tmp_path / "data", templates).render("n.html.j2", Path("notices") / "y.html", text="告知")
    assert on.pdf is not None and on.pdf.startswith(b"%PDF") and "告知" in pdf_text(on.pdf)
