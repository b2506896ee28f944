"""jiuzhu.policy stays pure (DESIGN.md): no I/O, no engine imports, no reading the clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

POLICY = Path(__file__).resolve().parents[3] / "jiuzhu" / "policy"
FORBIDDEN_MODULES = {
    "os",
    "pathlib",
    "io",
    "socket",
    "subprocess",
    "shutil",
    "tempfile",
    "time",
    "requests",
    "httpx",
    "sqlmodel",
    "sqlalchemy",
    "grpc",
    "pyzeebe",
    "jiuzhu.engine",
    "jiuzhu.tasklist",
}
FORBIDDEN_FUNCTIONS = {"open", "print", "input"}
# Clock reads and file access through methods: datetime.now(), date.today(), time.time(), path.read_text()
FORBIDDEN_METHODS = {"now", "today", "utcnow", "time", "monotonic", "open", "read_text", "write_text", "read_bytes"}
# The one read allowed: the county figures shipped inside the package (data/standards.json), read
# once at import like a constant; every rule then takes its date as an argument.
PACKAGE_DATA_READS = {("standards.py", "read_bytes")}


def modules() -> list[Path]:
    return sorted(POLICY.glob("*.py"))


def test_policy_modules_exist() -> None:
    names = {path.stem for path in modules()}
    assert {"ids", "income", "eligibility", "amounts", "calendar", "masking", "profiles", "selfcare"} <= names


@pytest.mark.parametrize("path", modules(), ids=lambda path: path.name)
def test_no_io_imports_or_clock_calls(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            assert not any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_MODULES), name
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                allowed = (path.name, func.attr) in PACKAGE_DATA_READS
                assert allowed or func.attr not in FORBIDDEN_METHODS, f"{path.name}:{node.lineno} calls .{func.attr}()"
            elif isinstance(func, ast.Name):
                assert func.id not in FORBIDDEN_FUNCTIONS, f"{path.name}:{node.lineno} calls {func.id}()"
