"""Prometheus metrics of jiuzhu: the engine, the workers and the casework SLA.

One process-wide `Telemetry` on its own registry; the hooks are its recorders:

    from jiuzhu import metrics
    metrics.engine.job_completed(job.type, seconds)          # engine events (engine.py)
    metrics.workers.job_handled(job_type, "completed", secs)  # worker events (workers.py)
    metrics.cases.case_decided(case_type, path, township, outcome, working_days)  # cases.py
    metrics.register_engine_stats(engine)                     # gauges read at scrape time
    app.include_router(metrics.router())                      # GET /metrics

Tests build their own `Telemetry(CollectorRegistry())`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter
from prometheus_client import (
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.registry import Collector

from jiuzhu.metrics.cases import CaseRecorder
from jiuzhu.metrics.collectors import CaseStats, CaseStatsCollector, EngineStats, EngineStatsCollector, OpenCase
from jiuzhu.metrics.definitions import METRICS, MetricInfo, Metrics, metric_names
from jiuzhu.metrics.engine import EngineRecorder
from jiuzhu.metrics.exposition import metrics_asgi_app, metrics_router, render, serve
from jiuzhu.metrics.interceptor import GrpcMetricsInterceptor
from jiuzhu.metrics.labels import FIELDS, Labels, parse_townships
from jiuzhu.metrics.workers import WorkerRecorder

__all__ = [
    "METRICS",
    "REGISTRY",
    "CaseStats",
    "EngineStats",
    "GrpcMetricsInterceptor",
    "MetricInfo",
    "OpenCase",
    "Telemetry",
    "cases",
    "configure_townships",
    "engine",
    "grpc_interceptor",
    "metric_names",
    "register_case_stats",
    "register_engine_stats",
    "router",
    "serve_http",
    "telemetry",
    "workers",
]

TOWNSHIPS_ENV = "JIUZHU_METRICS_TOWNSHIPS"


class Telemetry:
    """Metrics, label rules, recorders and scrape-time collectors bound to one registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.metrics = Metrics(self.registry)
        for field in FIELDS:  # export every field at 0, so increase() sees the first refusal
            self.metrics.invalid_inputs.labels(field)
        for source in ("engine", "cases"):
            self.metrics.collect_errors.labels(source)
        self.labels = Labels(invalid=lambda field: self.metrics.invalid_inputs.labels(field).inc())
        self.engine = EngineRecorder(self.metrics, self.labels)
        self.workers = WorkerRecorder(self.metrics, self.labels)
        self.cases = CaseRecorder(self.metrics, self.labels)
        self._stats: dict[str, Collector] = {}
        self._lock = threading.Lock()

    def configure_townships(self, townships: Mapping[str, str] | Iterable[str]) -> None:
        """The county's townships (code → name): other codes are exported as `other`."""
        self.labels.townships.configure(townships)
        self.metrics.township_info.clear()
        for code, name in self.labels.townships.configured.items():
            self.metrics.township_info.labels(code, name).set(1)

    def configure_from_env(self, environ: Mapping[str, str] = os.environ) -> bool:
        text = environ.get(TOWNSHIPS_ENV, "").strip()
        if not text:
            return False
        self.configure_townships(parse_townships(text))
        return True

    def _register(self, key: str, collector: Collector) -> None:
        with self._lock:
            previous = self._stats.pop(key, None)
            if previous is not None:
                self.registry.unregister(previous)
            self.registry.register(collector)
            self._stats[key] = collector

    def register_engine_stats(self, stats: EngineStats) -> None:
        """Read engine gauges from `stats` at every scrape (replaces an earlier registration)."""
        self._register("engine", EngineStatsCollector(stats, self.metrics, self.labels))

    def register_case_stats(self, stats: CaseStats) -> None:
        """Read open-case gauges from `stats`. Register in ONE process per county, or sums double."""
        self._register("cases", CaseStatsCollector(stats, self.metrics, self.labels))

    def unregister_stats(self) -> None:
        with self._lock:
            for collector in self._stats.values():
                self.registry.unregister(collector)
            self._stats.clear()

    def grpc_interceptor(self) -> GrpcMetricsInterceptor:
        return GrpcMetricsInterceptor(self.engine)

    def router(self, path: str = "/metrics") -> APIRouter:
        return metrics_router(self.registry, path)

    def asgi_app(self) -> Any:
        return metrics_asgi_app(self.registry)

    def serve_http(self, port: int, host: str = "127.0.0.1") -> Any:
        return serve(self.registry, port, host)

    def render(self, accept: str | None = None) -> tuple[bytes, str]:
        return render(self.registry, accept)


# `*_created` series double the series count for nothing a dashboard uses (process-wide setting).
disable_created_metrics()

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

telemetry = Telemetry(REGISTRY)
engine: EngineRecorder = telemetry.engine
workers: WorkerRecorder = telemetry.workers
cases: CaseRecorder = telemetry.cases
configure_townships = telemetry.configure_townships
configure_from_env = telemetry.configure_from_env
register_engine_stats = telemetry.register_engine_stats
register_case_stats = telemetry.register_case_stats
grpc_interceptor = telemetry.grpc_interceptor
router = telemetry.router
asgi_app = telemetry.asgi_app
serve_http = telemetry.serve_http
