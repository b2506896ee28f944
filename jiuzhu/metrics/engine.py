"""Hooks for the embedded engine: one call per event, each cheap and never raising.

The engine calls these where the event happens (see docs/operations.md, "Engine hooks"); gauges
(instances active, jobs activatable, incidents open, timers due, ...) are read at scrape time
through `collectors.EngineStats` instead.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from jiuzhu.metrics.definitions import Metrics
from jiuzhu.metrics.labels import GRPC_CODES, GRPC_METHODS, Labels
from jiuzhu.metrics.numbers import non_negative

log = logging.getLogger(__name__)


class EngineRecorder:
    def __init__(self, metrics: Metrics, labels: Labels) -> None:
        self._m = metrics
        self._l = labels
        # (method, code) -> the counter and histogram children of that pair: both sets are closed, so
        # a call costs two dict lookups instead of the label checks and prometheus' labels() lock
        self._grpc_children: dict[tuple[str, str], tuple[Any, Any]] = {}
        self._untimed: set[str] = set()

    def grpc_request(self, method: str, code: str, seconds: float | None) -> None:
        """A gRPC call answered. `method` is the bare or full method name, `code` a grpc.StatusCode name.
        `seconds=None` counts the call without timing it (used for StreamActivatedJobs)."""
        try:
            children = self._grpc_children.get((method, code)) if isinstance(method, str) else None
            if children is not None:
                if seconds is None:
                    children[0].inc()
                    return
                if type(seconds) is float and 0.0 <= seconds < math.inf:
                    children[0].inc()
                    children[1].observe(seconds)
                    return
            bare = method.rsplit("/", 1)[-1] if isinstance(method, str) else method
            if isinstance(code, str) and bare in GRPC_METHODS and code in GRPC_CODES and bare not in self._untimed:
                # valid labels only: an invalid one goes the long way every time and is counted; a
                # method counted untimed (StreamActivatedJobs) never gets a histogram series
                if seconds is None:
                    self._untimed.add(bare)
                else:
                    self._grpc_children[(method, code)] = (
                        self._m.grpc_requests.labels(bare, code),
                        self._m.grpc_duration.labels(bare),
                    )
            name = self._l.grpc_method(method)
            self._m.grpc_requests.labels(name, self._l.grpc_code(code)).inc()
            if seconds is not None:
                value = non_negative(seconds, "seconds", self._l.invalid)
                if value is not None:
                    self._m.grpc_duration.labels(name).observe(value)
        except Exception:  # pragma: no cover - metrics must never break a request
            log.exception("recording a gRPC request failed")

    def instance_created(self, bpmn_process_id: str) -> None:
        self._m.instances_created.labels(self._l.process_id(bpmn_process_id)).inc()

    def instance_ended(self, bpmn_process_id: str, state: str) -> None:
        """`state`: COMPLETED or TERMINATED (engine InstanceState values; case-insensitive)."""
        self._m.instances_ended.labels(self._l.process_id(bpmn_process_id), self._l.instance_state(state)).inc()

    def job_created(self, job_type: str) -> None:
        self._m.jobs_created.labels(self._l.job_type(job_type)).inc()

    def job_completed(self, job_type: str, seconds: float) -> None:
        """`seconds`: from job creation to completion (engine clock)."""
        value = non_negative(seconds, "seconds", self._l.invalid)
        if value is not None:
            self._m.job_duration.labels(self._l.job_type(job_type)).observe(value)

    def job_failed(self, job_type: str, retries_left: int) -> None:
        retries = "remaining" if retries_left > 0 else "exhausted"
        self._m.jobs_failed.labels(self._l.job_type(job_type), retries).inc()

    def job_error_thrown(self, job_type: str, caught: bool) -> None:
        self._m.job_bpmn_errors.labels(self._l.job_type(job_type), "true" if caught else "false").inc()

    def job_timed_out(self, job_type: str) -> None:
        self._m.jobs_timed_out.labels(self._l.job_type(job_type)).inc()

    def incident_raised(self, error_type: str) -> None:
        self._m.incidents_raised.labels(self._l.error_type(error_type)).inc()

    def message_published(self, correlated: bool) -> None:
        self._m.messages_published.labels("true" if correlated else "false").inc()

    def timers_fired(self, count: int = 1) -> None:
        value = non_negative(count, "count", self._l.invalid)
        if value:
            self._m.timers_fired.inc(value)
