"""Packaging hook: the wheel carries the designers' files and the built task-list bundle.

``workflows/`` and ``templates/`` stay at the repository root (the designers' directories); the build
copies them into ``jiuzhu/_resources/`` of the wheel, where ``jiuzhu.resources`` finds them when
installed. The task-list bundle (``jiuzhu/tasklist/static/dist``, not committed) must be built first:
``make install`` or ``python -m jiuzhu.tasklist.build``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
RESOURCES = ("workflows", "templates")
BUNDLE = ROOT / "jiuzhu" / "tasklist" / "static" / "dist"
BUNDLE_FILES = ("tasklist.js", "tasklist.css")


class BuildWithResources(build_py):
    def run(self) -> None:
        missing = [name for name in BUNDLE_FILES if not (BUNDLE / name).is_file()]
        if missing and not self.editable_mode:
            raise SystemExit(
                f"the task-list bundle is missing ({', '.join(missing)} in {BUNDLE}): "
                "run `make install` (or `npm ci && python -m jiuzhu.tasklist.build`) before building the package"
            )
        super().run()
        if self.editable_mode:
            return  # an editable install reads them from the checkout
        for name in RESOURCES:
            target = Path(self.build_lib) / "jiuzhu" / "_resources" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithResources})
