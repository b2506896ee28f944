"""promtool on the Prometheus config, the rules and the rule unit tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from jiuzhu.metrics import metric_names as jiuzhu_metric_names
from tests.metrics.prom import PROMETHEUS_DIR, require
from tests.metrics.promql import alert_names, metric_names, recorded_names, rules

pytestmark = pytest.mark.metrics

TESTS_DIR = PROMETHEUS_DIR / "tests"


def promtool(*args: str) -> str:
    result = subprocess.run(
        [require("promtool"), *args], cwd=PROMETHEUS_DIR, capture_output=True, text=True, timeout=60
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"promtool {' '.join(args)} failed:\n{output}"
    return output


def test_config_is_valid() -> None:
    output = promtool("check", "config", "prometheus.yml")
    assert "SUCCESS" in output and "rule files found" in output


def test_rules_are_valid() -> None:
    files = sorted(str(p.relative_to(PROMETHEUS_DIR)) for p in (PROMETHEUS_DIR / "rules").glob("*.yml"))
    assert len(files) >= 3
    promtool("check", "rules", *files)


def test_rule_unit_tests_pass() -> None:
    files = sorted(str(p.relative_to(PROMETHEUS_DIR)) for p in TESTS_DIR.glob("*.yml"))
    assert files
    output = promtool("test", "rules", *files)
    assert output.count("SUCCESS") == len(files)


def test_every_alert_is_tested_firing_and_not_firing() -> None:
    firing: set[str] = set()
    silent: set[str] = set()
    for path in TESTS_DIR.glob("*.yml"):
        for case in yaml.safe_load(path.read_text("utf-8"))["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else silent).add(check["alertname"])
    alerts = set(alert_names())
    assert len(alerts) == len(alert_names()), "duplicate alert names"
    assert alerts - firing == set(), f"alerts never tested firing: {sorted(alerts - firing)}"
    assert alerts - silent == set(), f"alerts never tested not firing: {sorted(alerts - silent)}"


def test_rules_use_only_jiuzhu_metrics() -> None:
    known = set(jiuzhu_metric_names()) | recorded_names() | {"up"}
    for rule in rules():
        unknown = metric_names(rule["expr"]) - known
        assert not unknown, f"{rule.get('alert') or rule.get('record')}: unknown metrics {sorted(unknown)}"


def test_alerts_carry_severity_and_summary() -> None:
    for rule in rules():
        if "alert" in rule:
            assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
            assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]
            assert rule["alert"].startswith("Jiuzhu"), rule["alert"]


def test_scrape_jobs_cover_engine_workers_and_camunda() -> None:
    config = yaml.safe_load(Path(PROMETHEUS_DIR / "prometheus.yml").read_text("utf-8"))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["jiuzhu-engine"]["metrics_path"] == "/metrics"
    assert jobs["jiuzhu-workers"]["metrics_path"] == "/metrics"
    assert jobs["camunda"]["metrics_path"] == "/actuator/prometheus"
    assert jobs["camunda"]["static_configs"][0]["targets"] == ["camunda:9600"]
    # the alerts name these jobs: keep them in step
    text = "".join(rule["expr"] for rule in rules())
    for job in ("jiuzhu-engine", "jiuzhu-workers", "camunda"):
        assert job in text
