"""Build the task-list browser bundle with esbuild (node_modules/.bin/esbuild).

    python -m jiuzhu.tasklist.build [--root REPO] [--dev]

Bundles ``frontend/main.js`` (form-js viewer, bpmn-js NavigatedViewer and their CSS) into
``static/dist/tasklist.js`` and ``tasklist.css``. The output is not committed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from jiuzhu.tasklist.bundle import DIST, PACKAGE_DIR, STATIC_DIR

REPO = PACKAGE_DIR.parent.parent


def build(root: Path = REPO, dev: bool = False) -> Path:
    esbuild = root / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        raise SystemExit(f"esbuild not found at {esbuild}: run `npm ci` in {root}")
    out_dir = STATIC_DIR / DIST
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(esbuild),
        str(PACKAGE_DIR / "frontend" / "main.js"),
        "--bundle",
        "--format=iife",
        "--target=es2020",
        f"--outfile={out_dir / 'tasklist.js'}",
        "--loader:.svg=dataurl",
        "--loader:.woff=dataurl",
        "--loader:.woff2=dataurl",
        "--loader:.ttf=dataurl",
        "--loader:.eot=dataurl",
        "--log-level=warning",
        "--legal-comments=none",
        "--define:process.env.NODE_ENV=" + ('"development"' if dev else '"production"'),
    ]
    if not dev:
        command.append("--minify")
    subprocess.run(command, check=True, cwd=root)
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="repository root holding node_modules")
    parser.add_argument("--dev", action="store_true", help="unminified build")
    args = parser.parse_args(argv)
    out = build(args.root, args.dev)
    print(f"task-list bundle written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
