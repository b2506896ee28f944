"""Sample data recorded through the public recorder API, served over HTTP like a jiuzhu process."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from prometheus_client import CollectorRegistry

from jiuzhu.metrics import OpenCase, Telemetry
from jiuzhu.policy import Programme, SlaState
from schemas.enums import CasePath, DecisionOutcome, PaymentKind, PaymentStatus

TOWNSHIPS = {"341822100": "城关镇", "341822101": "桃州镇"}
A, B = TOWNSHIPS


class FakeEngine:
    """An EngineStats: fixed counts, as the engine would report them."""

    def __init__(self) -> None:
        self.jobs = {"verification.check-economic-status": 3, "payment.pay-monthly": 1}

    def now_ms(self) -> int:
        return 1_800_000_000_000

    def instance_count(self) -> int:
        return 12

    def activatable_job_counts(self) -> Mapping[str, int]:
        return self.jobs

    def open_incident_count(self) -> int:
        return 1

    def due_timer_count(self, now_ms: int) -> int:
        return 0

    def subscription_count(self) -> int:
        return 4

    def user_task_count(self) -> int:
        return 5


class FakeCases:
    """A CaseStats: open cases in two townships, one overdue, one 急难型 waiting 30 hours."""

    def open_cases(self) -> Iterable[OpenCase]:
        return [
            OpenCase(Programme.DIBAO, CasePath.REFORM, A, SlaState.ON_TRACK, 2),
            OpenCase(Programme.DIBAO, CasePath.REFORM, A, SlaState.WARNING, 8),
            OpenCase(Programme.TEKUN, CasePath.REFORM, B, SlaState.OVERDUE, 12),
            OpenCase(
                Programme.TEMPORARY_EMERGENCY, CasePath.REFORM, B, SlaState.ON_TRACK, 1, relief_waiting_hours=30.0
            ),
        ]


def record(t: Telemetry) -> None:
    """One round of everything the dashboards show; call it again to make counters move."""
    c, e, w = t.cases, t.engine, t.workers
    for township in (A, B):
        c.case_opened(Programme.DIBAO, CasePath.REFORM, township)
        c.case_opened(Programme.TEMPORARY_EMERGENCY, CasePath.REFORM, township)
        c.case_decided(Programme.DIBAO, CasePath.REFORM, township, DecisionOutcome.APPROVED, 7)
        c.case_decided(Programme.DIBAO, CasePath.REFORM, township, DecisionOutcome.REJECTED, 4)
        c.sla_warning(Programme.DIBAO, CasePath.REFORM, township)
        c.publicity_published(Programme.DIBAO, township)
        c.payment(Programme.DIBAO, PaymentKind.MONTHLY, township, Decimal("1440.00"), PaymentStatus.PAID)
        c.payment(Programme.TEMPORARY_EMERGENCY, PaymentKind.EMERGENCY, township, Decimal("2000"), PaymentStatus.PAID)
        c.emergency_relief_paid(township, 6.5)
    c.case_decided(Programme.TEKUN, CasePath.REFORM, B, DecisionOutcome.APPROVED, 12)
    c.sla_breach(Programme.TEKUN, CasePath.REFORM, B)
    c.publicity_objection(Programme.DIBAO, A)
    c.payment(Programme.DIBAO, PaymentKind.MONTHLY, B, Decimal("800"), PaymentStatus.FAILED)
    c.emergency_relief_paid(B, 30.0)

    e.grpc_request("/gateway_protocol.Gateway/CreateProcessInstance", "OK", 0.004)
    e.grpc_request("/gateway_protocol.Gateway/CompleteJob", "OK", 0.002)
    e.grpc_request("/gateway_protocol.Gateway/CompleteJob", "NOT_FOUND", 0.001)
    e.grpc_request("/gateway_protocol.Gateway/ActivateJobs", "OK", 9.5)
    e.grpc_request("/gateway_protocol.Gateway/StreamActivatedJobs", "CANCELLED", None)
    e.instance_created("dibao-application")
    e.instance_ended("dibao-application", "COMPLETED")
    e.instance_ended("dibao-application", "TERMINATED")
    for job_type in ("verification.check-economic-status", "payment.pay-monthly"):
        e.job_created(job_type)
        e.job_completed(job_type, 0.8)
        w.job_handled(job_type, "completed", 0.3)
    e.job_failed("verification.check-economic-status", 2)
    e.job_failed("verification.check-economic-status", 0)
    e.job_error_thrown("payment.pay-monthly", caught=True)
    e.job_timed_out("payment.pay-monthly")
    e.incident_raised("JOB_NO_RETRIES")
    e.message_published(correlated=True)
    e.timers_fired(2)
    w.job_handled("payment.pay-monthly", "bpmn_error", 0.1)


def sample_telemetry() -> Telemetry:
    t = Telemetry(CollectorRegistry())
    t.configure_townships(TOWNSHIPS)
    t.register_engine_stats(FakeEngine())
    t.register_case_stats(FakeCases())
    record(t)
    return t


def serve(t: Telemetry) -> tuple[Any, str]:
    """Serve `t` on a free loopback port; returns the server and its host:port."""
    server = t.serve_http(0, "127.0.0.1")
    host, port = server.server_address[:2]
    return server, f"{host}:{port}"
