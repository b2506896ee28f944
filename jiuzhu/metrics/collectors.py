"""Gauges read at scrape time: the engine's counts and the open cases of the case record.

Nothing is kept in step by hand: each scrape asks an object that knows (the `Engine`, a case-record
query) through a small Protocol. A failing read drops that source's gauges from the scrape and
counts `jiuzhu_metrics_collect_errors_total{source=...}`; it never fails the scrape.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from jiuzhu.metrics.definitions import Metrics
from jiuzhu.metrics.labels import Labels

log = logging.getLogger(__name__)


@runtime_checkable
class EngineStats(Protocol):
    """What the engine answers at scrape time. Each call should take the engine lock briefly."""

    def now_ms(self) -> int:
        """The engine clock (controlled or wall) in epoch milliseconds."""
        ...

    def instance_count(self) -> int:
        """Active process instances."""
        ...

    def activatable_job_counts(self) -> Mapping[str, int]:
        """Jobs a worker could activate now (not activated, not backing off), by job type."""
        ...

    def open_incident_count(self) -> int: ...

    def due_timer_count(self, now_ms: int) -> int:
        """Timers whose due time is <= now_ms but that have not fired yet (the scheduler is behind)."""
        ...

    def subscription_count(self) -> int:
        """Open message subscriptions."""
        ...

    def user_task_count(self) -> int:
        """Open user tasks (zeebe:userTask)."""
        ...


@dataclass(frozen=True)
class OpenCase:
    """One open case as the case record sees it now (no identifiers: only what labels may carry)."""

    case_type: object  # Programme member or value
    path: object  # CasePath member or value
    township: str  # division code
    sla_state: object  # jiuzhu.policy.SlaState of the decision deadline (decision_sla(...).state)
    working_days_open: int  # elapsed working days since acceptance
    relief_waiting_hours: float | None = None  # 急难型 not yet relieved: hours since the report


@runtime_checkable
class CaseStats(Protocol):
    def open_cases(self) -> Iterable[OpenCase]:
        """Every case accepted and not yet decided (or 急难型 not yet relieved)."""
        ...


def _gauge(name: str, doc: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=labels)


class EngineStatsCollector(Collector):
    def __init__(self, stats: EngineStats, metrics: Metrics, labels: Labels) -> None:
        self.stats = stats
        self.metrics = metrics
        self.labels = labels

    def describe(self) -> Iterable[Metric]:
        return self._families()

    def _families(self) -> list[GaugeMetricFamily]:
        return [
            _gauge("jiuzhu_engine_process_instances_active", "Active process instances", []),
            _gauge("jiuzhu_engine_jobs_activatable", "Jobs waiting for a worker, by job type", ["job_type"]),
            _gauge("jiuzhu_engine_incidents_open", "Open incidents", []),
            _gauge("jiuzhu_engine_timers_due", "Timers due on the engine clock but not fired yet", []),
            _gauge("jiuzhu_engine_message_subscriptions_open", "Open message subscriptions", []),
            _gauge("jiuzhu_engine_user_tasks_open", "Open user tasks", []),
        ]

    def collect(self) -> Iterator[Metric]:
        try:
            stats = self.stats
            instances, jobs, incidents, timers, subs, tasks = self._families()
            instances.add_metric([], stats.instance_count())
            # Every job type seen so far is exported, at 0 when none waits: "no jobs waiting" is a 0, not
            # a missing series (which dashboards show as "No data").
            by_type: dict[str, int] = dict.fromkeys(self.labels.job_types.admitted(), 0)
            for job_type, count in stats.activatable_job_counts().items():
                job_type = self.labels.job_type(job_type)
                by_type[job_type] = by_type.get(job_type, 0) + count
            for job_type, count in sorted(by_type.items()):
                jobs.add_metric([job_type], count)
            incidents.add_metric([], stats.open_incident_count())
            timers.add_metric([], stats.due_timer_count(stats.now_ms()))
            subs.add_metric([], stats.subscription_count())
            tasks.add_metric([], stats.user_task_count())
        except Exception:
            log.exception("reading engine statistics for /metrics failed")
            self.metrics.collect_errors.labels("engine").inc()
            return
        yield from (instances, jobs, incidents, timers, subs, tasks)


class CaseStatsCollector(Collector):
    def __init__(self, stats: CaseStats, metrics: Metrics, labels: Labels) -> None:
        self.stats = stats
        self.metrics = metrics
        self.labels = labels

    def describe(self) -> Iterable[Metric]:
        return self._families()

    def _families(self) -> list[GaugeMetricFamily]:
        return [
            _gauge(
                "jiuzhu_cases_open",
                "Open cases by decision-deadline state",
                ["case_type", "path", "township", "sla_state"],
            ),
            _gauge(
                "jiuzhu_cases_open_oldest_working_days", "Working days the oldest open case has waited", ["township"]
            ),
            _gauge("jiuzhu_emergency_relief_waiting", "急难型 cases not yet relieved", ["township"]),
            _gauge(
                "jiuzhu_emergency_relief_waiting_oldest_hours",
                "Hours the longest-waiting 急难型 case has waited for relief",
                ["township"],
            ),
        ]

    def collect(self) -> Iterator[Metric]:
        l = self.labels  # noqa: E741
        open_counts: dict[tuple[str, str, str, str], int] = defaultdict(int)
        oldest: dict[str, int] = {}
        waiting: dict[str, int] = defaultdict(int)
        waiting_oldest: dict[str, float] = {}
        try:
            for case in self.stats.open_cases():
                township = l.township(case.township)
                key = (l.case_type(case.case_type), l.path(case.path), township, l.sla_state(case.sla_state))
                open_counts[key] += 1
                oldest[township] = max(oldest.get(township, 0), max(int(case.working_days_open), 0))
                hours = case.relief_waiting_hours
                if hours is not None:
                    waiting[township] += 1
                    waiting_oldest[township] = max(waiting_oldest.get(township, 0.0), max(float(hours), 0.0))
        except Exception:
            log.exception("reading open cases for /metrics failed")
            self.metrics.collect_errors.labels("cases").inc()
            return
        cases, ages, relief, relief_age = self._families()
        for labels, count in sorted(open_counts.items()):
            cases.add_metric(list(labels), count)
        for township, days in sorted(oldest.items()):
            ages.add_metric([township], days)
        for township, count in sorted(waiting.items()):
            relief.add_metric([township], count)
        for township, hours in sorted(waiting_oldest.items()):
            relief_age.add_metric([township], hours)
        yield from (cases, ages, relief, relief_age)
