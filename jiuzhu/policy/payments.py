"""The month's payment computation (发放计算): what each recipient household is owed for a run month.

Pure rules: the awards (each case's decisions) and the ledger (what was already written) are
passed in, and so is the date; nothing is read or written here.

The amount in force in a month (DOMAIN.md "Amounts", 动态管理):

- A decision takes effect from its ``effective_month`` (an approval: the month after the decision,
  Art. 21, 25). Of the decisions in effect by a month, the one decided last governs it, so an
  adjustment or stop replaces the earlier amount from its own effective month on.
- A stop (``amount`` None) pays nothing from its effective month.
- 渐退: the decision's amount goes on up to and including ``taper_until``, then nothing.

What a run for month M writes, per household and scheme (exactly once per household, month and
scheme across all cases):

- 按月发放 for M, the amount in force, unless the ledger already covers M;
- 补发 for each earlier month from ``arrears_from`` (the first month this ledger was run; months
  before it were paid outside it) whose amount in force exceeds what the ledger already holds for
  it — a decision recorded after that month's run, or a raise that took effect after it. A payment
  the bank returned as failed is not re-issued here: its follow-up decides (重新发放).
- More paid than owed for a month (a cut recorded after the run) is reported, never clawed back.
- Two cases of one household in one scheme owed for the same month: the case already in the ledger
  for it (else the one first decided) is paid; the others are **refused** with the reason.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.money import format_yuan, round_money


class PayKind(enum.StrEnum):
    MONTHLY = "按月发放"
    ARREARS = "补发"


def month_start(day: date) -> date:
    return day.replace(day=1)


def parse_month(text: str) -> date:
    """``YYYY-MM`` → the first day of that month; anything else is a Chinese error."""
    try:
        year, month = text.strip().split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return date(int(year), int(month), 1)
    except ValueError:
        raise PolicyError("bad_month", f"月份须写成 YYYY-MM（例如 2027-03），实际为 {text!r}") from None


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last`` inclusive (first days)."""
    out, month = [], month_start(first)
    while month <= last:
        out.append(month)
        month = next_month(month)
    return out


@dataclass(frozen=True)
class AwardDecision:
    """One decision on a case, as far as money goes."""

    decision_id: int
    decided_at: datetime
    effective_month: date
    amount: Decimal | None  # None: stopped (停发)
    taper_until: date | None = None  # 渐退: last month paid


@dataclass(frozen=True)
class Award:
    """A case's entitlement: its household, scheme and decisions."""

    case_id: int
    household_id: int
    scheme: str  # 救助类别, e.g. 低保
    decisions: tuple[AwardDecision, ...]


@dataclass(frozen=True)
class InForce:
    decision_id: int
    amount: Decimal
    tapering: bool
    decided_at: datetime


def amount_in_force(award: Award, month: date) -> InForce | None:
    """The amount ``award`` owes for ``month``, and the decision it comes from; None: nothing."""
    month = month_start(month)
    for decision in award.decisions:
        if decision.effective_month != month_start(decision.effective_month):
            raise PolicyError("bad_month", f"决定 {decision.decision_id} 的起发月份须为某月 1 日")
    in_effect = [d for d in award.decisions if d.effective_month <= month]
    if not in_effect:
        return None
    governing = max(in_effect, key=lambda d: (d.decided_at, d.decision_id))
    if governing.amount is None or governing.amount <= 0:
        return None
    if governing.taper_until is not None and month > month_start(governing.taper_until):
        return None
    return InForce(governing.decision_id, governing.amount, governing.taper_until is not None, governing.decided_at)


@dataclass(frozen=True)
class LedgerEntry:
    """A row already in the ledger."""

    case_id: int
    household_id: int
    scheme: str
    month: date  # the month the money is for
    kind: PayKind
    amount: Decimal
    run_month: date  # the run that wrote it
    failed: bool = False  # the bank returned it (发放失败)


@dataclass(frozen=True)
class PlannedPayment:
    case_id: int
    household_id: int
    scheme: str
    month: date
    run_month: date
    kind: PayKind
    amount: Decimal
    decision_id: int
    tapering: bool

    @property
    def key(self) -> str:
        """One key per household, scheme, month, kind and run: a rerun finds the row it wrote."""
        return f"run:{self.household_id}:{self.scheme}:{self.month:%Y-%m}:{self.kind.name}:{self.run_month:%Y-%m}"


@dataclass(frozen=True)
class Refusal:
    case_id: int
    household_id: int
    scheme: str
    month: date
    reason: str


@dataclass(frozen=True)
class Overpaid:
    household_id: int
    scheme: str
    month: date
    owed: Decimal
    paid: Decimal

    @property
    def reason(self) -> str:
        return (
            f"{self.month:%Y-%m} 应发 {format_yuan(self.owed)}，已发 {format_yuan(self.paid)}，"
            f"多发 {format_yuan(self.paid - self.owed)}（不自动扣回，请核实处理）"
        )


@dataclass(frozen=True)
class RunPlan:
    run_month: date
    payments: tuple[PlannedPayment, ...]
    skipped: int  # households already in the ledger for the run month (a rerun)
    refused: tuple[Refusal, ...]
    overpaid: tuple[Overpaid, ...]
    deferred: tuple[Refusal, ...] = field(default=())  # a further difference already paid in this run

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal(0))


def _first_decided(award: Award) -> datetime:
    """When the case was first decided: of two cases of one household, the older one keeps paying."""
    return min(d.decided_at for d in award.decisions)


def _check_run_month(run_month: date, today: date) -> None:
    if run_month != month_start(run_month):
        raise PolicyError("bad_month", f"发放月份须为某月 1 日，实际为 {run_month.isoformat()}")
    if run_month > next_month(month_start(today)):
        raise PolicyError(
            "future_month",
            f"不能提前计算 {run_month:%Y-%m} 的发放"
            f"（今天是 {today.isoformat()}，最多可算到 {next_month(today):%Y-%m}）",
        )


def plan_month(
    run_month: date,
    awards: Iterable[Award],
    ledger: Iterable[LedgerEntry],
    *,
    today: date,
    arrears_from: date | None = None,
) -> RunPlan:
    """What the run for ``run_month`` writes. ``arrears_from``: the earliest month 补发 may cover
    (None or later than ``run_month``: no 补发)."""
    _check_run_month(run_month, today)
    months = [run_month]
    if arrears_from is not None and month_start(arrears_from) < run_month:
        months = months_between(month_start(arrears_from), run_month)
    by_household: dict[tuple[int, str], list[Award]] = defaultdict(list)
    for award in awards:
        by_household[(award.household_id, award.scheme)].append(award)
    rows: dict[tuple[int, str, date], list[LedgerEntry]] = defaultdict(list)
    for entry in ledger:
        rows[(entry.household_id, entry.scheme, month_start(entry.month))].append(entry)

    payments: list[PlannedPayment] = []
    refused: list[Refusal] = []
    deferred: list[Refusal] = []
    overpaid: list[Overpaid] = []
    skipped = 0
    for (household, scheme), cases in sorted(by_household.items()):
        for month in months:
            owed = [(award, force) for award in cases if (force := amount_in_force(award, month)) is not None]
            entries = rows.get((household, scheme, month), [])
            if not owed:
                continue
            paying_cases = {e.case_id for e in entries}
            # Exactly once per household, month and scheme: one case pays, the others are refused.
            owed.sort(key=lambda pair: (pair[0].case_id not in paying_cases, _first_decided(pair[0]), pair[0].case_id))
            award, force = owed[0]
            for other, _ in owed[1:]:
                refused.append(
                    Refusal(
                        other.case_id,
                        household,
                        scheme,
                        month,
                        f"该户 {month:%Y-%m} 的{scheme}已由案件 {award.case_id} 计发，"
                        f"案件 {other.case_id} 不再计发（同一户同一救助类别每月只发一次，请核实后注销重复案件）",
                    )
                )
            alien = sorted({e.case_id for e in entries} - {award.case_id})
            if alien:
                refused.append(
                    Refusal(
                        award.case_id,
                        household,
                        scheme,
                        month,
                        f"该户 {month:%Y-%m} 的{scheme}已有案件 {'、'.join(map(str, alien))} 的发放记录，"
                        f"案件 {award.case_id} 不再计发",
                    )
                )
                continue
            held = sum((e.amount for e in entries), Decimal(0))  # failed rows included: not re-issued here
            due = round_money(force.amount - held)
            if month == run_month and entries and due <= 0:
                skipped += 1
            if due < 0:
                overpaid.append(Overpaid(household, scheme, month, force.amount, held))
                continue
            if due == 0:
                continue
            kind = PayKind.MONTHLY if month == run_month and not entries else PayKind.ARREARS
            if any(e.kind is kind and e.run_month == run_month for e in entries):
                deferred.append(
                    Refusal(
                        award.case_id,
                        household,
                        scheme,
                        month,
                        f"{month:%Y-%m} 尚差 {format_yuan(due)}，本月已补发过一次，留待下月补发",
                    )
                )
                continue
            payments.append(
                PlannedPayment(
                    award.case_id, household, scheme, month, run_month, kind, due, force.decision_id, force.tapering
                )
            )
    return RunPlan(run_month, tuple(payments), skipped, tuple(refused), tuple(overpaid), tuple(deferred))


def ledger_by_month(entries: Sequence[LedgerEntry], household_id: int, scheme: str) -> dict[date, Decimal]:
    """What the ledger holds for a household and scheme, per month the money is for (failed excluded)."""
    out: dict[date, Decimal] = defaultdict(Decimal)
    for entry in entries:
        if entry.household_id == household_id and entry.scheme == scheme and not entry.failed:
            out[month_start(entry.month)] += entry.amount
    return dict(out)
