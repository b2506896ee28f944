"""The designers' files are the source of truth: no script in the repository writes into ``workflows/``.

``git grep`` lists every tracked file that names the directory; the ones that also write files must
be the known, harmless ones. Element templates are the one generated part (from the job contracts),
and their generator writes only ``workflows/element-templates/``.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.workflows.conftest import ROOT

pytestmark = pytest.mark.workflows

WRITES = re.compile(
    r"write_text|write_bytes|\.write\(|open\([^)]*['\"][wax]|shutil\.(copy|move)|copytree|\.unlink\(|\.rename\("
)
# file → why writing there is not writing the designers' files
ALLOWED_WRITERS = {
    "setup.py": "copies workflows/ into the wheel's build directory (reads the designers' files)",
    "tools/gen_element_templates.py": "writes workflows/element-templates/ only, generated from the contracts",
}
RETIRED_GENERATORS = ("tools/author_workflows.py", "tools/author_decisions.py", "tools/author_forms.py")
# a test writing into the real workflows/ (rather than a copy in tmp_path) would name it on the line
TEST_WRITES_WORKFLOWS = re.compile(
    r"(WORKFLOWS|FORMS|\"workflows\")[^\n]*\.(write_text|write_bytes|unlink|rename)\("
    r"|shutil\.\w+\([^,\n]*,\s*(WORKFLOWS|FORMS)\b"
)


def _git_grep(*args: str) -> list[str]:
    result = subprocess.run(["git", "grep", "-I", "-l", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode in (0, 1), result.stderr  # 1: nothing found
    return result.stdout.split()


def test_the_retired_generators_are_gone() -> None:
    assert not [name for name in RETIRED_GENERATORS if (ROOT / name).exists()]
    named = _git_grep("-e", "author_workflows", "-e", "author_decisions", "-e", "author_forms", "--", "*.py")
    assert named == ["tests/workflows/test_sources.py"]


def test_no_script_writes_into_workflows() -> None:
    naming = _git_grep("-i", "workflows", "--", ".", ":!tests", ":!docs", ":!workflows", ":!*.md")
    assert "jiuzhu/cli.py" in naming  # the search sees the code that deploys them
    writers = {name for name in naming if WRITES.search((ROOT / name).read_text("utf-8", errors="replace"))}
    assert writers <= set(ALLOWED_WRITERS), sorted(writers - set(ALLOWED_WRITERS))


def test_the_template_generator_writes_only_element_templates() -> None:
    source = (ROOT / "tools" / "gen_element_templates.py").read_text("utf-8")
    assert 'OUT = ROOT / "workflows" / "element-templates"' in source
    assert 'VERSIONS = ROOT / "tools" / "element-template-versions.json"' in source
    targets = re.findall(r"(\w+)\.(?:write_text|write_bytes|unlink)\(", source)
    assert targets and set(targets) == {"path", "VERSIONS"}
    assert "for path in differ" in source and "for path in stale" in source  # both over OUT's files


def test_no_test_writes_the_real_workflows() -> None:
    offenders = [
        f"{name}: {match.group(0)}"
        for name in _git_grep("-e", "WORKFLOWS", "-e", "FORMS", "-e", '"workflows"', "--", "tests/*.py")
        for match in TEST_WRITES_WORKFLOWS.finditer((ROOT / name).read_text("utf-8"))
    ]
    assert not offenders
