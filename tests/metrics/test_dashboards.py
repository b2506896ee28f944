"""The Grafana dashboards and provisioning: generated, well-formed, and only on jiuzhu's metrics."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from jiuzhu.metrics import metric_names as jiuzhu_metric_names
from tests.metrics.promql import DASHBOARDS_DIR, ROOT, dashboard_queries, metric_names, panels, recorded_names

pytestmark = pytest.mark.metrics

GRAFANA = ROOT / "infra" / "grafana"
EXPECTED = {"sla-overview.json", "township.json", "emergency-relief.json", "engine-health.json"}


def load(name: str) -> dict:
    return json.loads((DASHBOARDS_DIR / name).read_text("utf-8"))


def test_json_is_what_the_generator_writes() -> None:
    result = subprocess.run(
        [sys.executable, str(GRAFANA / "generate.py"), "--check"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert {p.name for p in DASHBOARDS_DIR.glob("*.json")} == EXPECTED


def test_every_query_uses_only_jiuzhu_metrics() -> None:
    known = set(jiuzhu_metric_names()) | recorded_names() | {"up"}
    queries = dashboard_queries()
    assert len(queries) >= 60
    for name, title, expr in queries:
        unknown = metric_names(expr) - known
        assert not unknown, f"{name} / {title}: unknown metrics {sorted(unknown)} in {expr}"


def test_template_variable_queries_use_jiuzhu_metrics() -> None:
    for name in EXPECTED:
        for variable in load(name)["templating"]["list"]:
            match = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", variable["query"]["query"])
            assert match, variable
            assert match.group(1) in jiuzhu_metric_names()


def test_panels_are_well_formed() -> None:
    uids = set()
    for name in EXPECTED:
        dashboard = load(name)
        assert dashboard["uid"] not in uids
        uids.add(dashboard["uid"])
        ids = [p["id"] for p in panels(dashboard)]
        assert len(ids) == len(set(ids)), name
        for panel in panels(dashboard):
            pos = panel["gridPos"]
            assert pos["x"] + pos["w"] <= 24 and pos["w"] > 0 and pos["h"] > 0, (name, panel["title"])
            assert panel["datasource"]["uid"] == "prometheus"
            assert panel["targets"], (name, panel["title"])
            refs = [t["refId"] for t in panel["targets"]]
            assert len(refs) == len(set(refs))


def test_township_dashboard_filters_every_query_by_the_variable() -> None:
    dashboard = load("township.json")
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["township"]
    for panel in panels(dashboard):
        for target in panel["targets"]:
            assert '$township"' in target["expr"], (panel["title"], target["expr"])


def test_the_required_views_exist() -> None:
    titles = {name: " | ".join(p["title"] for p in panels(load(name))) for name in EXPECTED}
    assert "On-time" in titles["sla-overview.json"] and "Ageing by township" in titles["sla-overview.json"]
    assert "24 h" in titles["emergency-relief.json"]
    assert "Targets up" in titles["engine-health.json"] and "Workers" in titles["engine-health.json"]


def test_provisioning_points_at_the_dashboards_and_prometheus() -> None:
    datasources = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text("utf-8"))
    (source,) = datasources["datasources"]
    assert source["uid"] == "prometheus" and source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    providers = yaml.safe_load((GRAFANA / "provisioning/dashboards/jiuzhu.yml").read_text("utf-8"))
    (provider,) = providers["providers"]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./infra/grafana/dashboards:{provider['options']['path']}:ro" in mounts
    assert "./infra/grafana/provisioning:/etc/grafana/provisioning:ro" in mounts
    assert Path(GRAFANA / "dashboards").is_dir()
