"""Template ↔ contract ↔ BPMN: every job task is drawn from the current version of its template.

The templates are generated from the job contracts and versioned by content hash
(``tools/element-template-versions.json``); a task that names an older version (or none) is one the
Modeler would offer to update, so the test says which task to update and to which version.
"""

from __future__ import annotations

import json
import subprocess
import sys
from types import ModuleType
from xml.etree import ElementTree

import pytest

from schemas.contracts import JOB_TYPES
from tests.workflows.conftest import ROOT, WORKFLOWS

pytestmark = pytest.mark.workflows

ZEEBE = "http://camunda.org/schema/zeebe/1.0"
TEMPLATES = WORKFLOWS / "element-templates"
VERSIONS = ROOT / "tools" / "element-template-versions.json"


def _generator() -> ModuleType:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import gen_element_templates
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return gen_element_templates


def _templates() -> dict[str, dict[str, object]]:
    return {path.stem: json.loads(path.read_text("utf-8")) for path in sorted(TEMPLATES.glob("*.json"))}


def _job_tasks() -> list[tuple[str, str, dict[str, str]]]:
    """(file, job type, attributes) of every element with a zeebe:taskDefinition."""
    found = []
    for path in sorted(WORKFLOWS.glob("*.bpmn")):
        for element in ElementTree.parse(path).iter():
            definition = element.find(f"./*/{{{ZEEBE}}}taskDefinition")
            if definition is not None:
                found.append((path.name, definition.attrib["type"], dict(element.attrib)))
    return found


def test_one_template_per_contract_and_versions_from_the_hash_history() -> None:
    templates = _templates()
    history = json.loads(VERSIONS.read_text("utf-8"))
    assert set(templates) == set(JOB_TYPES) == set(history)
    for job_type, body in templates.items():
        assert body["id"] == f"jiuzhu.{job_type}"
        assert body["version"] == len(history[job_type]), job_type
        assert (
            len(set(history[job_type])) == len(history[job_type]) or history[job_type][-1] not in history[job_type][:-1]
        )


def test_every_job_task_references_the_current_version_of_its_template() -> None:
    templates = _templates()
    tasks = _job_tasks()
    assert len(tasks) >= 40
    wrong = [
        f"{name} {attrib.get('id')} ({job_type}): "
        f"zeebe:modelerTemplate={attrib.get(f'{{{ZEEBE}}}modelerTemplate')!r} "
        f"version={attrib.get(f'{{{ZEEBE}}}modelerTemplateVersion')!r}, "
        f"expected jiuzhu.{job_type} version {templates[job_type]['version'] if job_type in templates else '?'}"
        for name, job_type, attrib in tasks
        if job_type not in templates
        or attrib.get(f"{{{ZEEBE}}}modelerTemplate") != f"jiuzhu.{job_type}"
        or attrib.get(f"{{{ZEEBE}}}modelerTemplateVersion") != str(templates[job_type]["version"])
    ]
    assert not wrong, "\n".join(wrong)


def test_a_changed_contract_bumps_the_version() -> None:
    """What the generator does when a contract changes, on its own functions (no file written)."""
    gen = _generator()
    history = json.loads(VERSIONS.read_text("utf-8"))
    contract = JOB_TYPES["publicity.publish"]
    same = gen.template(contract)
    assert not gen.versioned(history, contract.type, same)
    assert same["version"] == len(json.loads(VERSIONS.read_text("utf-8"))[contract.type])
    changed = gen.template(contract)
    changed["description"] = str(changed["description"]) + "\n· 新增字段"
    assert gen.versioned(history, contract.type, changed)
    assert changed["version"] == same["version"] + 1
    check = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_element_templates.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout  # the committed templates are current
