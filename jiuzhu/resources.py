"""Where the project's data files are: inside the installed package, or in a source checkout.

The designers keep ``workflows/`` (BPMN, DMN, forms, element templates) and ``templates/`` (notices)
at the repository root. A wheel carries copies of them under ``jiuzhu/_resources/`` (see ``setup.py``),
so the same lookup works from ``pip install .`` and from a checkout.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGED = PACKAGE_DIR / "_resources"
CHECKOUT = PACKAGE_DIR.parent


class ResourceMissingError(RuntimeError):
    pass


def resource_dir(name: str) -> Path:
    """The directory ``name`` (``workflows`` or ``templates``), packaged copy first."""
    for candidate in (PACKAGED / name, CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise ResourceMissingError(
        f"数据目录 {name}/ 不在安装包中，也不在源码目录中 (looked in {PACKAGED / name} and {CHECKOUT / name})"
    )


def workflows_dir() -> Path:
    return resource_dir("workflows")


def forms_dir() -> Path:
    return workflows_dir() / "forms"


def notice_templates_dir() -> Path:
    return resource_dir("templates") / "notices"
