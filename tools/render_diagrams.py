"""Render ``workflows/*.bpmn`` to ``docs/processes/*.png`` with bpmn-js in headless Chromium.

    .venv/bin/python tools/render_diagrams.py [NAME.bpmn ...]

bpmn-js comes from ``node_modules`` (its prebuilt viewer bundle, no CDN); Chromium is Debian's
``/usr/bin/chromium`` driven by Playwright. Each diagram is exported with ``saveSVG`` (sized to
the diagram) and screenshot at its natural size on a white background.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
VIEWER = ROOT / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"
ASSETS = ROOT / "node_modules" / "bpmn-js" / "dist" / "assets"
CHROMIUM = "/usr/bin/chromium"

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>{css}
body {{ margin: 0; background: white; font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }}
#canvas {{ width: 1600px; height: 900px; }}
#out {{ display: inline-block; padding: 20px; background: white; }}
</style></head><body><div id="canvas"></div><div id="out"></div><script>{viewer}</script></body></html>"""

RENDER = """async (xml) => {
  const viewer = new BpmnJS({ container: '#canvas' });
  const { warnings } = await viewer.importXML(xml);
  const { svg } = await viewer.saveSVG();
  document.getElementById('canvas').style.display = 'none';
  document.getElementById('out').innerHTML = svg;
  viewer.destroy();
  return warnings.map(w => w.message);
}"""


def render(paths: list[Path], out_dir: Path) -> dict[str, list[str]]:
    """Render each BPMN file to ``out_dir/<stem>.png``; returns bpmn-js import warnings per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    css = (ASSETS / "diagram-js.css").read_text("utf-8") + (ASSETS / "bpmn-js.css").read_text("utf-8")
    html = PAGE.format(css=css, viewer=VIEWER.read_text("utf-8"))
    warnings: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--headless"]
        )
        try:
            for path in paths:
                page = browser.new_page(viewport={"width": 1600, "height": 900})
                page.set_content(html)
                warnings[path.name] = page.evaluate(RENDER, path.read_text("utf-8"))
                page.locator("#out").screenshot(path=str(out_dir / f"{path.stem}.png"))
                page.close()
        finally:
            browser.close()
    return warnings


def main(argv: list[str]) -> int:
    names = argv or sorted(p.name for p in (ROOT / "workflows").glob("*.bpmn"))
    warnings = render([ROOT / "workflows" / n for n in names], ROOT / "docs" / "processes")
    for name, found in warnings.items():
        print(f"{name}: {'ok' if not found else json.dumps(found, ensure_ascii=False)}")
    return 1 if any(warnings.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
