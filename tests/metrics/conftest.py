"""Fixtures of the metrics tests: a fresh Telemetry, the sample server and a real Prometheus."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from jiuzhu.metrics import Telemetry
from tests.metrics import sample
from tests.metrics.prom import PrometheusServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "metrics: metrics, Prometheus rules and config, dashboards, deployment files")


@pytest.fixture
def telemetry() -> Telemetry:
    return Telemetry(CollectorRegistry())


StartPrometheus = Callable[[dict[str, list[str]]], PrometheusServer]


@pytest.fixture
def prometheus_factory(tmp_path: Path) -> Iterator[StartPrometheus]:
    """Start a real Prometheus with the project's config and rules against any targets, e.g.
    `prometheus_factory({"jiuzhu-engine": [f"127.0.0.1:{http_port}"]})` for a running `jiuzhu up`."""
    started: list[PrometheusServer] = []

    def start(targets: dict[str, list[str]]) -> PrometheusServer:
        prom = PrometheusServer(tmp_path / f"prometheus-{len(started)}", targets)
        started.append(prom)
        return prom.start()

    yield start
    for prom in started:
        prom.stop()


@pytest.fixture(scope="module")
def live_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    """Prometheus scraping the sample server as job jiuzhu-engine, with the project's rules, after the
    counters have moved between two scrapes and the recording rules have run."""
    t = sample.sample_telemetry()
    server, target = sample.serve(t)
    prom = PrometheusServer(tmp_path_factory.mktemp("prometheus"), targets={"jiuzhu-engine": [target]})
    try:
        prom.start()
        prom.wait_for('up{job="jiuzhu-engine"} == 1')
        prom.wait_for("jiuzhu_cases_opened_total")
        sample.record(t)  # the counters move: rates and increases are non-zero
        prom.wait_for("increase(jiuzhu_cases_opened_total[1m]) > 0")
        prom.wait_for("county:jiuzhu_case_decisions_on_time:ratio7d")
        prom.wait_for("township:jiuzhu_emergency_relief_late:increase7d")
        yield prom
    finally:
        prom.stop()
        server.shutdown()
        server.server_close()
