"""The wheel is the product: built from the checkout's files, installed into a fresh venv, it serves.

No download per run: the wheel is built with the project venv's setuptools (``--no-build-isolation``),
the fresh venv gets it with ``--no-deps`` and borrows the project venv's
third-party packages through a ``.pth`` line (site dirs listed in a ``.pth`` do not run their own
``.pth`` files, so the checkout itself never lands on ``sys.path``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import httpx
import pytest

from jiuzhu.testing import LiveSystem
from jiuzhu.testing.live import ROOT

pytestmark = pytest.mark.package

BUNDLE = ROOT / "jiuzhu" / "tasklist" / "static" / "dist"


def _checkout_copy(target: Path) -> Path:
    """The tracked and untracked-but-not-ignored files, plus the built bundle (git-ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if name.startswith("node_modules") or not source.is_file():
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)
    shutil.copytree(BUNDLE, target / "jiuzhu" / "tasklist" / "static" / "dist", dirs_exist_ok=True)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (BUNDLE / "tasklist.js").is_file():
        pytest.fail("the task-list bundle is not built: run `make install` first")
    work = tmp_path_factory.mktemp("wheel")
    source = _checkout_copy(work / "src")
    out = work / "out"
    # the project venv's setuptools (a dev dependency) builds it: nothing is downloaded per run
    offline = ["--no-deps", "--no-build-isolation", "--no-index", "--quiet"]
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", *offline, "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    (built,) = out.glob("jiuzhu-*.whl")
    return built


def test_the_wheel_carries_workflows_templates_and_the_bundle(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    designs = {p.relative_to(ROOT).as_posix() for p in (ROOT / "workflows").rglob("*") if p.is_file()}
    notices = {p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*") if p.is_file()}
    assert designs and notices
    missing = {f"jiuzhu/_resources/{name}" for name in designs | notices} - names
    assert not missing, sorted(missing)
    assert {"jiuzhu/tasklist/static/dist/tasklist.js", "jiuzhu/tasklist/static/dist/tasklist.css"} <= names
    assert any(name.startswith("jiuzhu/tasklist/templates/") for name in names)
    assert {"workers/__init__.py", "schemas/__init__.py", "jiuzhu/cli.py"} <= names
    # every data file beside the code (migrations, READMEs, templates) is in the wheel too
    beside_code = {
        p.relative_to(ROOT).as_posix()
        for package in ("jiuzhu", "schemas", "workers")
        for p in (ROOT / package).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc" and p.name != ".gitignore"
    }
    assert not beside_code - names, sorted(beside_code - names)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv") / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_the_installed_package_finds_its_workflows_inside_itself(installed: Path, tmp_path: Path) -> None:
    probe = subprocess.run(
        [
            str(installed),
            "-c",
            "import jiuzhu, jiuzhu.resources as r; print(jiuzhu.__file__); print(r.workflows_dir())",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.split()
    venv = installed.parent.parent
    assert Path(probe[0]).is_relative_to(venv), probe
    assert Path(probe[1]) == Path(probe[0]).parent / "_resources" / "workflows"
    assert not Path(probe[0]).is_relative_to(ROOT)


def test_jiuzhu_up_demo_from_the_wheel_serves_the_task_list(installed: Path, tmp_path: Path) -> None:
    with LiveSystem(data_dir=tmp_path / "var", python=str(installed), cwd=tmp_path) as live:
        page = httpx.get(f"{live.url}/signin", timeout=10)
        assert page.status_code == 200
        assert "登录" in page.text
        script = re.search(r'src="(/static/dist/tasklist\.[0-9a-f]{12}\.js)"', page.text)
        assert script, page.text[:2000]
        asset = httpx.get(live.url + script.group(1), headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert asset.status_code == 200
        assert asset.headers["content-encoding"] == "gzip"
        assert "immutable" in asset.headers["cache-control"]
        assert len(asset.content) > 100_000
