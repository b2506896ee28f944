"""Notices and 公示 as PDF on a machine without any CJK font: the shipped Noto Serif SC draws them.

Each PDF is rendered in a child process whose fontconfig knows no fonts at all
(``FONTCONFIG_FILE`` → an empty configuration), then read back with poppler's ``pdftotext`` (what a
person's PDF reader sees) and pypdf (which fonts are embedded).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from jiuzhu.fonts import cache_dir
from jiuzhu.policy.issuers import issuing_body
from schemas.tables import WrittenNotice
from tests.component.workers.test_workers_documents import accept
from tests.workers.harness import START, World, approval_vars
from workers.documents import missing_glyphs, uses_shipped_font

pytestmark = [pytest.mark.component, pytest.mark.workers]
EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig></fontconfig>
"""
RENDER = """
import sys
from pathlib import Path
from workers.documents import html_to_pdf
source = Path(sys.argv[1])
source.with_suffix(".pdf").write_bytes(html_to_pdf(source.read_text("utf-8"), source.parent))
"""


def render_without_system_fonts(html_file: Path, tmp_path: Path) -> tuple[bytes, str]:
    config = tmp_path / "empty-fonts.conf"
    config.write_text(EMPTY_FONTCONFIG, "utf-8")
    # The shipped font's unpacked copy is a per-machine cache, shared with this process.
    env = {"FONTCONFIG_FILE": str(config), "PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache_dir().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", RENDER, str(html_file)],
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return html_file.with_suffix(".pdf").read_bytes(), done.stderr


def read_back(pdf: bytes) -> tuple[str, set[str]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    return text, fonts


def pdftotext(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8")


def assert_drawn_in_the_shipped_font(pdf: bytes, stderr: str) -> str:
    text, fonts = read_back(pdf)
    assert fonts and all("Jiuzhu-Serif-SC" in f for f in fonts), fonts  # nothing from the system
    assert "glyph" not in stderr.lower(), stderr  # no missing-glyph warning
    assert uses_shipped_font(pdf)
    shown = pdftotext(pdf)
    assert "".join(shown.split())[:20] == "".join(text.split())[:20], (shown[:200], text[:200])  # both readers agree
    return shown


def test_a_rejection_notice_renders_chinese_without_system_fonts(world: World, tmp_path: Path) -> None:
    case = accept(world, "zhao")
    world.ok(
        "notice.issue-rejection",
        {"caseId": case["caseId"], "facts": ["经入户调查，家庭财产状况不符合规定"], "decidedAt": START.isoformat()},
    )
    [notice] = world.all(WrittenNotice)
    html_file = next((world.data_dir / "notices").rglob("*.html"))
    assert missing_glyphs(html_file.read_text("utf-8")) == ""
    pdf, stderr = render_without_system_fonts(html_file, tmp_path)
    text = assert_drawn_in_the_shipped_font(pdf, stderr)
    assert notice.applicant_name in text and "告知书" in text and "经入户调查" in text
    assert "六十日内" in text and "六个月内" in text


def test_a_publicity_list_renders_chinese_without_system_fonts(world: World, tmp_path: Path) -> None:
    case = accept(world, "zhang")
    decision = world.ok("approval.record", approval_vars(world, case["caseId"], 1516, reasons="低于当地低保标准。"))
    out = world.ok(
        "publicity.publish",
        {
            "caseId": case["caseId"],
            "decisionId": decision["decisionId"],
            "villageId": world.county.villages["东亭村/三组"],
            "startDate": "2026-03-02",
        },
    )
    html_file = world.data_dir / "publicity" / f"publicity-{out['publicityId']}.html"
    pdf, stderr = render_without_system_fonts(html_file, tmp_path)
    text = assert_drawn_in_the_shipped_font(pdf, stderr)
    assert "张*国" in text and "公示" in text and "12349" in text


def test_a_pdf_drawn_without_the_shipped_font_is_recognised(tmp_path: Path) -> None:
    from weasyprint import HTML

    plain = HTML(string="<p>abc</p>").write_pdf()
    assert plain is not None and not uses_shipped_font(bytes(plain))
    assert missing_glyphs("<p>张三𠀀</p>") == "𠀀"  # a rare character the subset lacks is reported
    assert json.dumps(missing_glyphs("<style>a{}</style><p>告知书</p>")) == '""'


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("桃州镇", "桃州镇人民政府"),
        ("城关街道", "城关街道办事处"),
        ("广德经济开发区", "广德经济开发区管理委员会"),
        ("新杭镇人民政府", "新杭镇人民政府"),
    ],
)
def test_the_issuing_body_follows_the_township_type(name: str, body: str) -> None:
    assert issuing_body(name) == body
