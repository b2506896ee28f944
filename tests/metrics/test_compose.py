"""docker-compose.yml, checked structurally (no Docker engine runs here): profiles, health checks,
start order, pinned images, secrets from the environment, ports; and the Dockerfile."""

from __future__ import annotations

import re
from itertools import chain
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.metrics.promql import ROOT

pytestmark = pytest.mark.metrics

COMPOSE = ROOT / "docker-compose.yml"
ENV_FILE = ROOT / "infra" / ".env"
SECRETS = {"JIUZHU_DB_PASSWORD": "s3cret-db", "GRAFANA_ADMIN_PASSWORD": "s3cret-gf"}
VARIABLE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")
PROFILE_RUNS = {
    "camunda": {"camunda"},
    "camunda+connectors": {"camunda", "connectors"},
    "embedded": {"embedded"},
}


def env_file() -> dict[str, str]:
    values = {}
    for line in ENV_FILE.read_text("utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} ($$ escapes)."""

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match.groups()
        value = env.get(name, "")
        if op == "?" and not value:
            raise KeyError(f"{name}: {arg}")
        if op == "-" and not value:
            return arg
        return value

    return VARIABLE.sub(replace, text.replace("$$", "\0")).replace("\0", "$")


def raw() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text("utf-8")))


def walk(node: Any, env: dict[str, str]) -> Any:
    """Interpolate every string value, as compose does after parsing (comments are not touched)."""
    if isinstance(node, dict):
        return {key: walk(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [walk(value, env) for value in node]
    return interpolate(node, env) if isinstance(node, str) else node


def resolved() -> dict[str, Any]:
    return dict(walk(raw(), {**env_file(), **SECRETS}))


def environments() -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for name, service in raw()["services"].items():
        env = service.get("environment", {})
        items = env.items() if isinstance(env, dict) else (item.partition("=")[::2] for item in env)
        found.extend((name, key, str(value)) for key, value in items)
    return found


def active(services: dict[str, Any], profiles: set[str]) -> set[str]:
    return {name for name, s in services.items() if not s.get("profiles") or set(s["profiles"]) & profiles}


def test_services_and_profiles() -> None:
    services = raw()["services"]
    expected = {
        "postgres": [],
        "elasticsearch": ["camunda"],
        "camunda": ["camunda"],
        "connectors": ["connectors"],
        "workers": ["camunda"],
        "tasklist": ["camunda"],
        "jiuzhu": ["embedded"],
        "prometheus": [],
        "grafana": [],
    }
    assert {name: s.get("profiles", []) for name, s in services.items()} == expected
    assert "camunda" not in active(services, {"embedded"}) and "jiuzhu" not in active(services, {"camunda"})


def test_every_service_has_a_healthcheck() -> None:
    for name, service in raw()["services"].items():
        check = service.get("healthcheck")
        assert check and check.get("test") and check.get("interval"), name
        assert not check.get("disable"), name


def test_dependencies_wait_for_health_and_exist_in_the_same_run() -> None:
    services = raw()["services"]
    for run, profiles in PROFILE_RUNS.items():
        running = active(services, profiles)
        for name in running:
            depends = services[name].get("depends_on", {})
            assert isinstance(depends, dict), f"{name}: depends_on must use conditions"
            for dependency, condition in depends.items():
                assert condition == {"condition": "service_healthy"}, (name, dependency)
                assert dependency in running, f"{run}: {name} needs {dependency}, which does not run"
    assert services["grafana"]["depends_on"] == {"prometheus": {"condition": "service_healthy"}}
    assert set(services["workers"]["depends_on"]) == {"camunda", "postgres"}
    assert set(services["jiuzhu"]["depends_on"]) == {"postgres"}


def test_images_are_pinned_in_infra_env() -> None:
    env = env_file()
    for key, value in env.items():
        assert value and "latest" not in value, key
    assert re.fullmatch(r"8\.8\.\d+", env["CAMUNDA_VERSION"])
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", env["PYTHON_IMAGE"])
    for name, service in raw()["services"].items():
        image = service["image"]
        assert re.search(r":\$\{\w+:\?[^}]+\}$", image), f"{name}: image tag must come from infra/.env: {image}"
    images = {name: s["image"] for name, s in resolved()["services"].items()}
    assert images["camunda"] == f"camunda/camunda:{env['CAMUNDA_VERSION']}"
    assert images["prometheus"].startswith("prom/prometheus:v")
    for image in images.values():
        assert re.search(r":[\w.-]*\d[\w.-]*$", image), image


def test_secrets_only_from_the_environment() -> None:
    secret_keys = [(n, k, v) for n, k, v in environments() if re.search(r"PASSWORD|SECRET|TOKEN", k)]
    assert len(secret_keys) >= 2
    for name, key, value in secret_keys:
        assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", value), f"{name}: {key} must be ${{VAR:?...}}, got {value}"
    for name, key, value in environments():
        if "://" in value and "@" in value:  # credentials inside a URL
            assert re.search(r":\$\{\w+:\?[^}]+\}@", value), f"{name}: {key} embeds a literal password"
    with pytest.raises(KeyError, match="JIUZHU_DB_PASSWORD"):
        walk(raw(), env_file())
    assert not set(SECRETS) & set(env_file()), "secrets do not belong in infra/.env"


def test_camunda_lightweight_setup() -> None:
    camunda = resolved()["services"]["camunda"]
    assert camunda["environment"]["CAMUNDA_SECURITY_AUTHENTICATION_UNPROTECTEDAPI"] == "true"
    ports = {p.rsplit(":", 1)[-1] for p in camunda["ports"]}
    assert ports == {"26500", "8080", "9600"}
    assert camunda["depends_on"] == {"elasticsearch": {"condition": "service_healthy"}}
    workers = resolved()["services"]["workers"]
    assert workers["environment"]["ZEEBE_ADDRESS"] == "camunda:26500"
    assert "9464" in workers["command"]


def test_embedded_profile_runs_jiuzhu_up() -> None:
    jiuzhu = resolved()["services"]["jiuzhu"]
    assert jiuzhu["command"][:2] == ["jiuzhu", "up"]
    assert "0.0.0.0" in jiuzhu["command"]
    assert "--insecure" not in jiuzhu["command"]  # credentials stay required in the container
    assert "healthz" in " ".join(jiuzhu["healthcheck"]["test"])
    assert jiuzhu["environment"]["JIUZHU_DATABASE_URL"].startswith("postgresql+psycopg://jiuzhu:s3cret-db@postgres")


def test_ports_are_local_and_do_not_clash_within_a_run() -> None:
    services = resolved()["services"]
    for name, service in services.items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond localhost"
    for run, profiles in PROFILE_RUNS.items():
        published = list(
            chain.from_iterable(
                [p.split(":")[1] for p in services[n].get("ports", [])] for n in active(services, profiles)
            )
        )
        assert len(published) == len(set(published)), f"{run}: host ports clash: {sorted(published)}"


def test_monitoring_mounts_the_project_files() -> None:
    services = raw()["services"]
    assert "./infra/prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in services["prometheus"]["command"]
    for mount in chain(services["prometheus"]["volumes"], services["grafana"]["volumes"]):
        source = mount.split(":")[0]
        if source.startswith("./"):
            assert (ROOT / source).exists(), mount
    scrape = yaml.safe_load((ROOT / "infra/prometheus/prometheus.yml").read_text("utf-8"))
    targets = {c["job_name"]: c["static_configs"][0]["targets"][0] for c in scrape["scrape_configs"]}
    for job, service in (("jiuzhu-engine", "jiuzhu"), ("jiuzhu-workers", "workers"), ("camunda", "camunda")):
        assert targets[job].split(":")[0] == service and service in services


def test_dockerfile_builds_a_non_root_python_311_image() -> None:
    text = (ROOT / "Dockerfile").read_text("utf-8")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.M)
    assert re.search(r"^FROM \$\{PYTHON_IMAGE\}", text, re.M)
    assert re.search(r"^RUN pip install \.", text, re.M)
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in {"root", "0"}
    ignore = (ROOT / ".dockerignore").read_text("utf-8").split()
    assert ignore[ignore.index("*") + 1 :] and "!jiuzhu" in ignore and "!pyproject.toml" in ignore
    for service in ("workers", "tasklist", "jiuzhu"):
        assert raw()["services"][service]["build"]["context"] == "."


def test_compose_file_mentions_the_licence_and_docs_cover_it() -> None:
    assert "Enterprise licence" in COMPOSE.read_text("utf-8")
    docs = Path(ROOT / "docs" / "operations.md").read_text("utf-8")
    for needle in ("Enterprise", "8.6", "SaaS", "--profile embedded", "--profile camunda", "promtool"):
        assert needle in docs, needle


def test_docs_list_every_metric_and_alert() -> None:
    from jiuzhu.metrics import METRICS
    from tests.metrics.promql import alert_names

    docs = (ROOT / "docs" / "operations.md").read_text("utf-8")
    missing = [m.name for m in METRICS if f"`{m.name}`" not in docs]
    missing += [a for a in alert_names() if f"`{a}`" not in docs]
    assert not missing, f"docs/operations.md does not list: {missing}"
