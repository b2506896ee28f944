"""Hooks for jiuzhu's job workers, on either engine (embedded or Camunda 8)."""

from __future__ import annotations

from jiuzhu.metrics.definitions import Metrics
from jiuzhu.metrics.labels import Labels
from jiuzhu.metrics.numbers import non_negative


class WorkerRecorder:
    def __init__(self, metrics: Metrics, labels: Labels) -> None:
        self._m = metrics
        self._l = labels

    def job_handled(self, job_type: str, outcome: str, seconds: float) -> None:
        """`outcome`: completed | failed | bpmn_error; `seconds`: time spent in the handler."""
        label = self._l.job_type(job_type)
        self._m.worker_jobs.labels(label, self._l.worker_outcome(outcome)).inc()
        value = non_negative(seconds, "seconds", self._l.invalid)
        if value is not None:
            self._m.worker_seconds.labels(label).observe(value)
