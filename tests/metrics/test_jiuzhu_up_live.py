"""Every dashboard query and every rule expression against a real Prometheus scraping a RUNNING `jiuzhu up`.

`jiuzhu up --clock controlled` (engine, workers and task list in one process) runs as a subprocess on
free ports with a temporary data dir and the demo county seeded into its case record. The test pins
the engine clock, opens the four demo applications over gRPC and drives them the way caseworkers do,
over the engine's REST API v2 (user tasks) and the Zeebe gateway (a publicity objection):

* 张 (低保, 桃州镇): home visit, township assessment, approval, result publicity with an objection,
  the publicity period ends, the decision notice is delivered, the monthly payment is scheduled;
* 王 (低保, 桃州镇): the economic check fails, the rejection notice is delivered;
* 赵 (低保, 桃州镇, accepted 7 working days ago): the clock is advanced 8 days past its warning and
  breach timers, whose `sla.escalate` jobs the workers record (warning and breach);
* 陈 (急难型, 新杭镇, reported 20 h ago): relief approved 5 hours later (25 h: paid late) and paid.

Then every query runs through Prometheus's HTTP API. Each must parse; each must return series,
except those listed below with the reason, checked both ways (listed ones must really be empty, and an
alert that is legitimately silent must have its operand return series, so a typo cannot hide there).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session, select

from jiuzhu.demo import DemoCounty, seed, start_cases
from jiuzhu.policy.calendar import CST
from jiuzhu.testing import EngineClients, LiveSystem
from schemas.db import make_engine
from schemas.tables import Case
from tests.metrics.conftest import StartPrometheus
from tests.metrics.prom import PrometheusServer, QueryError
from tests.metrics.promql import dashboard_queries, rules, substitute

pytestmark = pytest.mark.metrics

START = datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # a Monday
TAOZHOU, XINHANG = "341822100", "341822101"

# --- what legitimately returns nothing after this run -------------------------------------------------

# Queries that are empty on a healthy run with this data, why, and a witness that must return series.
LEGITIMATELY_EMPTY: dict[str, tuple[str, str]] = {
    # engine panels on events a healthy run does not have
    'sum by (code) (rate(jiuzhu_engine_grpc_requests_total{code!="OK"}[1m]))': (
        "every gRPC call of the workers and the test answers OK",
        'sum(rate(jiuzhu_engine_grpc_requests_total{code="OK"}[1m])) > 0',
    ),
    "sum by (job_type, retries) (increase(jiuzhu_engine_jobs_failed_total[1m]))": (
        "no job fails in this run: jobs_failed_total has no series until a FailJob",
        "sum(jiuzhu_engine_jobs_created_total)",
    ),
    "sum by (job_type) (increase(jiuzhu_engine_jobs_timed_out_total[1m]))": (
        "no job times out (the workers complete every job well within its timeout)",
        "sum(jiuzhu_engine_job_duration_seconds_count)",
    ),
    "sum by (error_type) (increase(jiuzhu_engine_incidents_raised_total[1m]))": (
        "no incident is raised; the open-incident gauge is 0",
        "jiuzhu_engine_incidents_open == 0",
    ),
    # alerts that must not fire on a healthy run
    "JiuzhuSlaBreachRateHigh": (
        "needs >= 5 decisions in 7 days in one township; this run decides 2 (both on time)",
        "township:jiuzhu_case_decisions:increase7d",
    ),
    "JiuzhuPaymentsFailing": (
        "no payment fails (the failed series exists at 0 since the first payment)",
        'jiuzhu_payments_total{status="failed"} == 0',
    ),
    "JiuzhuEngineDown": ("the engine is up", 'up{job="jiuzhu-engine"} == 1'),
    "JiuzhuWorkersDown": (
        "only the embedded engine is scraped: `jiuzhu up` runs the workers in its own process",
        'up{job="jiuzhu-engine"} == 1',
    ),
    "JiuzhuJobsNotPickedUp": (
        "the workers take every job: nothing waits for 15 minutes with none completed",
        "sum by (job_type) (increase(jiuzhu_engine_job_duration_seconds_count[15m])) > 0",
    ),
    "JiuzhuIncidentsOpen": ("no incident is open", "jiuzhu_engine_incidents_open == 0"),
    "JiuzhuTimersBehind": ("the scheduler fires due timers at once", "jiuzhu_engine_timers_due == 0"),
    "JiuzhuEngineInternalErrors": (
        "no gRPC call ends INTERNAL/UNKNOWN/DATA_LOSS",
        'sum(rate(jiuzhu_engine_grpc_requests_total{code="OK"}[5m])) > 0',
    ),
    "JiuzhuEngineBackPressure": (
        "no RESOURCE_EXHAUSTED answers at this load",
        'sum(rate(jiuzhu_engine_grpc_requests_total{code="OK"}[5m])) > 0',
    ),
    "JiuzhuMetricsCollectFailing": (
        "reading engine and case statistics never fails",
        'jiuzhu_metrics_collect_errors_total{source="engine"} == 0',
    ),
    # the one 急难型 case was relieved (late) before the queries run: nobody waits for relief now
    "sum(jiuzhu_emergency_relief_waiting) or vector(0)": (
        "no 急难型 case is still waiting for relief when the queries run",
        'sum(jiuzhu_payments_yuan_total{kind="emergency"}) > 0',
    ),
    "max(jiuzhu_emergency_relief_waiting_oldest_hours) or vector(0)": (
        "no 急难型 case is still waiting for relief when the queries run",
        'sum(jiuzhu_payments_yuan_total{kind="emergency"}) > 0',
    ),
    "sum by (township) (jiuzhu_emergency_relief_waiting)": (
        "no 急难型 case is still waiting for relief when the queries run",
        'sum(jiuzhu_payments_yuan_total{kind="emergency"}) > 0',
    ),
    "max by (township) (jiuzhu_emergency_relief_waiting_oldest_hours)": (
        "no 急难型 case is still waiting for relief when the queries run",
        'sum(jiuzhu_payments_yuan_total{kind="emergency"}) > 0',
    ),
    "JiuzhuEmergencyReliefOverdue": (
        "the 急难型 case was paid (late, which JiuzhuEmergencyReliefPaidLate reports) and waits no more",
        'sum(jiuzhu_payments_yuan_total{kind="emergency"}) > 0',
    ),
    "JiuzhuMetricsInputsRefused": (
        "every label value the workers record is in its set (no `other`)",
        "sum(jiuzhu_metrics_invalid_inputs_total) == 0",
    ),
}
# Alerts this run must trip (their expressions return series).
EXPECTED_FIRING = {"JiuzhuCaseDeadlineBreached", "JiuzhuEmergencyReliefPaidLate"}


def case_record_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'caserecord.db').resolve()}"  # where `jiuzhu up` keeps it (cli.py)


@pytest.fixture
def seeded_up(tmp_path: Path) -> Iterator[tuple[LiveSystem, DemoCounty]]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # The county is seeded before the start (as `jiuzhu demo` does): `jiuzhu up --demo` seeds while its
    # workers migrate the same database in another thread, which races (see the report/docs).
    county = seed(case_record_url(data_dir), START, data_dir=data_dir)
    # The seeded history's instances are in the data dir, dated up to START: the clock starts there, or
    # every timer due between START and today (publicity, SLA, re-checks) would fire at once.
    up = LiveSystem(data_dir, demo=False, clock_start=START)
    try:
        yield up.start(), county
    finally:
        up.stop()


# --- driving cases --------------------------------------------------------------------------------------


def eventually(check: Callable[[], Any], what: str, up: LiveSystem, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if up.proc is not None and up.proc.poll() is not None:
            raise AssertionError(f"jiuzhu up died waiting for {what}: {up.log()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; log: {up.log()}")
        time.sleep(0.1)


class Driver:
    def __init__(self, up: LiveSystem, county: DemoCounty) -> None:
        self.up = up
        self.county = county
        # The credentials `jiuzhu up` generated into its data dir, as an operator would use them.
        self.clients = EngineClients(up.data_dir, up.url)
        self.http = httpx.Client(base_url=up.url, timeout=10, auth=self.clients.auth("admin"))
        self.now = START

    def pin(self, when: datetime) -> None:
        self.http.put("/v2/clock", json={"timestamp": int(when.timestamp() * 1000)}).raise_for_status()
        self.now = when

    def advance(self, delta: timedelta) -> None:
        self.http.post("/v2/clock/advance", json={"seconds": delta.total_seconds()}).raise_for_status()
        self.now += delta

    def sample(self, name: str, **labels: str) -> float:
        """Sum of the samples of `name` with these labels on jiuzhu's own /metrics."""
        text = self.http.get("/metrics").text
        total = 0.0
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                    total += s.value
        return total

    def wait_sample(self, name: str, at_least: float, **labels: str) -> None:
        eventually(lambda: self.sample(name, **labels) >= at_least, f"{name}{labels} >= {at_least}", self.up)

    def case_ids(self, instance_keys: list[int]) -> list[int]:
        db = make_engine(self.county.database_url)
        try:

            def found() -> list[int] | None:
                with Session(db) as session:
                    rows = {c.process_instance_key: c.id for c in session.exec(select(Case)).all()}
                ids = [rows.get(key) for key in instance_keys]
                return [int(i) for i in ids if i is not None] if None not in ids else None

            return list(eventually(found, "the demo cases accepted into the case record", self.up))
        finally:
            db.dispose()

    def task(self, element_id: str, case_id: int) -> int:
        """The key of the open user task `element_id` of case `case_id` (processes and their children)."""

        def find() -> int | None:
            body = {"filter": {"elementId": element_id, "state": "CREATED"}}
            for item in self.http.post("/v2/user-tasks/search", json=body).json()["items"]:
                key = item["userTaskKey"]
                search = {"filter": {"name": "caseId"}}
                found = self.http.post(f"/v2/user-tasks/{key}/variables/search", json=search).json()["items"]
                if any(str(v.get("value")) == str(case_id) for v in found):
                    return int(key)
            return None

        return int(eventually(find, f"user task {element_id} of case {case_id}", self.up))

    def variable(self, task: int, name: str) -> Any:
        found = self.http.post(f"/v2/user-tasks/{task}/variables/search", json={"filter": {"name": name}}).json()
        [item] = found["items"]
        return item["value"]

    def complete(self, element_id: str, case_id: int, **variables: Any) -> None:
        key = self.task(element_id, case_id)
        response = self.http.post(f"/v2/user-tasks/{key}/completion", json={"variables": variables})
        assert response.status_code == 204, response.text

    def publish_objection(self, case_id: int) -> None:
        from pyzeebe import ZeebeClient

        async def publish() -> None:
            channel = self.clients.channel(self.up.address, "worker")
            try:
                objection = {
                    "messageId": f"objection-{case_id}",
                    "channel": "来信",
                    "content": "申请人家中另有经营收入，请核实。",
                    "receivedAt": self.now.isoformat(),
                }
                await ZeebeClient(channel).publish_message(
                    "publicity-objection", str(case_id), {"objection": objection}, message_id=f"objection-{case_id}"
                )
            finally:
                await channel.close()

        asyncio.run(publish())

    def publish_change_report(self, household_key: str) -> None:
        """A household's change report for a case that is not in dynamic management: nothing waits for
        it (ttl 0), so it only counts as a message published and not correlated."""
        from pyzeebe import ZeebeClient

        async def publish() -> None:
            channel = self.clients.channel(self.up.address, "worker")
            try:
                await ZeebeClient(channel).publish_message(
                    "household-change-report", household_key, {}, time_to_live_in_milliseconds=0
                )
            finally:
                await channel.close()

        asyncio.run(publish())

    def staff(self, login: str) -> int:
        return self.county.staff[login]

    def visit_form(self, township: str) -> dict[str, Any]:
        return {
            "visitor1Id": self.staff(f"{township}.jingban"),
            "visitor1Name": "经办一",
            "visitor2Id": self.staff(f"{township}.jingban2"),
            "visitor2Name": "经办二",
            "visitedAt": self.now.isoformat(),
            "visitFindings": "家中无劳动力收入以外的来源，住房为自建房，无车辆。",
            "visitConclusion": "符合",
            "familySignatory": "张建国",
        }


def drive_the_demo_cases(d: Driver, prom: PrometheusServer) -> None:
    keys = start_cases(d.up.address, d.county, now=START, credentials=d.clients.oauth("admin"))
    assert len(keys) == 4, keys
    zhang, _zhao, wang, chen = d.case_ids(keys)  # demo order: 张, 赵 (near its deadline), 王, 陈 (急难型)
    d.wait_sample("jiuzhu_cases_opened_total", 4)
    # The breach counter is exported at 0 from the case's opening: Prometheus must see that 0 before the
    # breach, or increase() cannot see the first one.
    prom.wait_for(f'jiuzhu_case_sla_breaches_total{{township="{TAOZHOU}",case_type="dibao"}} == 0')

    # 陈, 急难型: reported 20 h before START, approved 5 h later (25 h: late), paid at once.
    d.task("Activity_ApproveRelief", chen)
    d.advance(timedelta(hours=5))
    d.complete(
        "Activity_ApproveRelief", chen, reliefAmount=1500, reliefReasons="房屋失火，基本生活用品全部烧毁",
        approverId=d.staff("xinhang.lingdao"),
    )  # fmt: skip
    d.wait_sample("jiuzhu_emergency_relief_hours_count", 1, township=XINHANG)

    # 张: visit, assessment, approval; the result is published in the village, and someone objects.
    d.complete("Activity_ConductVisit", zhang, **d.visit_form("taozhou"))
    d.complete(
        "Activity_TownshipAssessment", zhang, propertyWithinLimits=True,
        incomeItems=[{"kind": "wages", "amount": 900, "periodMonths": 1}], rigidSpending=[], incomeStable=True,
        memberAbleToWork=False, assessmentNotes="收入、财产符合条件。",
    )  # fmt: skip
    approval = d.task("Activity_LeaderApproval", zhang)
    d.complete(
        "Activity_LeaderApproval", zhang, decisionOutcome="批准", approvedAmount=d.variable(approval, "proposedAmount"),
        decisionReasons="家庭月人均收入低于当地低保标准，财产符合规定。", approverId=d.staff("taozhou.lingdao"),
    )  # fmt: skip
    d.wait_sample("jiuzhu_publicity_notices_published_total", 1, township=TAOZHOU)
    # As for breaches: Prometheus must have scraped the objection counter's 0 before the objection.
    prom.wait_for(f'jiuzhu_publicity_objections_total{{township="{TAOZHOU}"}} == 0')
    d.publish_objection(zhang)
    d.wait_sample("jiuzhu_publicity_objections_total", 1, township=TAOZHOU)

    # 王: the check failed; the rejection notice is delivered.
    d.complete("Activity_DeliverNotice", wang, deliveredAt=d.now.isoformat(), receiptReference="送达回证-2026-002")
    d.wait_sample("jiuzhu_case_decisions_total", 2, township=TAOZHOU)

    # 8 days on: 赵's warning and breach timers fire (sla.escalate); 张's publicity period ends with the
    # objection, so 张 goes back for re-investigation (no decision notice, no monthly payment yet).
    prom.wait_for(f'jiuzhu_case_decisions_total{{township="{TAOZHOU}",outcome="approved"}} == 1')
    d.advance(timedelta(days=8))
    d.wait_sample("jiuzhu_case_sla_warnings_total", 1, township=TAOZHOU)
    d.wait_sample("jiuzhu_case_sla_breaches_total", 1, township=TAOZHOU)
    # The engine panels show the last minute: a message published now keeps "messages" in it however
    # long the steps above took on a slow machine.
    # (twice: increase() needs the new series' first sample before the count goes up.)
    d.publish_change_report("no-such-household")
    prom.wait_for('jiuzhu_engine_messages_published_total{correlated="false"}')
    d.publish_change_report("no-such-household")
    prom.wait_for('sum(increase(jiuzhu_engine_messages_published_total{correlated="false"}[1m])) > 0')


# --- the test -------------------------------------------------------------------------------------------


def or_vector_lhs(expr: str) -> str:
    """`x or vector(0)` always answers; what matters is whether `x` does."""
    return re.sub(r"\s+or\s+vector\(0\)\s*$", "", expr)


def test_dashboards_and_rules_against_a_running_jiuzhu_up(
    seeded_up: tuple[LiveSystem, DemoCounty], prometheus_factory: StartPrometheus
) -> None:
    up, county = seeded_up
    d = Driver(up, county)
    d.pin(START)
    prom = prometheus_factory({"jiuzhu-engine": [f"127.0.0.1:{up.http_port}"]})
    prom.wait_for('up{job="jiuzhu-engine"} == 1')

    drive_the_demo_cases(d, prom)

    # Prometheus has seen the counters move and the recording rules have run on it.
    prom.wait_for(f'increase(jiuzhu_case_sla_breaches_total{{township="{TAOZHOU}"}}[1m]) > 0')
    prom.wait_for('sum(jiuzhu_payments_yuan_total{kind="emergency"}) > 0')
    prom.wait_for("county:jiuzhu_case_decisions_on_time:ratio7d")
    prom.wait_for("township:jiuzhu_emergency_relief_late:increase7d > 0")

    # The open-case gauges are read from the case record at scrape time (jiuzhu.case_stats).
    exported = {f.name for f in text_string_to_metric_families(d.http.get("/metrics").text)}
    assert {"jiuzhu_cases_open", "jiuzhu_cases_open_oldest_working_days"} <= exported

    # Every query is evaluated at this one instant, so `[1m]` windows do not slide past the run while
    # ninety-odd queries are asked on a slow machine.
    at = time.time()
    refused: list[str] = []
    answered: list[tuple[str, str]] = []
    empty: list[tuple[str, str]] = []
    queries = [(f"{name} / {title}", substitute(expr)) for name, title, expr in dashboard_queries()]
    queries += [(rule.get("alert") or rule["record"], rule["expr"]) for rule in rules()]
    for where, expr in queries:
        try:
            prom.query(expr, at)
            result = prom.query(or_vector_lhs(expr), at)
        except QueryError as err:
            refused.append(f"{where}: {err}")
            continue
        (answered if result else empty).append((where, expr))
    assert not refused, "queries Prometheus refused:\n" + "\n".join(refused)

    def declared(where: str, expr: str) -> bool:
        return expr in LEGITIMATELY_EMPTY or where in LEGITIMATELY_EMPTY

    undeclared = [f"{w}: {e}" for w, e in empty if not declared(w, e)]
    assert not undeclared, "queries with no series on a running jiuzhu up:\n" + "\n".join(undeclared)
    # A declared query may still answer: what is quiet on a healthy run (a job timing out, a gRPC error)
    # can happen on a loaded machine; it must parse either way, and its witness must answer.
    listed = {w for w, _ in empty + answered} | {e for _, e in empty + answered}
    unused = set(LEGITIMATELY_EMPTY) - listed
    assert not unused, f"LEGITIMATELY_EMPTY entries that match no query: {sorted(unused)}"
    for key, (why, witness) in LEGITIMATELY_EMPTY.items():
        assert prom.query(witness, at), f"{key} is empty because {why!r}, but its witness {witness!r} is empty too"
    firing = {w for w, _ in answered if w in EXPECTED_FIRING}
    assert firing == EXPECTED_FIRING, f"alerts that should fire on this run: {sorted(EXPECTED_FIRING - firing)}"

    print(f"\n{len(answered)} queries answered; {len(empty)} empty, each declared:")
    for where, _ in empty:
        print(f"  {where}: legitimately empty")
