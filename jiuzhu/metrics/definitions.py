"""Every metric jiuzhu exports, defined once on a registry.

Names follow Prometheus conventions: `jiuzhu_` prefix, the unit in the name (`_seconds`,
`_working_days`, `_hours`, `_yuan`), `_total` on counters (prometheus-client appends it).
No label carries a per-case value (case id, household, person, amount).
Gauges read lazily at scrape time are described in `collectors.py` (`GAUGES`).
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Buckets in the unit of each histogram.
GRPC_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
JOB_SECONDS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 14400.0, 86400.0)
# Decision time in working days: day 8 is the warning, day 10 the last day on time (county profile);
# 15/20/30/45 are the national profile's limits.
DECISION_WORKING_DAYS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 30, 45)
# Emergency relief (急难型) in clock hours: 24 is the limit.
RELIEF_HOURS = (1, 2, 4, 6, 8, 12, 16, 20, 24, 36, 48, 72)

CASE_LABELS = ("case_type", "path", "township")


@dataclass(frozen=True)
class MetricInfo:
    name: str  # as exported (counters with `_total`)
    kind: str  # counter | gauge | histogram | info
    labels: tuple[str, ...]
    help: str


class Metrics:
    """The metric objects of one registry. `jiuzhu.metrics` keeps a process-wide one; tests make their own."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        r = registry
        # --- engine: gRPC gateway
        self.grpc_requests = Counter(
            "jiuzhu_engine_grpc_requests",
            "gRPC requests answered by the embedded engine",
            ["method", "code"],
            registry=r,
        )
        self.grpc_duration = Histogram(
            "jiuzhu_engine_grpc_request_duration_seconds",
            "Time to answer a gRPC request (long polls included; StreamActivatedJobs excluded)",
            ["method"],
            buckets=GRPC_SECONDS,
            registry=r,
        )
        # --- engine: process instances
        self.instances_created = Counter(
            "jiuzhu_engine_process_instances_created", "Process instances created", ["bpmn_process_id"], registry=r
        )
        self.instances_ended = Counter(
            "jiuzhu_engine_process_instances_ended",
            "Process instances ended (completed or terminated)",
            ["bpmn_process_id", "state"],
            registry=r,
        )
        # --- engine: jobs
        self.jobs_created = Counter("jiuzhu_engine_jobs_created", "Jobs created", ["job_type"], registry=r)
        self.job_duration = Histogram(
            "jiuzhu_engine_job_duration_seconds",
            "Job creation to completion on the engine clock; the _count is the number of completed jobs",
            ["job_type"],
            buckets=JOB_SECONDS,
            registry=r,
        )
        self.jobs_failed = Counter(
            "jiuzhu_engine_jobs_failed",
            "FailJob calls; retries=exhausted raised an incident",
            ["job_type", "retries"],
            registry=r,
        )
        self.job_bpmn_errors = Counter(
            "jiuzhu_engine_job_bpmn_errors",
            "ThrowError calls; caught=false raised an incident",
            ["job_type", "caught"],
            registry=r,
        )
        self.jobs_timed_out = Counter(
            "jiuzhu_engine_jobs_timed_out",
            "Activated jobs whose deadline passed and that went back to the pool",
            ["job_type"],
            registry=r,
        )
        # --- engine: incidents, messages, timers
        self.incidents_raised = Counter(
            "jiuzhu_engine_incidents_raised", "Incidents raised", ["error_type"], registry=r
        )
        self.messages_published = Counter(
            "jiuzhu_engine_messages_published",
            "Messages published; correlated=false were buffered for their time to live",
            ["correlated"],
            registry=r,
        )
        self.timers_fired = Counter("jiuzhu_engine_timers_fired", "Timer events fired", registry=r)
        # --- workers (either engine)
        self.worker_jobs = Counter(
            "jiuzhu_worker_jobs_handled", "Jobs handled by jiuzhu workers", ["job_type", "outcome"], registry=r
        )
        self.worker_seconds = Histogram(
            "jiuzhu_worker_job_handling_seconds",
            "Time a worker spent on one job",
            ["job_type"],
            buckets=GRPC_SECONDS,
            registry=r,
        )
        # --- cases
        self.cases_opened = Counter(
            "jiuzhu_cases_opened", "Applications accepted (受理)", list(CASE_LABELS), registry=r
        )
        self.case_decisions = Counter(
            "jiuzhu_case_decisions",
            "Decisions (审批) by outcome; sla=late when decided after the profile's working-day limit",
            [*CASE_LABELS, "outcome", "sla"],
            registry=r,
        )
        self.decision_working_days = Histogram(
            "jiuzhu_case_decision_working_days",
            "Working days from acceptance to decision",
            list(CASE_LABELS),
            buckets=DECISION_WORKING_DAYS,
            registry=r,
        )
        self.sla_warnings = Counter(
            "jiuzhu_case_sla_warnings", "Deadline warnings raised (day 8 of 10)", list(CASE_LABELS), registry=r
        )
        self.sla_breaches = Counter(
            "jiuzhu_case_sla_breaches", "Decision deadlines passed without a decision", list(CASE_LABELS), registry=r
        )
        self.relief_hours = Histogram(
            "jiuzhu_emergency_relief_hours",
            "急难型: clock hours from the report to relief paid first (limit 24)",
            ["township"],
            buckets=RELIEF_HOURS,
            registry=r,
        )
        self.publicity_published = Counter(
            "jiuzhu_publicity_notices_published",
            "Publicity notices (公示) published",
            ["case_type", "township"],
            registry=r,
        )
        self.publicity_objections = Counter(
            "jiuzhu_publicity_objections", "Objections received during publicity", ["case_type", "township"], registry=r
        )
        self.payments = Counter(
            "jiuzhu_payments", "Payments attempted, by status", ["case_type", "kind", "township", "status"], registry=r
        )
        self.payments_yuan = Counter(
            "jiuzhu_payments_yuan",
            "Money paid out, in yuan (status paid only)",
            ["case_type", "kind", "township"],
            registry=r,
        )
        # --- meta
        self.township_info = Gauge(
            "jiuzhu_township_info", "The configured townships: code and name", ["township", "name"], registry=r
        )
        self.invalid_inputs = Counter(
            "jiuzhu_metrics_invalid_inputs",
            "Label values or numbers the recorder refused (mapped to `other` or dropped)",
            ["field"],
            registry=r,
        )
        self.collect_errors = Counter(
            "jiuzhu_metrics_collect_errors",
            "Scrape-time reads of engine or case statistics that failed",
            ["source"],
            registry=r,
        )


# Exported names of everything above plus the scrape-time gauges, for docs, dashboards and tests.
METRICS: tuple[MetricInfo, ...] = (
    MetricInfo("jiuzhu_engine_grpc_requests_total", "counter", ("method", "code"), "gRPC requests"),
    MetricInfo("jiuzhu_engine_grpc_request_duration_seconds", "histogram", ("method",), "gRPC latency"),
    MetricInfo("jiuzhu_engine_process_instances_created_total", "counter", ("bpmn_process_id",), "instances created"),
    MetricInfo(
        "jiuzhu_engine_process_instances_ended_total", "counter", ("bpmn_process_id", "state"), "instances ended"
    ),
    MetricInfo("jiuzhu_engine_process_instances_active", "gauge", (), "instances active"),
    MetricInfo("jiuzhu_engine_jobs_created_total", "counter", ("job_type",), "jobs created"),
    MetricInfo("jiuzhu_engine_job_duration_seconds", "histogram", ("job_type",), "job creation to completion"),
    MetricInfo("jiuzhu_engine_jobs_failed_total", "counter", ("job_type", "retries"), "FailJob calls"),
    MetricInfo("jiuzhu_engine_job_bpmn_errors_total", "counter", ("job_type", "caught"), "ThrowError calls"),
    MetricInfo("jiuzhu_engine_jobs_timed_out_total", "counter", ("job_type",), "job activations timed out"),
    MetricInfo("jiuzhu_engine_jobs_activatable", "gauge", ("job_type",), "jobs waiting for a worker"),
    MetricInfo("jiuzhu_engine_incidents_raised_total", "counter", ("error_type",), "incidents raised"),
    MetricInfo("jiuzhu_engine_incidents_open", "gauge", (), "incidents open"),
    MetricInfo("jiuzhu_engine_messages_published_total", "counter", ("correlated",), "messages published"),
    MetricInfo("jiuzhu_engine_message_subscriptions_open", "gauge", (), "message subscriptions open"),
    MetricInfo("jiuzhu_engine_timers_fired_total", "counter", (), "timers fired"),
    MetricInfo("jiuzhu_engine_timers_due", "gauge", (), "timers due but not fired yet"),
    MetricInfo("jiuzhu_engine_user_tasks_open", "gauge", (), "user tasks open"),
    MetricInfo("jiuzhu_worker_jobs_handled_total", "counter", ("job_type", "outcome"), "jobs handled by workers"),
    MetricInfo("jiuzhu_worker_job_handling_seconds", "histogram", ("job_type",), "worker time per job"),
    MetricInfo("jiuzhu_cases_opened_total", "counter", CASE_LABELS, "applications accepted"),
    MetricInfo("jiuzhu_case_decisions_total", "counter", (*CASE_LABELS, "outcome", "sla"), "decisions"),
    MetricInfo("jiuzhu_case_decision_working_days", "histogram", CASE_LABELS, "acceptance to decision"),
    MetricInfo("jiuzhu_case_sla_warnings_total", "counter", CASE_LABELS, "deadline warnings"),
    MetricInfo("jiuzhu_case_sla_breaches_total", "counter", CASE_LABELS, "deadlines passed"),
    MetricInfo("jiuzhu_cases_open", "gauge", (*CASE_LABELS, "sla_state"), "open cases by SLA state"),
    MetricInfo("jiuzhu_cases_open_oldest_working_days", "gauge", ("township",), "age of the oldest open case"),
    MetricInfo("jiuzhu_emergency_relief_hours", "histogram", ("township",), "report to relief paid"),
    MetricInfo("jiuzhu_emergency_relief_waiting", "gauge", ("township",), "急难型 cases waiting for relief"),
    MetricInfo(
        "jiuzhu_emergency_relief_waiting_oldest_hours", "gauge", ("township",), "longest wait for emergency relief"
    ),
    MetricInfo("jiuzhu_publicity_notices_published_total", "counter", ("case_type", "township"), "公示 published"),
    MetricInfo("jiuzhu_publicity_objections_total", "counter", ("case_type", "township"), "objections"),
    MetricInfo("jiuzhu_payments_total", "counter", ("case_type", "kind", "township", "status"), "payments"),
    MetricInfo("jiuzhu_payments_yuan_total", "counter", ("case_type", "kind", "township"), "yuan paid"),
    MetricInfo("jiuzhu_township_info", "gauge", ("township", "name"), "configured townships"),
    MetricInfo("jiuzhu_metrics_invalid_inputs_total", "counter", ("field",), "refused label values and numbers"),
    MetricInfo("jiuzhu_metrics_collect_errors_total", "counter", ("source",), "failed scrape-time reads"),
)


def metric_names() -> frozenset[str]:
    """Every series name a jiuzhu process can export (histograms with their _bucket/_sum/_count)."""
    names: set[str] = set()
    for info in METRICS:
        if info.kind == "histogram":
            names.update({f"{info.name}_bucket", f"{info.name}_sum", f"{info.name}_count"})
        else:
            names.add(info.name)
    return frozenset(names)
