"""docker-compose.yml against the Compose Specification's JSON schema (no Docker engine runs here).

The schema is the official `compose-spec.json` of the compose-spec project as the PyPI package
`check-jsonschema` vendors it (`check_jsonschema/builtin_schemas/vendor/compose-spec.json`, with its
Apache-2.0 licence beside it); the package is pinned as a dev dependency, so the schema moves only
when the pin does. Validation is Python `jsonschema` with the schema's own draft (2020-12).

Compose validates a file after interpolation, so the file is validated twice: as written (every
`${VAR:?...}` still a string) and interpolated with infra/.env and test secrets.
"""

from __future__ import annotations

import copy
import json
from importlib import metadata, resources
from typing import Any

import jsonschema
import pytest

from tests.metrics.test_compose import raw, resolved

pytestmark = pytest.mark.metrics

SCHEMA_PACKAGE = "check-jsonschema"
SCHEMA_RESOURCE = ("check_jsonschema.builtin_schemas.vendor", "compose-spec.json")


def compose_schema() -> dict[str, Any]:
    package, name = SCHEMA_RESOURCE
    try:
        text = resources.files(package).joinpath(name).read_text("utf-8")
    except ModuleNotFoundError as err:
        raise AssertionError(
            f"the Compose Specification schema comes from the dev dependency {SCHEMA_PACKAGE} (pip install -e '.[dev]')"
        ) from err
    return dict(json.loads(text))


def validator() -> jsonschema.protocols.Validator:
    schema = compose_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def problems(document: dict[str, Any]) -> list[str]:
    found = validator().iter_errors(document)
    return sorted(f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}" for e in found)


def test_the_schema_is_the_compose_specification() -> None:
    schema = compose_schema()
    assert schema["title"] == "Compose Specification"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"services", "volumes", "name"} <= set(schema["properties"])
    assert metadata.version(SCHEMA_PACKAGE)  # installed as a package, not copied into the repo
    licence = resources.files(SCHEMA_RESOURCE[0]).joinpath("licenses/LICENSE.compose-spec").read_text("utf-8")
    assert "Apache License" in licence


def test_compose_file_as_written_is_valid() -> None:
    assert problems(raw()) == []


def test_compose_file_interpolated_is_valid() -> None:
    assert problems(resolved()) == []


@pytest.mark.parametrize(
    ("mutate", "complaint"),
    [
        (lambda d: d["services"]["postgres"].update(restartt="always"), "restartt"),
        (lambda d: d["services"]["grafana"]["depends_on"]["prometheus"].update(condition="healthy"), "healthy"),
        (lambda d: d["services"]["jiuzhu"]["healthcheck"].update(test=42), "42"),
        (lambda d: d.update(servces={}), "servces"),
    ],
    ids=["unknown service key", "bad depends_on condition", "bad healthcheck test", "unknown top-level key"],
)
def test_the_schema_catches_mistakes(mutate: Any, complaint: str) -> None:
    document = copy.deepcopy(resolved())
    mutate(document)
    found = problems(document)
    assert found and any(complaint in p for p in found), found
