"""What process designers rely on: Modeler-clean files, a full layout, and names that match the contracts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from schemas.contracts import JOB_TYPES
from tests.workflows.conftest import FORMS, ROOT, WORKFLOWS, form_fields

pytestmark = pytest.mark.workflows

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "zeebe": "http://camunda.org/schema/zeebe/1.0",
    "modeler": "http://camunda.org/schema/modeler/1.0",
    "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
}
BPMN_FILES = sorted(WORKFLOWS.glob("*.bpmn"))
DMN_FILES = sorted(WORKFLOWS.glob("*.dmn"))
ROLES = {"village-assistant", "township-caseworker", "township-leader", "county-supervisor"}
FLOW_NODES = [
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "serviceTask",
    "userTask",
    "scriptTask",
    "businessRuleTask",
    "callActivity",
    "receiveTask",
    "sendTask",
    "subProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "task",
    "manualTask",
]
HAN = re.compile(r"[\u4e00-\u9fff]")
BPMNLINT = ROOT / "node_modules" / ".bin" / "bpmnlint"
TEMPLATE_SCHEMA = (
    ROOT / "node_modules" / "@camunda" / "zeebe-element-templates-json-schema" / "resources" / "schema.json"
)


def tree(path: Path) -> etree._ElementTree:
    return etree.parse(str(path))


def flow_nodes(doc: etree._ElementTree) -> list[etree._Element]:
    return [e for tag in FLOW_NODES for e in doc.iter(f"{{{NS['bpmn']}}}{tag}")]


def by_id(doc: etree._ElementTree) -> dict[str, etree._Element]:
    return {e.get("id"): e for e in doc.iter() if isinstance(e.tag, str) and e.get("id")}


def test_there_are_processes_decisions_and_forms() -> None:
    assert {p.stem for p in BPMN_FILES} >= {
        "assistance-application",
        "temporary-assistance",
        "dynamic-management",
        "home-visit",
        "written-notice",
        "village-publicity",
    }
    assert {p.stem for p in DMN_FILES} >= {"application-procedure", "temporary-assistance-route"}


# --- Modeler: lint, platform, layout --------------------------------------------------------------


def test_bpmnlint_camunda_cloud_8_8_is_clean() -> None:
    node = shutil.which("node")
    assert node, "node is not installed: bpmnlint needs Node.js (make install / .ci/run installs it)"
    assert BPMNLINT.exists(), f"{BPMNLINT} is missing: run `npm ci` (make install) first"
    config = json.loads((WORKFLOWS / ".bpmnlintrc").read_text("utf-8"))
    assert "plugin:camunda-compat/camunda-cloud-8-8" in config["extends"]
    assert "bpmnlint:recommended" in config["extends"]
    assert config["moddleExtensions"]["zeebe"] == "zeebe-bpmn-moddle/resources/zeebe.json"
    result = subprocess.run(
        [str(BPMNLINT), "--max-warnings=0", *[p.name for p in BPMN_FILES]],
        cwd=WORKFLOWS,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bpmnlint_would_catch_a_broken_file(tmp_path: Path) -> None:
    """The lint run above is not vacuous: a task without a name and a stray flow are reported."""
    broken = (WORKFLOWS / "home-visit.bpmn").read_text("utf-8").replace(' name="登记入户调查结果"', "", 1)
    (tmp_path / "broken.bpmn").write_text(broken, "utf-8")
    shutil.copy(WORKFLOWS / ".bpmnlintrc", tmp_path / ".bpmnlintrc")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    result = subprocess.run([str(BPMNLINT), "broken.bpmn"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "label-required" in result.stdout


@pytest.mark.parametrize("path", BPMN_FILES + DMN_FILES, ids=lambda p: p.name)
def test_execution_platform_is_camunda_8_8(path: Path) -> None:
    root = tree(path).getroot()
    assert root.get(f"{{{NS['modeler']}}}executionPlatform") == "Camunda Cloud"
    assert root.get(f"{{{NS['modeler']}}}executionPlatformVersion") == "8.8.0"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_every_element_has_di_and_nothing_overlaps(path: Path) -> None:
    doc = tree(path)
    shapes = {s.get("bpmnElement"): s for s in doc.iter(f"{{{NS['bpmndi']}}}BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in doc.iter(f"{{{NS['bpmndi']}}}BPMNEdge")}
    nodes = flow_nodes(doc)
    missing = [n.get("id") for n in nodes if n.get("id") not in shapes]
    assert not missing, f"no BPMNShape for {missing}"
    flows = list(doc.iter(f"{{{NS['bpmn']}}}sequenceFlow"))
    missing = [f.get("id") for f in flows if f.get("id") not in edges or len(edges[f.get("id")]) < 2]
    assert not missing, f"no BPMNEdge with waypoints for {missing}"

    def box(element_id: str) -> tuple[float, float, float, float]:
        b = shapes[element_id].find("dc:Bounds", NS)
        return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]

    def inside(child: etree._Element, parent_id: str) -> bool:
        return any(a.get("id") == parent_id for a in child.iterancestors())

    placed = [n for n in nodes if n.tag != f"{{{NS['bpmn']}}}boundaryEvent"]
    for i, a in enumerate(placed):
        ax, ay, aw, ah = box(a.get("id"))
        assert aw > 0 and ah > 0
        for b in placed[i + 1 :]:
            if inside(a, b.get("id")) or inside(b, a.get("id")):
                continue
            bx, by, bw, bh = box(b.get("id"))
            overlap = ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah
            assert not overlap, f"{a.get('id')} overlaps {b.get('id')}"
    for boundary in doc.iter(f"{{{NS['bpmn']}}}boundaryEvent"):
        bx, by, bw, bh = box(boundary.get("id"))
        hx, hy, hw, hh = box(boundary.get("attachedToRef"))
        cx, cy = bx + bw / 2, by + bh / 2
        on_edge = hx <= cx <= hx + hw and (abs(cy - hy) < 1 or abs(cy - hy - hh) < 1)
        assert on_edge, f"{boundary.get('id')} is not on the border of {boundary.get('attachedToRef')}"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_chinese_names_on_every_element_and_condition(path: Path) -> None:
    doc = tree(path)
    for process in doc.iter(f"{{{NS['bpmn']}}}process"):
        assert HAN.search(process.get("name", "")), process.get("id")
    unnamed = [n.get("id") for n in flow_nodes(doc) if not HAN.search(n.get("name", ""))]
    assert not unnamed, f"elements without a Chinese name: {unnamed}"
    for flow in doc.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
        if flow.find("bpmn:conditionExpression", NS) is not None:
            assert HAN.search(flow.get("name", "")), f"conditional flow {flow.get('id')} has no Chinese name"


# --- contracts, errors, forms, decisions, called processes ----------------------------------------


def service_tasks(doc: etree._ElementTree) -> list[tuple[etree._Element, str]]:
    found = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        definition = element.find("bpmn:extensionElements/zeebe:taskDefinition", NS)
        if definition is not None:
            found.append((element, definition.get("type")))
    return found


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_every_job_type_is_in_the_catalogue(path: Path) -> None:
    unknown = [(e.get("id"), t) for e, t in service_tasks(tree(path)) if t not in JOB_TYPES]
    assert not unknown, f"job types missing from schemas.contracts: {unknown}"


def test_every_job_type_in_the_catalogue_is_used_somewhere() -> None:
    used = {t for path in BPMN_FILES for _, t in service_tasks(tree(path))}
    assert set(JOB_TYPES) - used == set(), "catalogue job types no process uses"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_caught_error_codes_are_ones_the_job_may_throw(path: Path) -> None:
    doc = tree(path)
    ids = by_id(doc)
    for boundary in doc.iter(f"{{{NS['bpmn']}}}boundaryEvent"):
        definition = boundary.find("bpmn:errorEventDefinition", NS)
        if definition is None:
            continue
        ref = definition.get("errorRef")
        assert ref, f"{boundary.get('id')}: catch-all error boundaries hide contract drift; name the error"
        code = ids[ref].get("errorCode")
        host = ids[boundary.get("attachedToRef")]
        definition = host.find("bpmn:extensionElements/zeebe:taskDefinition", NS)
        if definition is not None:
            codes = [e.code for e in JOB_TYPES[definition.get("type")].errors]
            assert code in codes, f"{boundary.get('id')}: {definition.get('type')} never throws {code} ({codes})"
        else:  # an embedded sub-process: an error end event inside must throw it
            thrown = {
                ids[d.get("errorRef")].get("errorCode")
                for d in host.iter(f"{{{NS['bpmn']}}}errorEventDefinition")
                if d.getparent().tag == f"{{{NS['bpmn']}}}endEvent"
            }
            assert code in thrown, f"{boundary.get('id')}: nothing inside {host.get('id')} throws {code}"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_user_tasks_have_forms_and_role_groups(path: Path) -> None:
    for task in tree(path).iter(f"{{{NS['bpmn']}}}userTask"):
        ext = task.find("bpmn:extensionElements", NS)
        assert ext is not None and ext.find("zeebe:userTask", NS) is not None, (
            f"{task.get('id')}: not a Camunda user task"
        )
        form = ext.find("zeebe:formDefinition", NS)
        assert form is not None and (FORMS / f"{form.get('formId')}.form").exists(), f"{task.get('id')}: form missing"
        groups = ext.find("zeebe:assignmentDefinition", NS).get("candidateGroups")
        if not groups.startswith("="):
            assert set(groups.split(",")) <= ROLES, f"{task.get('id')}: unknown candidate groups {groups}"
        else:
            assert groups == "=candidateGroups", f"{task.get('id')}: unexpected FEEL candidate groups {groups}"


def test_every_form_is_used_and_well_formed() -> None:
    used = {f.get("formId") for path in BPMN_FILES for f in tree(path).iter(f"{{{NS['zeebe']}}}formDefinition")}
    forms = {p.stem for p in FORMS.glob("*.form")}
    assert forms == used, f"unused forms {forms - used}, missing forms {used - forms}"
    for path in FORMS.glob("*.form"):
        data = json.loads(path.read_text("utf-8"))
        assert data["id"] == path.stem
        assert data["executionPlatform"] == "Camunda Cloud" and data["executionPlatformVersion"] == "8.8.0"
        keys = [c["key"] for c in data["components"] if "key" in c]
        assert len(keys) == len(set(keys)), f"{path.name}: duplicate keys"
        assert form_fields(path.stem), f"{path.name} has no input fields"
        labels = [c.get("label") or c.get("dateLabel") for c in data["components"] if "key" in c]
        assert all(label and HAN.search(label) for label in labels), f"{path.name}: a field without a Chinese label"


def test_called_processes_and_decisions_exist() -> None:
    processes = {p.get("id") for path in BPMN_FILES for p in tree(path).iter(f"{{{NS['bpmn']}}}process")}
    decisions = {d.get("id") for path in DMN_FILES for d in tree(path).iter(f"{{{NS['dmn']}}}decision")}
    for path in BPMN_FILES:
        for called in tree(path).iter(f"{{{NS['zeebe']}}}calledElement"):
            assert called.get("processId") in processes, f"{path.name}: {called.get('processId')} not deployed"
            assert called.get("propagateAllChildVariables") == "false", "map outputs explicitly"
        for called in tree(path).iter(f"{{{NS['zeebe']}}}calledDecision"):
            assert called.get("decisionId") in decisions, f"{path.name}: {called.get('decisionId')} missing"


# --- element templates ----------------------------------------------------------------------------


def template_schema() -> dict:
    assert TEMPLATE_SCHEMA.exists(), f"{TEMPLATE_SCHEMA} is missing: run `npm ci` first"
    text = TEMPLATE_SCHEMA.read_text("utf-8")
    # The schema's patterns use JavaScript named groups; Python's re spells them (?P<name>...).
    return json.loads(re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", text))


def test_element_templates_are_in_sync_with_the_contracts() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_element_templates.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    names = {p.stem for p in (WORKFLOWS / "element-templates").glob("*.json")}
    assert names == set(JOB_TYPES)


def test_element_templates_validate_against_the_camunda_schema() -> None:
    validator = jsonschema.Draft7Validator(template_schema())
    for path in sorted((WORKFLOWS / "element-templates").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, f"{path.name}: {errors[:3]}"
        [task_type] = [p["value"] for p in data["properties"] if p["binding"].get("property") == "type"]
        assert task_type == path.stem
    broken = {"id": "x", "appliesTo": ["bpmn:Task"], "properties": [{"binding": {"type": "nonsense"}}]}
    assert list(validator.iter_errors(broken)), "the schema must reject a broken template"


# --- bpmn-js (what Modeler and the docs render with) ----------------------------------------------


def test_bpmn_js_imports_every_diagram_without_warnings(tmp_path: Path) -> None:
    import importlib.util

    assert Path("/usr/bin/chromium").exists(), "Debian chromium is needed: apt-get install -y chromium"
    spec = importlib.util.spec_from_file_location("render_diagrams", ROOT / "tools" / "render_diagrams.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    warnings = module.render(BPMN_FILES, tmp_path)
    assert warnings == {p.name: [] for p in BPMN_FILES}
    assert all((tmp_path / f"{p.stem}.png").stat().st_size > 5_000 for p in BPMN_FILES)


def test_forms_import_in_form_js_without_warnings(tmp_path: Path) -> None:
    """Every form loads in @bpmn-io/form-js (what Camunda Tasklist and our task list render with)."""
    from playwright.sync_api import sync_playwright

    assert Path("/usr/bin/chromium").exists(), "Debian chromium is needed: apt-get install -y chromium"
    bundle = tmp_path / "form-js.js"
    built = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "esbuild"), "--bundle", "--format=iife", f"--outfile={bundle}"],
        input="import { Form } from '@bpmn-io/form-js-viewer'; window.FormJs = { Form };",
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    page_html = f"<!doctype html><meta charset='utf-8'><div id='f'></div><script>{bundle.read_text('utf-8')}</script>"
    load = """async (schema) => {
      const container = document.getElementById('f');
      container.innerHTML = '';
      const form = new FormJs.Form({ container });
      const { warnings } = await form.importSchema(schema, {});
      const fields = container.querySelectorAll('.fjs-form-field').length;
      form.destroy();
      return { warnings: warnings.map(w => String(w.message || w)), fields };
    }"""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu", "--headless"]
        )
        try:
            page = browser.new_page()
            page.set_content(page_html)
            for path in sorted(FORMS.glob("*.form")):
                result = page.evaluate(load, json.loads(path.read_text("utf-8")))
                assert result["warnings"] == [], f"{path.name}: {result['warnings']}"
                rendered = result["fields"]
                assert rendered >= len(form_fields(path.stem)), f"{path.name} rendered {rendered} fields"
        finally:
            browser.close()
