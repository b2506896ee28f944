"""Case events, recorded by the workers where they happen.

Arguments take the case record's vocabulary as it is: `Programme`/`CasePath`/`DecisionOutcome`/
`PaymentKind`/`PaymentStatus` members or their values, township codes as strings. Labels come
out bounded (see `labels.py`). Amounts are yuan (`Decimal` is fine); never a label.

Counters that alerts and dashboards read with `increase()` are exported at 0 as soon as their labels
are known (the case is opened, a payment or a notice is recorded): Prometheus counts no increase for a
series whose first sample is already 1, so the first SLA breach of a township after a start would
otherwise never show in `increase(jiuzhu_case_sla_breaches_total[1h])`.
"""

from __future__ import annotations

from decimal import Decimal

from jiuzhu.metrics.definitions import Metrics
from jiuzhu.metrics.labels import EXTRA_OUTCOMES, SLA_RESULTS, Labels
from jiuzhu.metrics.numbers import non_negative
from schemas.enums import DecisionOutcome

COUNTY_DECISION_WORKING_DAYS = 10
DECISION_OUTCOMES = (*(m.name.lower() for m in DecisionOutcome), *sorted(EXTRA_OUTCOMES))
EMERGENCY = "temporary_emergency"


class CaseRecorder:
    def __init__(self, metrics: Metrics, labels: Labels) -> None:
        self._m = metrics
        self._l = labels

    def _case(self, case_type: object, path: object, township: object) -> tuple[str, str, str]:
        return self._l.case_type(case_type), self._l.path(path), self._l.township(township)

    def case_opened(self, case_type: object, path: object, township: object) -> None:
        """An application was accepted (受理): the working-day clock starts."""
        labels = self._case(case_type, path, township)
        self._m.cases_opened.labels(*labels).inc()
        # What can happen to this case later starts at 0 (see the module docstring).
        self._m.sla_warnings.labels(*labels)
        self._m.sla_breaches.labels(*labels)
        self._m.decision_working_days.labels(*labels)
        for outcome in DECISION_OUTCOMES:
            for sla in sorted(SLA_RESULTS):
                self._m.case_decisions.labels(*labels, outcome, sla)
        if labels[0] == EMERGENCY:
            self._m.relief_hours.labels(labels[2])

    def case_decided(
        self,
        case_type: object,
        path: object,
        township: object,
        outcome: object,
        working_days: int,
        limit_working_days: int = COUNTY_DECISION_WORKING_DAYS,
    ) -> None:
        """A decision (批准/不予批准, or `withdrawn`) after `working_days` working days since acceptance.

        On time when `working_days <= limit_working_days` (the profile's `SlaRules.decision_working_days`)."""
        labels = self._case(case_type, path, township)
        days = non_negative(working_days, "working_days", self._l.invalid)
        if days is None:
            return
        sla = "on_time" if days <= limit_working_days else "late"
        self._m.case_decisions.labels(*labels, self._l.outcome(outcome), sla).inc()
        self._m.decision_working_days.labels(*labels).observe(days)

    def sla_warning(self, case_type: object, path: object, township: object) -> None:
        """The warning timer fired (county profile: working day 8 of 10)."""
        self._m.sla_warnings.labels(*self._case(case_type, path, township)).inc()

    def sla_breach(self, case_type: object, path: object, township: object) -> None:
        """The decision deadline passed without a decision."""
        self._m.sla_breaches.labels(*self._case(case_type, path, township)).inc()

    def emergency_relief_paid(self, township: object, hours: float) -> None:
        """急难型: relief paid first, `hours` clock hours after the report (limit 24)."""
        value = non_negative(hours, "hours", self._l.invalid)
        if value is not None:
            self._m.relief_hours.labels(self._l.township(township)).observe(value)

    def publicity_published(self, case_type: object, township: object) -> None:
        labels = (self._l.case_type(case_type), self._l.township(township))
        self._m.publicity_published.labels(*labels).inc()
        self._m.publicity_objections.labels(*labels)  # 0 until an objection comes

    def publicity_objection(self, case_type: object, township: object) -> None:
        self._m.publicity_objections.labels(self._l.case_type(case_type), self._l.township(township)).inc()

    def payment(
        self, case_type: object, kind: object, township: object, amount_yuan: Decimal | float, status: object = "paid"
    ) -> None:
        """A payment attempt: `status` paid (已发放) adds `amount_yuan` to the money paid; failed only counts."""
        labels = (self._l.case_type(case_type), self._l.payment_kind(kind), self._l.township(township))
        state = self._l.payment_status(status)
        self._m.payments.labels(*labels, state).inc()
        self._m.payments.labels(*labels, "failed")  # 0 until one fails: JiuzhuPaymentsFailing sees the first
        if state == "paid":
            amount = non_negative(amount_yuan, "amount", self._l.invalid)
            if amount is not None:
                self._m.payments_yuan.labels(*labels).inc(amount)
