"""Export the job-type catalogue as JSON Schema (input for Modeler element templates and docs).

``python -m schemas.contracts.export [FILE]`` writes it (to stdout without FILE).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from schemas.contracts.jobs._contract import JobContract
from schemas.contracts.registry import JOB_TYPES

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def contract_schema(contract: JobContract) -> dict[str, Any]:
    return {
        "type": contract.type,
        "area": contract.area,
        "description": {"zh": contract.zh, "en": contract.en},
        "errors": [{"code": e.code, "zh": e.zh, "en": e.en} for e in contract.errors],
        # What the worker reads (validation) and what it writes back (serialization), by BPMN name.
        "input": contract.input.model_json_schema(by_alias=True, mode="validation"),
        "output": contract.output.model_json_schema(by_alias=True, mode="serialization"),
    }


def catalogue_json_schema() -> dict[str, Any]:
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "jiuzhu job types",
        "jobTypes": {name: contract_schema(contract) for name, contract in JOB_TYPES.items()},
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = json.dumps(catalogue_json_schema(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
