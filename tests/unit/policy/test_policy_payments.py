"""The month's payment computation (issue 18): a year of runs with approvals, a stop, an adjustment,
a taper and a late decision with 补发 — the ledger equals the amounts the rules give, month by month,
per household; a rerun pays nothing twice; two cases of one household in one scheme are refused."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import pytest

from jiuzhu.policy import CST
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.payments import (
    Award,
    AwardDecision,
    LedgerEntry,
    PayKind,
    PlannedPayment,
    amount_in_force,
    ledger_by_month,
    months_between,
    parse_month,
    plan_month,
)

pytestmark = pytest.mark.unit

D = Decimal


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def m(text: str) -> date:
    return parse_month(text)


# (case, household, scheme, decision id, decided at, effective month, amount, taper until)
DECISIONS: list[tuple[int, int, str, int, str, str, str | None, str | None]] = [
    # household 1: approved in January, paid from February; adjusted down from July.
    (1, 1, "低保", 11, "2027-01-10T10:00", "2027-02", "1440", None),
    (1, 1, "低保", 12, "2027-06-03T10:00", "2027-07", "960", None),
    # household 2: approved in December 2026, stopped from May.
    (2, 2, "低保", 21, "2026-12-20T10:00", "2027-01", "800", None),
    (2, 2, "低保", 22, "2027-04-15T10:00", "2027-05", None, None),
    # household 3: 特困, tapered from April to June (then nothing).
    (3, 3, "特困", 31, "2026-11-02T10:00", "2026-12", "1200", None),
    (3, 3, "特困", 32, "2027-03-10T10:00", "2027-04", "1200", "2027-06"),
    # household 4: decided on 27 February (from March) but recorded only on 8 March, after the
    # March run — March is paid as 补发 in the April run.
    (4, 4, "低保", 41, "2027-02-27T10:00", "2027-03", "655", None),
    # household 5: a raise effective June recorded on 9 June (after the June run): 补发 of the difference.
    (5, 5, "低保", 51, "2026-12-01T10:00", "2027-01", "500", None),
    (5, 5, "低保", 52, "2027-05-31T10:00", "2027-06", "700", None),
]
# When each decision reached the record (the run only sees what was recorded before it).
RECORDED = {41: "2027-03-08T09:00", 52: "2027-06-09T09:00"}

# The amounts the rules give, per household and month of 2027 (0: nothing owed).
EXPECTED: dict[int, list[str]] = {
    #    Jan    Feb    Mar    Apr    May    Jun    Jul   Aug   Sep   Oct   Nov   Dec
    1: ["0", "1440", "1440", "1440", "1440", "1440", "960", "960", "960", "960", "960", "960"],
    2: ["800", "800", "800", "800", "0", "0", "0", "0", "0", "0", "0", "0"],
    3: ["1200", "1200", "1200", "1200", "1200", "1200", "0", "0", "0", "0", "0", "0"],
    4: ["0", "0", "655", "655", "655", "655", "655", "655", "655", "655", "655", "655"],
    5: ["500", "500", "500", "500", "500", "700", "700", "700", "700", "700", "700", "700"],
}
YEAR = months_between(date(2027, 1, 1), date(2027, 12, 1))
RUN_DAY = 5  # each month's run on the 5th, China time


def awards_known_on(moment: datetime) -> list[Award]:
    by_case: dict[int, tuple[int, str, list[AwardDecision]]] = {}
    for case, household, scheme, decision, decided, effective, amount, taper in DECISIONS:
        recorded = at(RECORDED.get(decision, decided))
        if recorded > moment:
            continue
        entry = by_case.setdefault(case, (household, scheme, []))
        entry[2].append(
            AwardDecision(
                decision,
                at(decided),
                m(effective),
                D(amount) if amount is not None else None,
                m(taper) if taper else None,
            )
        )
    return [Award(case, h, s, tuple(ds)) for case, (h, s, ds) in by_case.items()]


def to_ledger(planned: Sequence[PlannedPayment]) -> list[LedgerEntry]:
    return [LedgerEntry(p.case_id, p.household_id, p.scheme, p.month, p.kind, p.amount, p.run_month) for p in planned]


def run_year() -> tuple[list[LedgerEntry], dict[date, int]]:
    ledger: list[LedgerEntry] = []
    created: dict[date, int] = {}
    for month in YEAR:
        moment = datetime(month.year, month.month, RUN_DAY, 9, 0, tzinfo=CST)
        plan = plan_month(month, awards_known_on(moment), ledger, today=moment.date(), arrears_from=YEAR[0])
        assert not plan.refused and not plan.overpaid
        ledger += to_ledger(plan.payments)
        created[month] = len(plan.payments)
        again = plan_month(month, awards_known_on(moment), ledger, today=moment.date(), arrears_from=YEAR[0])
        assert again.payments == ()  # a rerun pays nothing twice
        assert again.skipped == sum(1 for a in awards_known_on(moment) if amount_in_force(a, month))
    return ledger, created


@pytest.mark.parametrize("household", sorted(EXPECTED))
def test_a_year_of_runs_pays_the_amounts_the_rules_give_month_by_month(household: int) -> None:
    ledger, _ = run_year()
    scheme = "特困" if household == 3 else "低保"
    paid = ledger_by_month(ledger, household, scheme)
    got = [paid.get(month, D(0)) for month in YEAR]
    assert got == [D(x) for x in EXPECTED[household]]


def test_late_decision_and_late_raise_are_paid_as_arrears_in_the_next_run() -> None:
    ledger, created = run_year()
    arrears = [(e.household_id, e.month, e.amount, e.run_month) for e in ledger if e.kind is PayKind.ARREARS]
    assert arrears == [
        (4, m("2027-03"), D("655"), m("2027-04")),  # March owed, recorded after the March run
        (5, m("2027-06"), D("200"), m("2027-07")),  # the June raise, recorded after the June run
    ]
    # January: households 2, 3, 5; February adds 1; April: 1-5 monthly + 4's 补发.
    assert created[m("2027-01")] == 3 and created[m("2027-02")] == 4 and created[m("2027-04")] == 6


@pytest.mark.parametrize(
    ("month", "amount", "tapering"),
    [
        ("2026-11", None, False),  # before the first effective month
        ("2026-12", "1200", False),
        ("2027-03", "1200", False),
        ("2027-04", "1200", True),  # 渐退 from April …
        ("2027-06", "1200", True),  # … to June inclusive
        ("2027-07", None, False),  # then nothing
    ],
)
def test_amount_in_force_follows_the_taper(month: str, amount: str | None, tapering: bool) -> None:
    award = next(a for a in awards_known_on(at("2028-01-01T00:00")) if a.case_id == 3)
    force = amount_in_force(award, m(month))
    assert (force.amount if force else None) == (D(amount) if amount else None)
    assert (force.tapering if force else False) is tapering


def test_a_later_decision_with_an_earlier_effective_month_governs_from_that_month() -> None:
    award = Award(
        9,
        9,
        "低保",
        (
            AwardDecision(1, at("2027-01-10T10:00"), m("2027-02"), D("900")),
            AwardDecision(2, at("2027-05-01T10:00"), m("2027-03"), D("1000")),  # a correction
        ),
    )
    assert [amount_in_force(award, m(x)).amount for x in ("2027-02", "2027-03", "2027-06")] == [  # type: ignore[union-attr]
        D("900"),
        D("1000"),
        D("1000"),
    ]


def test_a_household_in_two_cases_of_one_scheme_is_paid_once_and_the_other_case_refused() -> None:
    first = Award(1, 7, "低保", (AwardDecision(1, at("2027-01-10T10:00"), m("2027-02"), D("900")),))
    second = Award(2, 7, "低保", (AwardDecision(2, at("2027-01-20T10:00"), m("2027-02"), D("950")),))
    plan = plan_month(m("2027-02"), [second, first], [], today=date(2027, 2, 5))
    assert [(p.case_id, p.amount) for p in plan.payments] == [(1, D("900"))]
    assert [(r.case_id, r.month) for r in plan.refused] == [(2, m("2027-02"))]
    assert "案件 1 计发" in plan.refused[0].reason and "每月只发一次" in plan.refused[0].reason
    # Another scheme of the same household is a different payment (不重 across schemes is flagged elsewhere).
    tekun = Award(3, 7, "特困", (AwardDecision(3, at("2027-01-10T10:00"), m("2027-02"), D("1200")),))
    plan = plan_month(m("2027-02"), [first, tekun], [], today=date(2027, 2, 5))
    assert sorted(p.scheme for p in plan.payments) == sorted(["低保", "特困"])


def test_a_case_paid_already_keeps_the_month_even_if_the_other_was_decided_first() -> None:
    first = Award(1, 7, "低保", (AwardDecision(1, at("2027-01-10T10:00"), m("2027-02"), D("900")),))
    second = Award(2, 7, "低保", (AwardDecision(2, at("2027-01-20T10:00"), m("2027-02"), D("950")),))
    ledger = [LedgerEntry(2, 7, "低保", m("2027-02"), PayKind.MONTHLY, D("950"), m("2027-02"))]
    plan = plan_month(m("2027-02"), [first, second], ledger, today=date(2027, 2, 5))
    assert plan.payments == () and [r.case_id for r in plan.refused] == [1]


def test_failed_payment_is_not_reissued_and_a_cut_after_the_run_is_reported_not_clawed_back() -> None:
    award = Award(
        1,
        1,
        "低保",
        (
            AwardDecision(1, at("2027-01-10T10:00"), m("2027-02"), D("900")),
            AwardDecision(2, at("2027-02-20T10:00"), m("2027-02"), D("800")),  # recorded after the run
        ),
    )
    ledger = [LedgerEntry(1, 1, "低保", m("2027-02"), PayKind.MONTHLY, D("900"), m("2027-02"), failed=True)]
    plan = plan_month(m("2027-03"), [award], ledger, today=date(2027, 3, 5), arrears_from=m("2027-02"))
    assert [(p.month, p.kind, p.amount) for p in plan.payments] == [(m("2027-03"), PayKind.MONTHLY, D("800"))]
    assert [(o.month, o.owed, o.paid) for o in plan.overpaid] == [(m("2027-02"), D("800"), D("900"))]
    assert "不自动扣回" in plan.overpaid[0].reason


def test_no_arrears_before_the_ledger_began() -> None:
    award = Award(1, 1, "低保", (AwardDecision(1, at("2026-01-10T10:00"), m("2026-02"), D("900")),))
    plan = plan_month(m("2027-03"), [award], [], today=date(2027, 3, 5), arrears_from=m("2027-03"))
    assert [(p.month, p.kind) for p in plan.payments] == [(m("2027-03"), PayKind.MONTHLY)]


@pytest.mark.parametrize(
    ("month", "today", "code"),
    [("2027-05", date(2027, 3, 5), "future_month")],
)
def test_a_month_too_far_ahead_is_a_chinese_error(month: str, today: date, code: str) -> None:
    with pytest.raises(PolicyError) as err:
        plan_month(m(month), [], [], today=today)
    assert err.value.code == code and "不能提前计算 2027-05" in err.value.message


@pytest.mark.parametrize("text", ["2027-13", "2027/03", "27-03", "", "2027-3"])
def test_bad_month_text_is_refused(text: str) -> None:
    with pytest.raises(PolicyError, match="YYYY-MM"):
        parse_month(text)
