"""The engine is a library of its own: nothing under `jiuzhu/engine` reaches the casework domain.

Two checks: every import statement of every module under `jiuzhu/engine` (read from the source, so a
module that is never imported in a test is checked too), and what importing all of them actually
loads (so a domain module pulled in through another package, e.g. the REST layer, is caught).
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "jiuzhu" / "engine"
FORBIDDEN = ("schemas", "jiuzhu.policy", "workers", "jiuzhu.tasklist", "jiuzhu.metrics")


def _forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, text: str | None = None) -> list[str]:
    """Absolute names of everything `path` imports (relative imports resolved); `text` stands in
    for the file's content."""
    tree = ast.parse(text if text is not None else path.read_text(encoding="utf-8"), str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]
    return found


def test_no_engine_module_imports_the_domain() -> None:
    modules = sorted(ENGINE.rglob("*.py"))
    assert len(modules) > 50  # the walk found the engine
    offending = {_module_name(path): sorted({name for name in _imports(path) if _forbidden(name)}) for path in modules}
    assert {module: names for module, names in offending.items() if names} == {}


def test_importing_the_whole_engine_loads_no_domain_module() -> None:
    script = (
        "import importlib, json, pkgutil, sys\n"
        "import jiuzhu.engine as engine\n"
        "names = [m.name for m in pkgutil.walk_packages(engine.__path__, 'jiuzhu.engine.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps({'imported': names, 'loaded': sorted(sys.modules)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert "jiuzhu.engine.runtime.core" in report["imported"] and "jiuzhu.engine.server" in report["imported"]
    assert [name for name in report["loaded"] if _forbidden(name)] == []


def test_the_check_itself_sees_a_forbidden_import() -> None:
    """The checker is not vacuous: relative and absolute imports of the domain are both found."""
    probe = "from jiuzhu import metrics\nfrom ...policy import money\nimport schemas.enums\n"
    names = _imports(ENGINE / "runtime" / "probe.py", probe)  # as if it lived in jiuzhu/engine/runtime
    assert {"jiuzhu.metrics", "jiuzhu.policy.money", "schemas.enums"} <= set(names)
    assert [n for n in names if _forbidden(n)] == [
        "jiuzhu.metrics",
        "jiuzhu.policy",
        "jiuzhu.policy.money",
        "schemas.enums",
    ]
