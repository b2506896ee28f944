"""The CJK font the project ships, so notices render the same on any machine.

Noto Serif SC (SIL Open Font License 1.1, ``OFL.txt``), the "chinese-simplified" (GB2312 plus
common characters) and "latin" subsets of the npm package ``@fontsource/noto-serif-sc`` 5.3.0,
regular and bold, as woff2. A serif face is what 公文 layout (GB/T 9704) expects of body text.
WeasyPrint loads them through ``@font-face``; nothing depends on the fonts fontconfig finds.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
FAMILY = "Jiuzhu Serif SC"
# The latin file's unicode-range as fontsource publishes it; the CJK file covers the rest.
_LATIN_RANGE = (
    "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, "
    "U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD"
)
WEIGHTS = (400, 700)
# A name every embedded subset of this font carries in the PDF (``/BaseFont /ABCDEF+NotoSerifSC-…``).
PDF_FONT_MARKER = b"NotoSerifSC"


def font_files() -> list[Path]:
    return [
        FONT_DIR / f"noto-serif-sc-{subset}-{w}-normal.woff2"
        for w in WEIGHTS
        for subset in ("latin", "chinese-simplified")
    ]


_unpack_lock = threading.Lock()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "jiuzhu" / "fonts"


def unpacked(woff2: Path) -> Path:
    """The font as plain OpenType, unpacked once per machine: WeasyPrint would otherwise rebuild
    the glyph table from woff2 in pure Python on every PDF (seconds per file)."""
    digest = hashlib.sha256(woff2.read_bytes()).hexdigest()[:16]
    for root in (cache_dir(), Path(tempfile.gettempdir()) / "jiuzhu-fonts"):
        target = root / f"{woff2.stem}-{digest}.ttf"
        if target.exists():
            return target
        with _unpack_lock:
            if target.exists():
                return target
            try:
                from fontTools.ttLib import TTFont  # WeasyPrint's own dependency

                root.mkdir(parents=True, exist_ok=True)
                font = TTFont(str(woff2))
                font.flavor = None
                partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
                font.save(str(partial))
                partial.replace(target)
                return target
            except OSError:
                continue  # an unwritable cache: try the next place
    raise OSError(f"无法在 {cache_dir()} 或临时目录中解包字体 {woff2.name}")


def font_faces_css() -> str:
    """``@font-face`` rules for the shipped font, and body text set in it."""
    rules = []
    for weight in WEIGHTS:
        latin = unpacked(FONT_DIR / f"noto-serif-sc-latin-{weight}-normal.woff2").as_uri()
        cjk = unpacked(FONT_DIR / f"noto-serif-sc-chinese-simplified-{weight}-normal.woff2").as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; src: url("{latin}"); '
            f"unicode-range: {_LATIN_RANGE}; }}"
        )
        rules.append(f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; src: url("{cjk}"); }}')
    rules.append(f'html body, html body * {{ font-family: "{FAMILY}", serif; }}')
    return "\n".join(rules)
