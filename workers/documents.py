"""Notices rendered to HTML from ``templates/notices/*.html.j2``, and to PDF from the same HTML
(WeasyPrint), both written under the data dir.

The rendered HTML is also kept in the job's audit-log row (append-only) with its SHA-256 and the
PDF's path and SHA-256, so the case record holds exactly what was issued even if the data dir is
lost, and an archived PDF can be checked against it.
"""

import functools
import hashlib
import logging
import re
import threading
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from jiuzhu import fonts
from jiuzhu.policy import CST
from jiuzhu.policy.money import format_yuan
from jiuzhu.resources import notice_templates_dir

log = logging.getLogger(__name__)
TEMPLATES = notice_templates_dir()


def _yuan(amount: Decimal | float | int | None) -> str:
    return "" if amount is None else format_yuan(Decimal(str(amount)))


def _cn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(CST).date()
    return f"{value.year}年{value.month}月{value.day}日"


@functools.lru_cache(maxsize=1)
def _shipped_codepoints() -> frozenset[int]:
    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency

    found: set[int] = set()
    for path in fonts.font_files():
        found.update(TTFont(str(path)).getBestCmap())
    return frozenset(found)


def missing_glyphs(html: str) -> str:
    """The characters of ``html``'s text that the shipped font lacks (empty: all drawable)."""
    text = re.sub(r"<[^>]*>", " ", re.sub(r"<style.*?</style>", " ", html, flags=re.S))
    covered = _shipped_codepoints()
    return "".join(sorted({c for c in text if not c.isspace() and ord(c) not in covered}))


def uses_shipped_font(pdf: bytes) -> bool:
    """Whether a stored PDF embeds the shipped font (older ones were drawn in whatever fontconfig
    found, or in boxes). Font dictionaries sit in compressed object streams: inflate and look."""
    marker = fonts.FAMILY.replace(" ", "-").encode()
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            if marker in zlib.decompress(stream.group(1)):
                return True
        except zlib.error:
            continue
    return marker in pdf


def html_to_pdf(html: str, base_url: Path) -> bytes:
    """The PDF of ``html`` (A4 from the template's ``@page``), set in the shipped Noto Serif SC so
    it renders the same on a machine without CJK fonts."""
    try:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as error:  # OSError: WeasyPrint is there but Pango is not
        raise RuntimeError(
            f"PDF 渲染需要 WeasyPrint 及其系统库（libpango-1.0-0、libpangoft2-1.0-0）：{error}"
        ) from error
    lacking = missing_glyphs(html)
    if lacking:  # a rare character (生僻字) in a name: system fonts may still have it; say so loudly
        log.warning("文书中的字符“%s”不在随附字体中：PDF 依赖系统字体，缺字处会显示为方框", lacking)
    font_config = FontConfiguration()
    shipped = CSS(string=fonts.font_faces_css(), font_config=font_config)
    pdf = HTML(string=html, base_url=str(base_url)).write_pdf(stylesheets=[shipped], font_config=font_config)
    assert pdf is not None  # no target given: the bytes are returned
    return bytes(pdf)


@dataclass(frozen=True)
class Document:
    path: Path  # the HTML, relative to the data dir
    html: str
    pdf: bytes | None = None  # None: PDFs switched off (JIUZHU_NOTICE_PDF=false)
    missing_glyphs: str = ""  # characters the shipped font lacks (drawn by system fonts, or boxes)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.html.encode("utf-8")).hexdigest()

    @property
    def pdf_path(self) -> Path:
        return self.path.with_suffix(".pdf")

    @property
    def pdf_sha256(self) -> str | None:
        return None if self.pdf is None else hashlib.sha256(self.pdf).hexdigest()

    def audit(self) -> dict[str, Any]:
        pdf = None
        if self.pdf is not None:
            pdf = {
                "path": self.pdf_path.as_posix(),
                "sha256": self.pdf_sha256,
                "bytes": len(self.pdf),
                "font": fonts.FAMILY,
                "missingGlyphs": self.missing_glyphs,
            }
        return {"path": self.path.as_posix(), "sha256": self.sha256, "html": self.html, "pdf": pdf}


def _write(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_bytes(content)
    temporary.replace(target)


class DocumentRenderer:
    def __init__(self, data_dir: Path, templates: Path = TEMPLATES, *, pdf: bool = True) -> None:
        self.data_dir = data_dir
        self.pdf = pdf
        self.env = Environment(
            loader=FileSystemLoader(templates), autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True
        )
        self.env.filters["yuan"] = _yuan
        self.env.filters["cn_date"] = _cn_date
        if pdf:  # unpack the shipped font now, not inside the first notice job
            threading.Thread(target=fonts.font_faces_css, name="jiuzhu-fonts", daemon=True).start()

    def render(self, template: str, relative: Path, **context: Any) -> Document:
        """Render ``template`` and write it to ``<data_dir>/<relative>`` and its PDF beside it
        (``.pdf``; same names: replaced)."""
        html = self.env.get_template(template).render(**context)
        target = self.data_dir / relative
        pdf = html_to_pdf(html, target.parent) if self.pdf else None
        document = Document(relative, html, pdf, missing_glyphs(html) if self.pdf else "")
        _write(target, html.encode("utf-8"))
        if document.pdf is not None:
            _write(self.data_dir / document.pdf_path, document.pdf)
        return document
