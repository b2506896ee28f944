"""Runs a batch of expressions through feelin (node) in one subprocess and normalizes both sides."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from jiuzhu.engine.feel import FeelFunction, Range, YearsMonths
from jiuzhu.engine.feel.serialize import to_json
from jiuzhu.engine.feel.text import feel_string

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
RUNNER = HERE / "feelin_runner.mjs"


def feelin_missing_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not on PATH (CI installs Node 20)"
    if not (ROOT / "node_modules" / "feelin" / "package.json").exists():
        return "npm package feelin is missing: run `npm ci` in the project root"
    return None


def run_feelin(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    payload = json.dumps(cases, default=lambda v: to_json(v))
    proc = subprocess.run(
        ["node", str(RUNNER)],
        input=payload,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"feelin runner failed: {proc.stderr}")
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    return results


def ours_plain(v: Any) -> Any:
    """Our value in the runner's normal form."""
    if v is None or isinstance(v, bool | str):
        return v
    if isinstance(v, int | Decimal):
        return {"n": str(v)}
    if isinstance(v, list):
        return [ours_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: ours_plain(x) for k, x in v.items()}
    if isinstance(v, date | time | timedelta | YearsMonths):
        return {"t": feel_string(v)}
    if isinstance(v, Range):
        return {"range": True}
    if isinstance(v, FeelFunction):
        return {"fn": True}
    return {"other": type(v).__name__}


def same_plain(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict) and set(a) == {"n"} and set(b) == {"n"}:
        x, y = float(a["n"]), float(b["n"])
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_plain(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_plain(a[k], b[k]) for k in a)
    return bool(a == b) and type(a) is type(b)
