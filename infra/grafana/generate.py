"""Generate the Grafana dashboards in infra/grafana/dashboards/ (dashboards as code, no dependencies).

    .venv/bin/python infra/grafana/generate.py          # rewrite the JSON files
    .venv/bin/python infra/grafana/generate.py --check  # exit 1 if a JSON file is out of date

Edit this file, not the JSON: tests/metrics check that the JSON is what this script writes, that every
query uses only metrics jiuzhu.metrics defines (or recording rules of infra/prometheus/rules), and
that every query runs on a real Prometheus.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
SCHEMA_VERSION = 39
WIDTH = 24

Panel = dict[str, Any]


class Layout:
    """Places panels left to right, wrapping at the dashboard width."""

    def __init__(self) -> None:
        self.x = 0
        self.y = 0
        self.row_h = 0
        self.next_id = 1

    def place(self, w: int, h: int) -> dict[str, int]:
        if self.x + w > WIDTH:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        pos = {"x": self.x, "y": self.y, "w": w, "h": h}
        self.x += w
        self.row_h = max(self.row_h, h)
        return pos

    def id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


def target(expr: str, legend: str = "", ref: str = "A", instant: bool = False, fmt: str = "time_series") -> Panel:
    return {
        "datasource": DATASOURCE,
        "expr": expr,
        "legendFormat": legend or "__auto",
        "refId": ref,
        "range": not instant,
        "instant": instant,
        "format": fmt,
    }


def _targets(queries: list[tuple[str, str]], instant: bool = False, fmt: str = "time_series") -> list[Panel]:
    return [target(e, legend, chr(ord("A") + i), instant, fmt) for i, (e, legend) in enumerate(queries)]


def quantile(q: float, histogram: str, selector: str, window: str, by: str = "") -> str:
    """histogram_quantile over `increase` (long windows) or `rate` ($__rate_interval) of a histogram."""
    fn = "rate" if window.startswith("$") else "increase"
    labels = f"le, {by}" if by else "le"
    return f"histogram_quantile({q}, sum by ({labels}) ({fn}({histogram}_bucket{{{selector}}}[{window}])))"


def _thresholds(steps: list[tuple[float | None, str]]) -> Panel:
    return {"mode": "absolute", "steps": [{"color": color, "value": value} for value, color in steps]}


GOOD_HIGH = [(None, "red"), (0.9, "orange"), (0.98, "green")]
BAD_ANY = [(None, "green"), (1, "red")]
NEUTRAL = [(None, "blue")]


def stat(
    lay: Layout,
    title: str,
    expr: str,
    unit: str = "short",
    steps: list[tuple[float | None, str]] = NEUTRAL,
    w: int = 4,
    description: str = "",
) -> Panel:
    return {
        "id": lay.id(),
        "type": "stat",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "gridPos": lay.place(w, 4),
        "targets": _targets([(expr, "")], instant=True),
        "fieldConfig": {
            "defaults": {"unit": unit, "decimals": 1 if unit == "percentunit" else 0, "thresholds": _thresholds(steps)},
            "overrides": [],
        },
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "background",
            "graphMode": "none",
            "textMode": "value",
        },
    }


def timeseries(
    lay: Layout,
    title: str,
    queries: list[tuple[str, str]],
    unit: str = "short",
    w: int = 12,
    h: int = 8,
    description: str = "",
    bars: bool = False,
    stack: bool = False,
) -> Panel:
    return {
        "id": lay.id(),
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "gridPos": lay.place(w, h),
        "targets": _targets(queries),
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "custom": {
                    "drawStyle": "bars" if bars else "line",
                    "fillOpacity": 60 if bars else 10,
                    "stacking": {"mode": "normal" if stack else "none", "group": "A"},
                },
            },
            "overrides": [],
        },
        "options": {"legend": {"displayMode": "table", "placement": "right", "calcs": ["lastNotNull"]}},
    }


def bargauge(
    lay: Layout,
    title: str,
    queries: list[tuple[str, str]],
    unit: str = "short",
    steps: list[tuple[float | None, str]] = NEUTRAL,
    w: int = 12,
    h: int = 8,
    description: str = "",
    heatmap: bool = False,
) -> Panel:
    return {
        "id": lay.id(),
        "type": "bargauge",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "gridPos": lay.place(w, h),
        "targets": _targets(queries, instant=True, fmt="heatmap" if heatmap else "time_series"),
        "fieldConfig": {"defaults": {"unit": unit, "min": 0, "thresholds": _thresholds(steps)}, "overrides": []},
        "options": {
            "orientation": "horizontal",
            "displayMode": "gradient",
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "showUnfilled": True,
        },
    }


def table(
    lay: Layout, title: str, queries: list[tuple[str, str]], w: int = 12, h: int = 8, description: str = ""
) -> Panel:
    """One row per township, one column per query (instant queries merged on their labels)."""
    return {
        "id": lay.id(),
        "type": "table",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "gridPos": lay.place(w, h),
        "targets": _targets(queries, instant=True, fmt="table"),
        "transformations": [
            {"id": "merge", "options": {}},
            {"id": "organize", "options": {"excludeByName": {"Time": True}}},
        ],
        "fieldConfig": {"defaults": {"custom": {"align": "auto"}}, "overrides": []},
        "options": {"showHeader": True, "sortBy": [{"displayName": "Value #A", "desc": True}]},
    }


def dashboard(
    uid: str, title: str, description: str, panels: list[Panel], variables: list[Panel] | None = None
) -> Panel:
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["jiuzhu"],
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "refresh": "1m",
        "time": {"from": "now-7d", "to": "now"},
        "timepicker": {},
        "annotations": {"list": []},
        "links": [{"title": "jiuzhu", "type": "dashboards", "tags": ["jiuzhu"], "asDropdown": True}],
        "templating": {"list": variables or []},
        "panels": panels,
    }


def township_variable() -> Panel:
    query = "label_values(jiuzhu_cases_opened_total, township)"
    return {
        "name": "township",
        "label": "乡镇 Township",
        "type": "query",
        "datasource": DATASOURCE,
        "query": {"query": query, "refId": "township"},
        "definition": query,
        "refresh": 2,
        "sort": 1,
        "multi": True,
        "includeAll": True,
        "allValue": ".*",
        "current": {},
        "options": [],
    }


# ---------------------------------------------------------------------------------------------- dashboards


def sla_overview() -> Panel:
    lay = Layout()
    panels = [
        stat(
            lay,
            "按时办结率（7天）On-time decisions",
            "county:jiuzhu_case_decisions_on_time:ratio7d",
            "percentunit",
            GOOD_HIGH,
            description="Decisions within the working-day limit (county: 10), last 7 days, all townships.",
        ),
        stat(
            lay,
            "逾期办结（7天）Late decisions",
            'sum(increase(jiuzhu_case_decisions_total{sla="late"}[7d])) or vector(0)',
            steps=BAD_ANY,
        ),
        stat(
            lay,
            "超期在办 Open past deadline",
            'sum(jiuzhu_cases_open{sla_state="overdue"}) or vector(0)',
            steps=BAD_ANY,
        ),
        stat(
            lay,
            "预警在办 Open in warning (day 8+)",
            'sum(jiuzhu_cases_open{sla_state="warning"}) or vector(0)',
            steps=[(None, "green"), (1, "orange")],
        ),
        stat(lay, "受理（7天）Accepted", "sum(increase(jiuzhu_cases_opened_total[7d])) or vector(0)"),
        stat(
            lay,
            "超时（7天）Deadline breaches",
            "sum(increase(jiuzhu_case_sla_breaches_total[7d])) or vector(0)",
            steps=BAD_ANY,
        ),
        timeseries(
            lay,
            "各乡镇按时办结率 On-time rate by township (7-day window)",
            [("township:jiuzhu_case_decisions_on_time:ratio7d", "{{township}}")],
            "percentunit",
        ),
        bargauge(
            lay,
            "各乡镇在办案件 Open cases by township and deadline state",
            [("sum by (township, sla_state) (jiuzhu_cases_open)", "{{township}} {{sla_state}}")],
            description="sla_state: on_track, warning (from working day 8), overdue (past day 10).",
        ),
        table(
            lay,
            "各乡镇积压 Ageing by township",
            [
                ("max by (township) (jiuzhu_cases_open_oldest_working_days)", ""),
                ("sum by (township) (jiuzhu_cases_open)", ""),
                ('sum by (township) (jiuzhu_cases_open{sla_state="overdue"})', ""),
            ],
            description="A: oldest open case (working days); B: open cases; C: open past deadline.",
        ),
        bargauge(
            lay,
            "办理用时分布（7天）Decision time, working days (7 days)",
            [("sum by (le) (increase(jiuzhu_case_decision_working_days_bucket[7d]))", "{{le}}")],
            heatmap=True,
        ),
        timeseries(
            lay,
            "办理用时 Decision time p50 / p90 (working days)",
            [
                (
                    "histogram_quantile(0.5, sum by (le) (increase(jiuzhu_case_decision_working_days_bucket[7d])))",
                    "p50",
                ),
                (
                    "histogram_quantile(0.9, sum by (le) (increase(jiuzhu_case_decision_working_days_bucket[7d])))",
                    "p90",
                ),
            ],
            "d",
        ),
        timeseries(
            lay,
            "审批结果（每日）Decisions per day by outcome",
            [("sum by (outcome, sla) (increase(jiuzhu_case_decisions_total[1d]))", "{{outcome}} {{sla}}")],
            bars=True,
            stack=True,
        ),
        bargauge(
            lay,
            "公示异议（7天）Publicity objections by township",
            [("sum by (township) (increase(jiuzhu_publicity_objections_total[7d]))", "{{township}}")],
        ),
        bargauge(
            lay,
            "救助金发放（30天）Paid out by programme, yuan (30 days)",
            [("sum by (case_type) (increase(jiuzhu_payments_yuan_total[30d]))", "{{case_type}}")],
            unit="currencyCNY",
        ),
    ]
    return dashboard(
        "jiuzhu-sla-overview",
        "救助时限总览 SLA overview (county)",
        "10 working days from acceptance to decision (warning on day 8); emergency relief within 24 hours.",
        panels,
    )


def township_drilldown() -> Panel:
    lay = Layout()
    t = 'township=~"$township"'
    panels = [
        stat(
            lay,
            "按时办结率（7天）On-time rate",
            f"1 - sum(township:jiuzhu_case_decisions_late:increase7d{{{t}}})"
            f" / (sum(township:jiuzhu_case_decisions:increase7d{{{t}}}) > 0)",
            "percentunit",
            GOOD_HIGH,
        ),
        stat(lay, "在办 Open cases", f"sum(jiuzhu_cases_open{{{t}}}) or vector(0)"),
        stat(
            lay,
            "超期在办 Open past deadline",
            f'sum(jiuzhu_cases_open{{{t},sla_state="overdue"}}) or vector(0)',
            steps=BAD_ANY,
        ),
        stat(
            lay,
            "最久在办（工作日）Oldest open case, working days",
            f"max(jiuzhu_cases_open_oldest_working_days{{{t}}}) or vector(0)",
            steps=[(None, "green"), (8, "orange"), (11, "red")],
        ),
        stat(lay, "受理（7天）Accepted", f"sum(increase(jiuzhu_cases_opened_total{{{t}}}[7d])) or vector(0)"),
        stat(
            lay,
            "公示异议（7天）Objections",
            f"sum(increase(jiuzhu_publicity_objections_total{{{t}}}[7d])) or vector(0)",
        ),
        bargauge(
            lay,
            "在办案件 Open cases by programme and deadline state",
            [(f"sum by (case_type, sla_state) (jiuzhu_cases_open{{{t}}})", "{{case_type}} {{sla_state}}")],
        ),
        timeseries(
            lay,
            "受理与审批（每日）Accepted and decided per day",
            [
                (f"sum by (case_type) (increase(jiuzhu_cases_opened_total{{{t}}}[1d]))", "受理 {{case_type}}"),
                (f"sum by (case_type) (increase(jiuzhu_case_decisions_total{{{t}}}[1d]))", "审批 {{case_type}}"),
            ],
            bars=True,
        ),
        timeseries(
            lay,
            "办理用时 Decision time p50 / p90 (working days)",
            [
                (quantile(0.5, "jiuzhu_case_decision_working_days", t, "7d"), "p50"),
                (quantile(0.9, "jiuzhu_case_decision_working_days", t, "7d"), "p90"),
            ],
            "d",
        ),
        timeseries(
            lay,
            "时限预警与超时（每日）Warnings and breaches per day",
            [
                (f"sum by (case_type) (increase(jiuzhu_case_sla_warnings_total{{{t}}}[1d]))", "预警 {{case_type}}"),
                (f"sum by (case_type) (increase(jiuzhu_case_sla_breaches_total{{{t}}}[1d]))", "超时 {{case_type}}"),
            ],
            bars=True,
        ),
        timeseries(
            lay,
            "审批结果（每日）Decisions by outcome",
            [(f"sum by (outcome, sla) (increase(jiuzhu_case_decisions_total{{{t}}}[1d]))", "{{outcome}} {{sla}}")],
            bars=True,
            stack=True,
        ),
        timeseries(
            lay,
            "公示与异议（每日）Publicity and objections per day",
            [
                (f"sum(increase(jiuzhu_publicity_notices_published_total{{{t}}}[1d]))", "公示 published"),
                (f"sum(increase(jiuzhu_publicity_objections_total{{{t}}}[1d]))", "异议 objections"),
            ],
            bars=True,
        ),
        bargauge(
            lay,
            "发放（30天）Paid out by kind, yuan",
            [(f"sum by (kind) (increase(jiuzhu_payments_yuan_total{{{t}}}[30d]))", "{{kind}}")],
            unit="currencyCNY",
        ),
        timeseries(
            lay,
            "发放笔数（每日）Payments per day by status",
            [(f"sum by (kind, status) (increase(jiuzhu_payments_total{{{t}}}[1d]))", "{{kind}} {{status}}")],
            bars=True,
        ),
    ]
    return dashboard(
        "jiuzhu-township",
        "乡镇明细 Township drill-down",
        "One township (or several): caseload, deadlines, publicity and payments.",
        panels,
        [township_variable()],
    )


def emergency_relief() -> Panel:
    lay = Layout()
    panels = [
        stat(
            lay,
            "24小时内救助（7天）Relieved within 24 h",
            "county:jiuzhu_emergency_relief_within_24h:ratio7d",
            "percentunit",
            GOOD_HIGH,
            w=6,
        ),
        stat(
            lay,
            "待救助 Waiting for relief",
            "sum(jiuzhu_emergency_relief_waiting) or vector(0)",
            steps=[(None, "green"), (1, "orange")],
            w=6,
        ),
        stat(
            lay,
            "最长等待（小时）Longest wait, hours",
            "max(jiuzhu_emergency_relief_waiting_oldest_hours) or vector(0)",
            "h",
            [(None, "green"), (18, "orange"), (24, "red")],
            w=6,
        ),
        stat(
            lay,
            "超24小时救助（7天）Paid after 24 h",
            "sum(township:jiuzhu_emergency_relief_late:increase7d) or vector(0)",
            steps=BAD_ANY,
            w=6,
        ),
        timeseries(
            lay,
            "救助用时 Report to relief p50 / p90 (hours, 7-day window)",
            [
                ("histogram_quantile(0.5, sum by (le) (increase(jiuzhu_emergency_relief_hours_bucket[7d])))", "p50"),
                ("histogram_quantile(0.9, sum by (le) (increase(jiuzhu_emergency_relief_hours_bucket[7d])))", "p90"),
            ],
            "h",
        ),
        bargauge(
            lay,
            "救助用时分布（7天）Hours to relief (7 days)",
            [("sum by (le) (increase(jiuzhu_emergency_relief_hours_bucket[7d]))", "{{le}}")],
            heatmap=True,
        ),
        table(
            lay,
            "各乡镇急难救助 Emergency relief by township",
            [
                ("sum by (township) (jiuzhu_emergency_relief_waiting)", ""),
                ("max by (township) (jiuzhu_emergency_relief_waiting_oldest_hours)", ""),
                ("sum by (township) (increase(jiuzhu_emergency_relief_hours_count[7d]))", ""),
                ("township:jiuzhu_emergency_relief_late:increase7d", ""),
            ],
            description="A: waiting now; B: longest wait (hours); C: relieved in 7 days; D: of which after 24 h.",
        ),
        bargauge(
            lay,
            "先行救助金额（7天）Emergency relief paid, yuan",
            [('sum by (township) (increase(jiuzhu_payments_yuan_total{kind="emergency"}[7d]))', "{{township}}")],
            unit="currencyCNY",
        ),
    ]
    return dashboard(
        "jiuzhu-emergency",
        "急难型临时救助 Emergency relief (24 hours)",
        "急难型临时救助: relief paid first within 24 hours of the report, paperwork afterwards.",
        panels,
    )


def engine_health() -> Panel:
    lay = Layout()
    rate = "$__rate_interval"
    panels = [
        bargauge(
            lay,
            "Targets up",
            [('up{job=~"jiuzhu-engine|jiuzhu-workers|camunda"}', "{{job}} {{instance}}")],
            steps=[(None, "red"), (1, "green")],
            w=8,
            h=6,
        ),
        stat(lay, "Instances active", "sum(jiuzhu_engine_process_instances_active)", w=4),
        stat(lay, "Incidents open", "sum(jiuzhu_engine_incidents_open)", steps=BAD_ANY, w=4),
        stat(lay, "Timers due (not fired)", "sum(jiuzhu_engine_timers_due)", steps=BAD_ANY, w=4),
        stat(lay, "User tasks open", "sum(jiuzhu_engine_user_tasks_open)", w=4),
        stat(lay, "Message subscriptions", "sum(jiuzhu_engine_message_subscriptions_open)", w=4),
        stat(lay, "Jobs waiting", "sum(jiuzhu_engine_jobs_activatable)", w=4),
        stat(
            lay,
            "Metric read errors (1h)",
            "sum(increase(jiuzhu_metrics_collect_errors_total[1h]))",
            steps=BAD_ANY,
            w=4,
        ),
        timeseries(
            lay,
            "gRPC requests by method",
            [(f"sum by (method) (rate(jiuzhu_engine_grpc_requests_total[{rate}]))", "{{method}}")],
            "reqps",
        ),
        timeseries(
            lay,
            "gRPC errors by code",
            [(f'sum by (code) (rate(jiuzhu_engine_grpc_requests_total{{code!="OK"}}[{rate}]))', "{{code}}")],
            "reqps",
        ),
        timeseries(
            lay,
            "gRPC latency p95 (long polls excluded)",
            [
                (
                    quantile(
                        0.95, "jiuzhu_engine_grpc_request_duration_seconds", 'method!="ActivateJobs"', rate, "method"
                    ),
                    "{{method}}",
                )
            ],
            "s",
        ),
        timeseries(
            lay,
            "Jobs waiting for a worker by type",
            [("sum by (job_type) (jiuzhu_engine_jobs_activatable)", "{{job_type}}")],
        ),
        timeseries(
            lay,
            "Jobs created / completed per second by type",
            [
                (f"sum by (job_type) (rate(jiuzhu_engine_jobs_created_total[{rate}]))", "created {{job_type}}"),
                (
                    f"sum by (job_type) (rate(jiuzhu_engine_job_duration_seconds_count[{rate}]))",
                    "completed {{job_type}}",
                ),
            ],
            "ops",
        ),
        timeseries(
            lay,
            "Job time p95 by type (created → completed)",
            [
                (
                    "histogram_quantile(0.95, sum by (le, job_type) "
                    f"(rate(jiuzhu_engine_job_duration_seconds_bucket[{rate}])))",
                    "{{job_type}}",
                )
            ],
            "s",
        ),
        timeseries(
            lay,
            "Job failures, BPMN errors, timeouts",
            [
                (
                    f"sum by (job_type, retries) (increase(jiuzhu_engine_jobs_failed_total[{rate}]))",
                    "fail {{job_type}} {{retries}}",
                ),
                (
                    f"sum by (job_type, caught) (increase(jiuzhu_engine_job_bpmn_errors_total[{rate}]))",
                    "error {{job_type}} caught={{caught}}",
                ),
                (f"sum by (job_type) (increase(jiuzhu_engine_jobs_timed_out_total[{rate}]))", "timeout {{job_type}}"),
            ],
            bars=True,
        ),
        timeseries(
            lay,
            "Process instances created / ended",
            [
                (
                    f"sum by (bpmn_process_id) (increase(jiuzhu_engine_process_instances_created_total[{rate}]))",
                    "created {{bpmn_process_id}}",
                ),
                (
                    f"sum by (bpmn_process_id, state) (increase(jiuzhu_engine_process_instances_ended_total[{rate}]))",
                    "{{state}} {{bpmn_process_id}}",
                ),
            ],
            bars=True,
        ),
        timeseries(
            lay,
            "Incidents raised, messages, timers",
            [
                (
                    f"sum by (error_type) (increase(jiuzhu_engine_incidents_raised_total[{rate}]))",
                    "incident {{error_type}}",
                ),
                (
                    f"sum by (correlated) (increase(jiuzhu_engine_messages_published_total[{rate}]))",
                    "message correlated={{correlated}}",
                ),
                (f"sum(increase(jiuzhu_engine_timers_fired_total[{rate}]))", "timers fired"),
            ],
            bars=True,
        ),
        timeseries(
            lay,
            "Workers: jobs handled by outcome",
            [
                (
                    f"sum by (job_type, outcome) (rate(jiuzhu_worker_jobs_handled_total[{rate}]))",
                    "{{job_type}} {{outcome}}",
                )
            ],
            "ops",
        ),
        timeseries(
            lay,
            "Workers: handling time p95",
            [
                (
                    "histogram_quantile(0.95, sum by (le, job_type) "
                    f"(rate(jiuzhu_worker_job_handling_seconds_bucket[{rate}])))",
                    "{{job_type}}",
                )
            ],
            "s",
        ),
        timeseries(
            lay,
            "Metric inputs refused (mapped to other)",
            [(f"sum by (field) (increase(jiuzhu_metrics_invalid_inputs_total[{rate}]))", "{{field}}")],
            bars=True,
        ),
    ]
    return dashboard(
        "jiuzhu-engine",
        "引擎与作业 Engine and workers",
        "The embedded engine's gateway, jobs, instances, incidents and timers; the workers on either engine.",
        panels,
    )


DASHBOARDS = {
    "sla-overview.json": sla_overview,
    "township.json": township_drilldown,
    "emergency-relief.json": emergency_relief,
    "engine-health.json": engine_health,
}


def render_all() -> dict[str, str]:
    return {name: json.dumps(build(), ensure_ascii=False, indent=2) + "\n" for name, build in DASHBOARDS.items()}


def main(argv: list[str]) -> int:
    rendered = render_all()
    if "--check" in argv:
        stale = [n for n, text in rendered.items() if not (OUT / n).exists() or (OUT / n).read_text("utf-8") != text]
        for name in stale:
            print(f"out of date: {OUT / name} (run infra/grafana/generate.py)")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in rendered.items():
        (OUT / name).write_text(text, encoding="utf-8")
        print(f"wrote {OUT / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
