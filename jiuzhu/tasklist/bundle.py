"""The browser bundle (form-js viewer + bpmn-js NavigatedViewer), built by ``jiuzhu/tasklist/build.py``."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
DIST = "dist"
FILES = ("tasklist.js", "tasklist.css")


class BundleMissingError(RuntimeError):
    pass


def check_bundle(static_dir: Path) -> None:
    missing = [name for name in FILES if not (static_dir / DIST / name).is_file()]
    if missing:
        raise BundleMissingError(
            f"the task-list browser bundle is missing ({', '.join(missing)} in {static_dir / DIST}); "
            "build it with `.venv/bin/python -m jiuzhu.tasklist.build` (needs `npm ci` first)"
        )
