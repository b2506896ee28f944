"""`jiuzhu payments run` on a real SQLite case record (issue 18): each month's rows as the rules give
them, a rerun creating nothing, a late decision paid as 补发, a second case of the same household and
scheme refused — by the command line an operator uses, with its --json summary."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from jiuzhu.cli import main
from schemas.enums import (
    PaymentKind,
    PaymentStatus,
    Programme,
)
from schemas.tables import (
    AuditEntry,
    Payment,
    PaymentRun,
)
from tests.payments.conftest import County, D, cli, ledger

pytestmark = pytest.mark.component


def test_monthly_runs_write_the_amounts_in_force_and_a_rerun_writes_nothing(
    county: County, capsys: pytest.CaptureFixture[str]
) -> None:
    january = cli(county, capsys, "run", "--month", "2027-01")
    assert (january["created"], january["skipped"]) == (4, 0)
    # Household 甲 is in two 低保 cases: case a (decided first) is paid, a2 is refused with the reason.
    assert [(r["caseId"], r["month"]) for r in january["refused"]] == [(county.ids["a2"], "2027-01")]
    assert "同一户同一救助类别每月只发一次" in january["refused"][0]["reason"]
    again = cli(county, capsys, "run", "--month", "2027-01")
    assert (again["created"], again["skipped"]) == (0, 4)

    cli(county, capsys, "run", "--month", "2027-02", now="2027-02-05T09:00+08:00")
    cli(county, capsys, "run", "--month", "2027-03", now="2027-03-05T09:00+08:00")
    april = cli(county, capsys, "run", "--month", "2027-04", now="2027-04-05T09:00+08:00")
    assert april["created"] == 2  # a and d; b stopped in March, c's taper ended in March
    assert ledger(county) == [
        ("a", "2027-01", "按月发放", "1440.00", "2027-01"),
        ("b", "2027-01", "按月发放", "800.00", "2027-01"),
        ("c", "2027-01", "按月发放", "1200.00", "2027-01"),
        ("d", "2027-01", "按月发放", "655.00", "2027-01"),
        ("a", "2027-02", "按月发放", "1440.00", "2027-02"),
        ("b", "2027-02", "按月发放", "800.00", "2027-02"),
        ("c", "2027-02", "按月发放", "1200.00", "2027-02"),
        ("d", "2027-02", "按月发放", "700.00", "2027-02"),
        ("a", "2027-03", "按月发放", "1440.00", "2027-03"),
        ("c", "2027-03", "按月发放", "1200.00", "2027-03"),
        ("d", "2027-03", "按月发放", "700.00", "2027-03"),
        ("a", "2027-04", "按月发放", "1440.00", "2027-04"),
        ("d", "2027-04", "按月发放", "700.00", "2027-04"),
    ]
    with county.session() as session:
        runs = session.exec(select(PaymentRun).order_by(col(PaymentRun.month))).all()
        assert [(f"{r.month:%Y-%m}", r.times_run, r.created) for r in runs] == [
            ("2027-01", 2, 0),
            ("2027-02", 1, 4),
            ("2027-03", 1, 3),
            ("2027-04", 1, 2),
        ]
        assert all(p.status is PaymentStatus.SCHEDULED for p in session.exec(select(Payment)))
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "payments.refused-duplicate")).all()
        assert {a.case_id for a in audit} == {county.ids["a2"]}


def test_a_decision_recorded_after_its_month_ran_is_paid_as_arrears_in_the_next_run(
    county: County, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(county, capsys, "run", "--month", "2027-01")
    cli(county, capsys, "run", "--month", "2027-02", now="2027-02-05T09:00+08:00")
    # Decided on 28 January (from February) but entered on 8 February, after the February run:
    county.decide("a", "2027-01-28T10:00", "2027-02", "1600")
    march = cli(county, capsys, "run", "--month", "2027-03", now="2027-03-05T09:00+08:00")
    assert march["arrears"] == 1 and march["arrearsFrom"] == "2027-01"
    assert [row for row in ledger(county) if row[0] == "a" and row[4] == "2027-03"] == [
        ("a", "2027-02", "补发", "160.00", "2027-03"),
        ("a", "2027-03", "按月发放", "1600.00", "2027-03"),
    ]
    assert cli(county, capsys, "run", "--month", "2027-03", now="2027-03-06T09:00+08:00")["created"] == 0


def test_the_database_refuses_a_second_case_of_the_household_and_scheme_in_a_month(county: County) -> None:
    """Whatever a writer forgets to check, the ledger holds one row per household, scheme and month."""
    for name, key in (("a", "first"), ("a2", "second")):
        with county.session() as session:
            session.add(
                Payment(
                    case_id=county.ids[name],
                    household_id=county.households["甲"],
                    month=date(2027, 5, 1),
                    kind=PaymentKind.MONTHLY,
                    amount=D("900"),
                    status=PaymentStatus.SCHEDULED,
                    idempotency_key=key,
                )
            )
            if name == "a":
                session.commit()
                continue
            with pytest.raises(IntegrityError):
                session.commit()
    with county.session() as session:
        stored = session.exec(select(Payment)).one()  # scheme and run month filled from the case
        assert (stored.scheme, stored.run_month) == (Programme.DIBAO, date(2027, 5, 1))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--month", "2027-13"], "月份须写成 YYYY-MM"),
        (["run", "--month", "2027-06"], "不能提前计算 2027-06"),
        (["export", "--month", "2027-01", "--bank", "花旗", "--out", "x.csv"], "没有银行“花旗”"),
    ],
)
def test_mistakes_are_said_in_chinese(
    county: County, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code = main(["payments", *argv, "--data-dir", str(county.data_dir), "--now", "2027-01-05T09:00+08:00"])
    assert code == 2 and message in capsys.readouterr().err
