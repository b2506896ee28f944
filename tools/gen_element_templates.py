"""Generate ``workflows/element-templates/<job type>.json`` from the job contracts.

    .venv/bin/python tools/gen_element_templates.py [--check]

One Modeler palette entry per job type in ``schemas.contracts.JOB_TYPES``: the task type is fixed,
each input field can be mapped (optional, FEEL), each output can be mapped to a process variable,
and the description lists the BPMN errors to catch with boundary events. ``--check`` fails when
the files on disk differ from what the contracts say (the test suite runs it).

Templates are versioned so the Modeler offers "update template" on tasks already drawn: the content
hash of each template (everything but ``version``) is appended to ``tools/element-template-versions.json``
when it changes, and the version is the length of that history. After a bump, update
``zeebe:modelerTemplateVersion`` on the job's tasks in ``workflows/*.bpmn`` (in the Modeler: "Update").
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from schemas.contracts import JOB_TYPES, JobContract  # noqa: E402

OUT = ROOT / "workflows" / "element-templates"
VERSIONS = ROOT / "tools" / "element-template-versions.json"
SCHEMA_URL = "https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json"


def _fields(model: Any, mode: str) -> list[tuple[str, str, bool]]:
    """(wire name, description, required) of a pydantic model's fields."""
    schema = model.model_json_schema(by_alias=True, mode=mode)
    required = set(schema.get("required", []))
    found = []
    for name, spec in schema.get("properties", {}).items():
        kind = spec.get("type") or " | ".join(
            str(option.get("type", option.get("$ref", "").rsplit("/", 1)[-1])) for option in spec.get("anyOf", [])
        )
        found.append((name, kind or spec.get("$ref", "").rsplit("/", 1)[-1], name in required))
    return found


def template(contract: JobContract) -> dict[str, Any]:
    errors = "".join(f"\n· {e.code}：{e.zh}" for e in contract.errors)
    description = f"{contract.zh}（{contract.en}）"
    if errors:
        description += "\n可能抛出的 BPMN 错误（用错误边界事件捕获）：" + errors
    properties: list[dict[str, Any]] = [
        {
            "type": "Hidden",
            "value": contract.type,
            "binding": {"type": "zeebe:taskDefinition", "property": "type"},
        },
        {
            "label": "重试次数",
            "group": "job",
            "type": "String",
            "value": "3",
            "binding": {"type": "zeebe:taskDefinition", "property": "retries"},
        },
    ]
    for name, kind, required in _fields(contract.input, "validation"):
        properties.append(
            {
                "id": f"input.{name}",
                "label": name,
                "description": f"输入 {name}（{kind}{'，必填' if required else ''}）。留空则作业读取同名流程变量。",
                "group": "input",
                "type": "String",
                "feel": "optional",
                "optional": True,
                "binding": {"type": "zeebe:input", "name": name},
            }
        )
    for name, kind, _required in _fields(contract.output, "serialization"):
        properties.append(
            {
                "id": f"output.{name}",
                "label": f"{name} → 流程变量",
                "description": f"输出 {name}（{kind}）。留空则作业结果按同名变量写回流程。",
                "group": "output",
                "type": "String",
                "optional": True,
                "binding": {"type": "zeebe:output", "source": f"={name}"},
            }
        )
    return {
        "$schema": SCHEMA_URL,
        "name": contract.zh.split("（")[0].split("：")[0],
        "id": f"jiuzhu.{contract.type}",
        "description": description,
        "version": 0,  # set by versioned()
        "engines": {"camunda": "^8.8"},
        "category": {"id": "jiuzhu", "name": "救助业务（jiuzhu）"},
        "appliesTo": ["bpmn:Task"],
        "elementType": {"value": "bpmn:ServiceTask"},
        "groups": [
            {"id": "job", "label": f"作业 {contract.type}"},
            {"id": "input", "label": "输入变量"},
            {"id": "output", "label": "输出变量"},
        ],
        "properties": properties,
    }


def content_hash(body: dict[str, Any]) -> str:
    """The hash of a template's content, its version left out."""
    unversioned = {key: value for key, value in body.items() if key != "version"}
    return hashlib.sha256(json.dumps(unversioned, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def load_versions() -> dict[str, list[str]]:
    return json.loads(VERSIONS.read_text("utf-8")) if VERSIONS.exists() else {}


def versioned(history: dict[str, list[str]], job_type: str, body: dict[str, Any]) -> bool:
    """Set ``body["version"]`` from the hash history; True when this content is new (a bump)."""
    hashes = history.setdefault(job_type, [])
    digest = content_hash(body)
    bumped = not hashes or hashes[-1] != digest
    if bumped:
        hashes.append(digest)
    body["version"] = len(hashes)
    return bumped


def rendered(history: dict[str, list[str]]) -> tuple[dict[Path, str], list[str]]:
    """The template files, and the job types whose content is new since their last version."""
    files, bumped = {}, []
    for job_type, contract in JOB_TYPES.items():
        body = template(contract)
        if versioned(history, job_type, body):
            bumped.append(job_type)
        files[OUT / f"{job_type}.json"] = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    return files, bumped


def main(argv: list[str]) -> int:
    history = load_versions()
    wanted, bumped = rendered(history)
    stale = sorted(p for p in OUT.glob("*.json") if p not in wanted)
    differ = sorted(p for p, text in wanted.items() if not p.exists() or p.read_text("utf-8") != text)
    if "--check" in argv:
        for job_type in bumped:
            print(f"changed without a new version: {job_type} (run tools/gen_element_templates.py)")
        for path in [*differ, *stale]:
            print(f"out of date: {path.relative_to(ROOT)}")
        return 1 if differ or stale or bumped else 0
    OUT.mkdir(parents=True, exist_ok=True)
    if bumped:
        VERSIONS.write_text(json.dumps(history, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        for job_type in bumped:
            print(f"{job_type}: version {len(history[job_type])} (update zeebe:modelerTemplateVersion in the BPMN)")
    for path in stale:
        path.unlink()
    for path in differ:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
