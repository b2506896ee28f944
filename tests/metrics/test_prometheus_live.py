"""Every dashboard query and every rule expression, run on a real Prometheus scraping jiuzhu metrics.

The target is a sample server fed through the recorder API (`prometheus_factory` points the same setup
at any target, e.g. a running `jiuzhu up`). Every query must parse and evaluate, every dashboard query
must return series, and the rules must evaluate without errors.
"""

from __future__ import annotations

import pytest

from tests.metrics.conftest import StartPrometheus
from tests.metrics.prom import PrometheusServer, QueryError
from tests.metrics.promql import dashboard_queries, rules, substitute
from tests.metrics.sample import sample_telemetry, serve

pytestmark = pytest.mark.metrics


def test_every_dashboard_query_runs_and_returns_series(live_prometheus: PrometheusServer) -> None:
    prom = live_prometheus
    errors, empty = [], []
    for name, title, expr in dashboard_queries():
        try:
            result = prom.query(substitute(expr))
        except QueryError as err:
            errors.append(f"{name} / {title}: {err}")
            continue
        if not result:
            empty.append(f"{name} / {title}: {expr}")
    assert not errors, "queries Prometheus refused:\n" + "\n".join(errors)
    assert not empty, "queries with no series on the sample data:\n" + "\n".join(empty)


def test_every_rule_expression_runs(live_prometheus: PrometheusServer) -> None:
    prom = live_prometheus
    errors = []
    for rule in rules():
        try:
            prom.query(rule["expr"])
        except QueryError as err:
            errors.append(f"{rule.get('alert') or rule.get('record')}: {err}")
    assert not errors, "\n".join(errors)


def test_rules_load_and_evaluate_healthy(live_prometheus: PrometheusServer) -> None:
    loaded = live_prometheus.rule_health()
    assert {r["name"] for r in loaded} == {r.get("alert") or r.get("record") for r in rules()}
    unhealthy = [(r["name"], r.get("lastError")) for r in loaded if r["health"] not in ("ok", "unknown")]
    assert not unhealthy
    recorded = [r["name"] for r in loaded if r["type"] == "recording" and r["health"] != "ok"]
    assert not recorded, f"recording rules not evaluated: {recorded}"


def test_the_sample_data_trips_the_casework_alerts_it_should(live_prometheus: PrometheusServer) -> None:
    prom = live_prometheus
    by_name = {r["alert"]: r["expr"] for r in rules() if "alert" in r}
    overdue = prom.query(by_name["JiuzhuCasePastDeadline"])
    assert [(s["metric"]["township"], s["metric"]["case_type"]) for s in overdue] == [("341822101", "tekun")]
    relief = prom.query(by_name["JiuzhuEmergencyReliefOverdue"])
    assert [s["metric"]["township"] for s in relief] == ["341822101"]
    paid_late = prom.query(by_name["JiuzhuEmergencyReliefPaidLate"])
    assert [s["metric"]["township"] for s in paid_late] == ["341822101"]
    assert prom.query(by_name["JiuzhuEngineDown"]) == []
    on_time = prom.query("township:jiuzhu_case_decisions_on_time:ratio7d")
    ratios = {s["metric"]["township"]: float(s["value"][1]) for s in on_time}
    assert ratios["341822100"] == 1.0 and 0 < ratios["341822101"] < 1


def test_the_factory_scrapes_any_target_and_sees_a_dead_one(prometheus_factory: StartPrometheus) -> None:
    t = sample_telemetry()
    server, target = serve(t)
    try:
        prom = prometheus_factory({"jiuzhu-engine": [target], "jiuzhu-workers": ["127.0.0.1:9"]})
        prom.wait_for('up{job="jiuzhu-engine"} == 1')
        prom.wait_for('up{job="jiuzhu-workers"} == 0')
        assert prom.query("sum(jiuzhu_engine_process_instances_active)")[0]["value"][1] == "12"
        workers_down = next(r["expr"] for r in rules() if r.get("alert") == "JiuzhuWorkersDown")
        assert prom.query(workers_down) == []  # the embedded engine is up: its workers run inside it
    finally:
        server.shutdown()
        server.server_close()
