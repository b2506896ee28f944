"""The recorder API: bounded labels, buckets in working days and hours, scrape-time gauges."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from jiuzhu import metrics
from jiuzhu.metrics import METRICS, OpenCase, Telemetry, metric_names
from jiuzhu.metrics.definitions import DECISION_WORKING_DAYS, RELIEF_HOURS
from jiuzhu.metrics.labels import GRPC_METHODS, MAX_JOB_TYPES, MAX_TOWNSHIPS_UNCONFIGURED, label_values, parse_townships
from jiuzhu.policy import Programme, SlaState
from schemas.enums import CasePath, DecisionOutcome, PaymentKind, PaymentStatus
from tests.metrics.sample import FakeCases, FakeEngine

pytestmark = pytest.mark.metrics

A, B = "341822100", "341822101"


def value(t: Telemetry, name: str, /, **labels: str) -> float | None:
    return t.registry.get_sample_value(name, labels)


def series(t: Telemetry, family: str) -> list[dict[str, str]]:
    return [dict(s.labels) for m in t.registry.collect() if m.name == family for s in m.samples]


def invalid(t: Telemetry, field: str) -> float:
    return value(t, "jiuzhu_metrics_invalid_inputs_total", field=field) or 0.0


# ---------------------------------------------------------------------------------- labels


def test_enum_labels_accept_members_values_and_names(telemetry: Telemetry) -> None:
    c = telemetry.cases
    c.case_opened(Programme.DIBAO, CasePath.REFORM, A)
    c.case_opened("低保", "county", A)  # Chinese value, profile name
    c.case_opened("DIBAO", "reform", A)
    assert value(telemetry, "jiuzhu_cases_opened_total", case_type="dibao", path="reform", township=A) == 3
    assert invalid(telemetry, "case_type") == 0 and invalid(telemetry, "path") == 0


def test_unknown_enum_values_become_other_and_are_counted(telemetry: Telemetry) -> None:
    telemetry.cases.case_opened("五保", "provincial", A)
    assert value(telemetry, "jiuzhu_cases_opened_total", case_type="other", path="other", township=A) == 1
    assert invalid(telemetry, "case_type") == 1 and invalid(telemetry, "path") == 1


def test_every_enum_label_value_is_in_the_declared_set(telemetry: Telemetry) -> None:
    allowed = label_values()
    for programme in Programme:
        for path in CasePath:
            telemetry.cases.case_decided(programme, path, A, DecisionOutcome.APPROVED, 3)
    telemetry.cases.case_decided(Programme.DIBAO, CasePath.REFORM, A, "withdrawn", 3)
    for labels in series(telemetry, "jiuzhu_case_decisions"):
        assert labels["case_type"] in allowed["case_type"]
        assert labels["path"] in allowed["path"]
        assert labels["outcome"] in allowed["outcome"]
    assert {s["outcome"] for s in series(telemetry, "jiuzhu_case_decisions")} == {"approved", "withdrawn"}


def test_configured_townships_map_others_to_other(telemetry: Telemetry) -> None:
    telemetry.configure_townships({A: "城关镇", B: "桃州镇"})
    telemetry.cases.case_opened(Programme.TEKUN, CasePath.REFORM, B)
    telemetry.cases.case_opened(Programme.TEKUN, CasePath.REFORM, "341822199")  # not this county's
    telemetry.cases.case_opened(Programme.TEKUN, CasePath.REFORM, "张三家")  # not a code at all
    townships = {s["township"] for s in series(telemetry, "jiuzhu_cases_opened")}
    assert townships == {B, "other"}
    assert invalid(telemetry, "township") == 2
    assert value(telemetry, "jiuzhu_township_info", township=A, name="城关镇") == 1


def test_unconfigured_townships_are_capped(telemetry: Telemetry) -> None:
    for i in range(MAX_TOWNSHIPS_UNCONFIGURED + 10):
        telemetry.cases.case_opened(Programme.DIBAO, CasePath.REFORM, f"{341822000 + i}")
    townships = {s["township"] for s in series(telemetry, "jiuzhu_cases_opened")}
    assert len(townships) == MAX_TOWNSHIPS_UNCONFIGURED + 1 and "other" in townships
    assert invalid(telemetry, "township") == 10


def test_township_codes_are_validated_when_configured(telemetry: Telemetry) -> None:
    with pytest.raises(ValueError, match="division code"):
        telemetry.configure_townships(["abc"])
    assert parse_townships(" 341822100:城关镇, 341822101 ,") == {A: "城关镇", B: B}
    assert telemetry.configure_from_env({"JIUZHU_METRICS_TOWNSHIPS": f"{A}:城关镇"})
    assert not telemetry.configure_from_env({})


def test_job_types_are_capped_and_validated(telemetry: Telemetry) -> None:
    for i in range(MAX_JOB_TYPES + 5):
        telemetry.engine.job_created(f"area.action-{i}")
    telemetry.engine.job_created("has spaces; DROP")
    job_types = {s["job_type"] for s in series(telemetry, "jiuzhu_engine_jobs_created")}
    assert len(job_types) == MAX_JOB_TYPES + 1 and "other" in job_types
    assert invalid(telemetry, "job_type") == 6


def test_grpc_labels_are_closed_sets(telemetry: Telemetry) -> None:
    telemetry.engine.grpc_request("/gateway_protocol.Gateway/CompleteJob", "NOT_FOUND", 0.01)
    telemetry.engine.grpc_request("/evil.Service/Anything", "TEAPOT", 0.01)
    labels = series(telemetry, "jiuzhu_engine_grpc_requests")
    assert {(s["method"], s["code"]) for s in labels} == {("CompleteJob", "NOT_FOUND"), ("other", "other")}


def test_grpc_method_list_covers_the_gateway_service() -> None:
    from pyzeebe.proto import gateway_pb2

    methods = set(gateway_pb2.DESCRIPTOR.services_by_name["Gateway"].methods_by_name)
    assert methods <= GRPC_METHODS


def test_no_metric_has_a_per_case_label() -> None:
    forbidden = {"case_id", "household", "household_id", "person", "name_of_applicant", "id_number", "amount"}
    for info in METRICS:
        assert not forbidden & set(info.labels), info.name
        assert info.name.startswith("jiuzhu_"), info.name


# ---------------------------------------------------------------------------------- buckets and numbers


def test_decision_time_buckets_are_working_days_with_the_limit_and_the_warning() -> None:
    assert {8, 10} <= set(DECISION_WORKING_DAYS)
    assert RELIEF_HOURS[RELIEF_HOURS.index(24) - 1] < 24 < RELIEF_HOURS[-1]


def test_decision_on_day_10_is_on_time_and_day_11_late(telemetry: Telemetry) -> None:
    c = telemetry.cases
    c.case_decided(Programme.DIBAO, CasePath.REFORM, A, DecisionOutcome.APPROVED, 10)
    c.case_decided(Programme.DIBAO, CasePath.REFORM, A, DecisionOutcome.REJECTED, 11)
    labels = {"case_type": "dibao", "path": "reform", "township": A}
    assert value(telemetry, "jiuzhu_case_decisions_total", **labels, outcome="approved", sla="on_time") == 1
    assert value(telemetry, "jiuzhu_case_decisions_total", **labels, outcome="rejected", sla="late") == 1
    bucket = "jiuzhu_case_decision_working_days_bucket"
    assert value(telemetry, bucket, **labels, le="8.0") == 0
    assert value(telemetry, bucket, **labels, le="10.0") == 1
    assert value(telemetry, bucket, **labels, le="12.0") == 2
    assert value(telemetry, "jiuzhu_case_decision_working_days_sum", **labels) == 21


def test_the_profile_limit_decides_on_time(telemetry: Telemetry) -> None:
    telemetry.cases.case_decided(Programme.TEKUN, CasePath.NATIONAL, A, DecisionOutcome.APPROVED, 14, 15)
    assert value(
        telemetry,
        "jiuzhu_case_decisions_total",
        case_type="tekun",
        path="national",
        township=A,
        outcome="approved",
        sla="on_time",
    )


def test_emergency_relief_is_bucketed_in_hours(telemetry: Telemetry) -> None:
    telemetry.cases.emergency_relief_paid(A, 23.5)
    telemetry.cases.emergency_relief_paid(A, 25)
    assert value(telemetry, "jiuzhu_emergency_relief_hours_bucket", township=A, le="20.0") == 0
    assert value(telemetry, "jiuzhu_emergency_relief_hours_bucket", township=A, le="24.0") == 1
    assert value(telemetry, "jiuzhu_emergency_relief_hours_bucket", township=A, le="36.0") == 2


def test_bad_numbers_are_dropped_not_raised(telemetry: Telemetry) -> None:
    telemetry.cases.emergency_relief_paid(A, -1)
    telemetry.cases.emergency_relief_paid(A, float("nan"))
    telemetry.cases.case_decided(Programme.DIBAO, CasePath.REFORM, A, DecisionOutcome.APPROVED, -3)
    telemetry.engine.job_completed("area.action", float("inf"))
    assert value(telemetry, "jiuzhu_emergency_relief_hours_count", township=A) is None
    assert series(telemetry, "jiuzhu_case_decisions") == []
    assert invalid(telemetry, "number") == 4


def test_payments_count_every_attempt_and_sum_only_paid_yuan(telemetry: Telemetry) -> None:
    c = telemetry.cases
    c.payment(Programme.DIBAO, PaymentKind.MONTHLY, A, Decimal("1440.50"))
    c.payment(Programme.DIBAO, "按月发放", A, Decimal("100"), PaymentStatus.FAILED)
    base = {"case_type": "dibao", "kind": "monthly", "township": A}
    assert value(telemetry, "jiuzhu_payments_total", **base, status="paid") == 1
    assert value(telemetry, "jiuzhu_payments_total", **base, status="failed") == 1
    assert value(telemetry, "jiuzhu_payments_yuan_total", **base) == pytest.approx(1440.5)


def test_engine_hooks(telemetry: Telemetry) -> None:
    e = telemetry.engine
    e.instance_created("dibao-application")
    e.instance_ended("dibao-application", "COMPLETED")
    e.job_failed("visit.record", 2)
    e.job_failed("visit.record", 0)
    e.job_error_thrown("visit.record", caught=False)
    e.job_timed_out("visit.record")
    e.incident_raised("IO_MAPPING_ERROR")
    e.incident_raised("SOMETHING_NEW")
    e.message_published(correlated=False)
    e.timers_fired(3)
    e.grpc_request("StreamActivatedJobs", "CANCELLED", None)
    t = telemetry
    assert value(
        t, "jiuzhu_engine_process_instances_ended_total", bpmn_process_id="dibao-application", state="completed"
    )
    assert value(t, "jiuzhu_engine_jobs_failed_total", job_type="visit.record", retries="remaining") == 1
    assert value(t, "jiuzhu_engine_jobs_failed_total", job_type="visit.record", retries="exhausted") == 1
    assert value(t, "jiuzhu_engine_job_bpmn_errors_total", job_type="visit.record", caught="false") == 1
    assert value(t, "jiuzhu_engine_incidents_raised_total", error_type="other") == 1
    assert value(t, "jiuzhu_engine_messages_published_total", correlated="false") == 1
    assert value(t, "jiuzhu_engine_timers_fired_total") == 3
    assert value(t, "jiuzhu_engine_grpc_requests_total", method="StreamActivatedJobs", code="CANCELLED") == 1
    assert value(t, "jiuzhu_engine_grpc_request_duration_seconds_count", method="StreamActivatedJobs") is None


# ---------------------------------------------------------------------------------- scrape-time gauges


def test_engine_stats_are_read_at_scrape_time(telemetry: Telemetry) -> None:
    engine = FakeEngine()
    telemetry.register_engine_stats(engine)
    assert value(telemetry, "jiuzhu_engine_process_instances_active") == 12
    job = "verification.check-economic-status"
    assert value(telemetry, "jiuzhu_engine_jobs_activatable", job_type=job) == 3
    engine.jobs = {job: 7, "bad type!": 2}
    assert value(telemetry, "jiuzhu_engine_jobs_activatable", job_type=job) == 7
    assert value(telemetry, "jiuzhu_engine_jobs_activatable", job_type="other") == 2
    assert value(telemetry, "jiuzhu_engine_incidents_open") == 1
    assert value(telemetry, "jiuzhu_engine_message_subscriptions_open") == 4
    assert value(telemetry, "jiuzhu_engine_user_tasks_open") == 5
    assert value(telemetry, "jiuzhu_engine_timers_due") == 0
    telemetry.register_engine_stats(engine)  # again: replaces, no duplicate-registration error


def test_case_stats_aggregate_without_identifiers(telemetry: Telemetry) -> None:
    telemetry.register_case_stats(FakeCases())
    assert value(telemetry, "jiuzhu_cases_open", case_type="tekun", path="reform", township=B, sla_state="overdue") == 1
    assert value(telemetry, "jiuzhu_cases_open_oldest_working_days", township=A) == 8
    assert value(telemetry, "jiuzhu_cases_open_oldest_working_days", township=B) == 12
    assert value(telemetry, "jiuzhu_emergency_relief_waiting", township=B) == 1
    assert value(telemetry, "jiuzhu_emergency_relief_waiting_oldest_hours", township=B) == 30
    assert value(telemetry, "jiuzhu_emergency_relief_waiting", township=A) is None


def test_a_failing_source_drops_its_gauges_and_counts_the_error(telemetry: Telemetry) -> None:
    class Broken(FakeEngine):
        def instance_count(self) -> int:
            raise RuntimeError("database is locked")

    class BrokenCases:
        def open_cases(self) -> list[OpenCase]:
            raise RuntimeError("connection refused")

    telemetry.register_engine_stats(Broken())
    telemetry.register_case_stats(BrokenCases())
    body, _ = telemetry.render()
    assert b"jiuzhu_engine_process_instances_active" not in body
    assert b"jiuzhu_cases_open{" not in body
    assert value(telemetry, "jiuzhu_metrics_collect_errors_total", source="engine") >= 1  # type: ignore[operator]
    assert value(telemetry, "jiuzhu_metrics_collect_errors_total", source="cases") >= 1  # type: ignore[operator]


def test_open_case_sla_states_come_from_policy(telemetry: Telemetry) -> None:
    telemetry.register_case_stats(
        type("C", (), {"open_cases": lambda self: [OpenCase("低保", "county", A, "warning", 8)]})()
    )
    assert value(telemetry, "jiuzhu_cases_open", case_type="dibao", path="reform", township=A, sla_state="warning") == 1
    assert {s.name.lower() for s in SlaState} <= label_values()["sla_state"]


# ---------------------------------------------------------------------------------- exposition


def test_every_declared_metric_is_exported_and_nothing_else() -> None:
    from tests.metrics.sample import sample_telemetry

    t = sample_telemetry()
    body = t.render()[0].decode()
    exported = {line.split("{")[0].split(" ")[0] for line in body.splitlines() if line and not line.startswith("#")}
    assert exported == set(metric_names())


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_fastapi_router_serves_text_and_openmetrics(telemetry: Telemetry) -> None:
    app = FastAPI()
    app.include_router(telemetry.router())
    telemetry.cases.case_opened(Programme.DIBAO, CasePath.REFORM, A)
    async with _client(app) as client:
        plain = await client.get("/metrics")
        om = await client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("text/plain")
    assert 'jiuzhu_cases_opened_total{case_type="dibao"' in plain.text
    assert om.headers["content-type"].startswith("application/openmetrics-text") and om.text.endswith("# EOF\n")


async def test_asgi_app_can_be_mounted(telemetry: Telemetry) -> None:
    app = FastAPI()
    app.mount("/metrics", telemetry.asgi_app())
    async with _client(app) as client:
        response = await client.get("/metrics/")
    assert response.status_code == 200 and "jiuzhu_metrics_invalid_inputs_total" in response.text


def test_process_wide_default_telemetry() -> None:
    assert metrics.engine is metrics.telemetry.engine
    assert metrics.REGISTRY is metrics.telemetry.registry
    assert isinstance(metrics.telemetry.registry, CollectorRegistry)
    names = {m.name for m in metrics.REGISTRY.collect()}
    assert "process_cpu_seconds" in names and "jiuzhu_engine_jobs_created" in names


def test_counters_that_alerts_increase_start_at_zero_when_their_labels_are_known(telemetry: Telemetry) -> None:
    """Prometheus sees no increase in a series whose first sample is 1: the first breach would be lost."""
    telemetry.cases.case_opened("低保", "reform", A)
    telemetry.cases.case_opened("急难型临时救助", "reform", A)
    labels = {"case_type": "dibao", "path": "reform", "township": A}
    assert value(telemetry, "jiuzhu_case_sla_breaches_total", **labels) == 0
    assert value(telemetry, "jiuzhu_case_sla_warnings_total", **labels) == 0
    for outcome in ("approved", "rejected", "withdrawn"):
        for sla in ("on_time", "late"):
            assert value(telemetry, "jiuzhu_case_decisions_total", **labels, outcome=outcome, sla=sla) == 0
    assert value(telemetry, "jiuzhu_emergency_relief_hours_count", township=A) == 0
    telemetry.cases.publicity_published("低保", A)
    assert value(telemetry, "jiuzhu_publicity_objections_total", case_type="dibao", township=A) == 0
    telemetry.cases.payment("低保", "monthly", A, 800, "paid")
    failed = {"case_type": "dibao", "kind": "monthly", "township": A, "status": "failed"}
    assert value(telemetry, "jiuzhu_payments_total", **failed) == 0


def test_job_types_seen_are_exported_at_zero_when_none_waits(telemetry: Telemetry) -> None:
    class Idle:
        def now_ms(self) -> int:
            return 0

        def instance_count(self) -> int:
            return 0

        def activatable_job_counts(self) -> dict[str, int]:
            return {}

        def open_incident_count(self) -> int:
            return 0

        def due_timer_count(self, now_ms: int) -> int:
            return 0

        def subscription_count(self) -> int:
            return 0

        def user_task_count(self) -> int:
            return 0

    telemetry.register_engine_stats(Idle())
    telemetry.engine.job_created("payment.pay-monthly")
    assert value(telemetry, "jiuzhu_engine_jobs_activatable", job_type="payment.pay-monthly") == 0
