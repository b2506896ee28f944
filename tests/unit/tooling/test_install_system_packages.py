"""scripts/install-system-packages: as a non-root user it names what is missing and stops.

The machine's own commands are shadowed by stubs on PATH (a user who is not root, a system with
nothing installed), so the script's real decisions run; nothing is installed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "install-system-packages"


def _stub(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def test_a_user_who_is_not_root_is_told_which_packages_are_missing(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _stub(bin_dir, "id", "echo 1000")
    _stub(bin_dir, "dpkg", "exit 1")  # no Debian package installed
    _stub(bin_dir, "apt-get", "echo apt-get must not run >&2; exit 99")
    for tool in ("dirname", "cat"):  # what bash itself needs from the system
        os.symlink(f"/usr/bin/{tool}", bin_dir / tool)
    result = subprocess.run(
        ["/bin/bash", str(SCRIPT)],
        capture_output=True,
        text=True,
        env={"PATH": str(bin_dir)},
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "apt-get must not run" not in result.stderr
    for package in ("nodejs", "npm", "make", "prometheus", "poppler-utils", "libpango-1.0-0", "fonts-wqy-microhei"):
        assert package in result.stderr
    assert "sudo apt-get install" in result.stderr


def test_on_this_machine_nothing_is_missing() -> None:
    """The suite is running, so the installer has already done its work here: it finds nothing to do."""
    result = subprocess.run(["/bin/bash", str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
