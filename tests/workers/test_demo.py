"""The demo county (`jiuzhu demo`, `jiuzhu up --demo`): 2 townships, staff of every role, 200 households
whose registry data pass and fail the check, and seeded-history cases in every state, each run through
the real processes: its instance is in the engine state the seed leaves in the data directory."""

import re
import time
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from jiuzhu.demo import (
    HISTORY_ACTION,
    HOUSEHOLDS,
    INCOME_TOO_HIGH,
    MEETS,
    PROPERTY,
    STATES,
    UNVERIFIED,
    DemoCounty,
    seed,
)
from jiuzhu.engine.records import Instance
from jiuzhu.engine.store.repository import Store, database_url, open_database
from jiuzhu.policy import parse_id_number
from jiuzhu.tasklist.credentials import verify_password
from schemas.db import make_engine
from schemas.enums import (
    CaseStatus,
    CheckOutcome,
    NoticeKind,
    PaymentKind,
    PaymentStatus,
    StaffRole,
    VillageKind,
)
from schemas.tables import (
    AuditEntry,
    Case,
    Decision,
    EconomicCheck,
    Household,
    Member,
    Payment,
    PublicityNotice,
    Staff,
    Township,
    Village,
    WrittenNotice,
)
from tests.workers.harness import START
from workers.verification import CheckRequest, FakeProvincialPlatform

pytestmark = pytest.mark.workers

# 核对中 lasts while the platform works on a check; the demo's platform answers at once, so no case
# of a real process rests there (the handler replay used to write the status by hand).
EVERY_STATUS = {
    CaseStatus.ACCEPTED,
    CaseStatus.VISITING,
    CaseStatus.AWAITING_APPROVAL,
    CaseStatus.IN_PUBLICITY,
    CaseStatus.APPROVED,
    CaseStatus.REJECTED,
    CaseStatus.RELIEVED_FIRST,
    CaseStatus.TERMINATED,
    CaseStatus.CLOSED,
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, DemoCounty, float, DemoCounty]:
    base = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{base / 'demo.db'}"
    started = time.perf_counter()
    first = seed(url, START, data_dir=base / "data", password="another-pass-1")
    seconds = time.perf_counter() - started
    second = seed(url, START, data_dir=base / "data", password="another-pass-1")
    return url, base / "data", first, seconds, second


def counts(session: Session) -> list[int]:
    return [
        session.exec(select(func.count()).select_from(m)).one()
        for m in (Township, Village, Staff, Household, Member, Case, Payment, WrittenNotice, AuditEntry)
    ]


def test_seeding_is_idempotent_and_the_county_is_complete(
    demo: tuple[str, Path, DemoCounty, float, DemoCounty],
) -> None:
    # Seeding time is a figure for a benchmark, not an assertion (the machine may be loaded).
    url, data_dir, first, _seconds, second = demo
    db = make_engine(url)
    with Session(db) as session:
        before = counts(session)
        seed(url, START, data_dir=data_dir, password="another-pass-1")
        assert counts(session) == before  # a third run adds nothing either
        assert before[:5] == [2, 18, 15, 200, len({m.id_number for h in HOUSEHOLDS for m in h.members})]
        assert {s.role for s in session.exec(select(Staff))} == set(StaffRole)
        for township in session.exec(select(Township)):
            roles = Counter(s.role for s in session.exec(select(Staff).where(Staff.township_id == township.id)))
            assert roles[StaffRole.CASEWORKER] >= 2 and roles[StaffRole.LEADER] == 1
            assert roles[StaffRole.VILLAGE_ASSISTANT] == 3  # one per administrative village or community
        kinds = Counter(v.kind for v in session.exec(select(Village)))
        assert kinds[VillageKind.NATURAL] >= 4 and kinds[VillageKind.GROUP] >= 6 and kinds[VillageKind.COMMUNITY] == 2
        members = list(session.exec(select(Member)))
        for member in members:
            assert parse_id_number(member.id_number, today=START.date()).number == member.id_number
        assert all(h.village_id is not None for h in session.exec(select(Household)))
    assert first.staff == second.staff and first.households == second.households
    assert {k: sorted(v) for k, v in first.history.items()} == {k: sorted(v) for k, v in second.history.items()}
    assert verify_password(db, "taozhou.lingdao", "another-pass-1")
    assert not verify_password(db, "taozhou.lingdao", "wrong-password")
    text = second.sign_in_text()
    assert "county.minzheng" in text and "another-pass-1" in text and "分管领导" in text and "演示历史案件" in text
    db.dispose()


def test_registry_data_pass_and_fail_the_check_as_planned(
    demo: tuple[str, Path, DemoCounty, float, DemoCounty],
) -> None:
    _, data_dir, _, _, _ = demo
    platform = FakeProvincialPlatform(data_dir / "provincial-registry.json")
    outcomes: Counter[tuple[str, CheckOutcome]] = Counter()
    incomes = []
    for household in HOUSEHOLDS:
        report = platform.check(
            CheckRequest(
                reference=household.key,
                case_id=0,
                member_id_numbers=tuple(m.id_number for m in household.members),
                area=household.area.value,
                standard=Decimal(780 if household.area.value == "urban" else 755),
                on=START.date(),
            )
        )
        outcomes[household.expected, report.outcome] += 1
        incomes.append(report.per_capita_income or Decimal(0))
        if household.expected == INCOME_TOO_HIGH:
            assert any(
                re.search(r"核对显示家庭月人均收入 ¥[\d,.]+，高于当地低保标准 ¥7[58][05]", f.finding)
                for f in report.findings
            )
    assert set(outcomes) == {
        (MEETS, CheckOutcome.MEETS),
        (INCOME_TOO_HIGH, CheckOutcome.FAILS),
        (PROPERTY, CheckOutcome.FAILS),
        (UNVERIFIED, CheckOutcome.NEEDS_VERIFICATION),
    }
    passing = sum(n for (_, outcome), n in outcomes.items() if outcome is CheckOutcome.MEETS)
    assert 90 <= passing <= 150 and outcomes[INCOME_TOO_HIGH, CheckOutcome.FAILS] >= 20
    assert outcomes[PROPERTY, CheckOutcome.FAILS] >= 15 and outcomes[UNVERIFIED, CheckOutcome.NEEDS_VERIFICATION] >= 3
    assert len(set(incomes)) > 100  # incomes vary household by household
    phones = [m.phone for h in HOUSEHOLDS for m in h.members if m.phone]
    assert len(phones) >= 200 and all(re.fullmatch(r"1[3-9]\d{9}", p) for p in phones)


def test_seeded_history_has_cases_in_every_state(demo: tuple[str, Path, DemoCounty, float, DemoCounty]) -> None:
    url, data_dir, county, _, _ = demo
    assert set(county.history) == set(STATES)
    db = make_engine(url)
    with Session(db) as session:
        cases = {c.id: c for c in session.exec(select(Case))}
        assert {c.status for c in cases.values()} >= EVERY_STATUS
        marks = session.exec(select(AuditEntry).where(AuditEntry.action == HISTORY_ACTION)).all()
        assert sorted(e.case_id for e in marks) == sorted(cases)  # every seeded case says it is seeded history
        store = Store(open_database(database_url(data_dir, None)))  # what an engine on data_dir serves
        table = store.instance_table()
        for case in cases.values():
            assert case.process_instance_key is not None, case.case_number
            [instance] = store.load(Instance, table.c.key == case.process_instance_key)
            process = "temporary-assistance" if case.emergency_cause else "assistance-application"
            assert instance.bpmn_process_id == process, case.case_number
            ended = case.status is CaseStatus.CLOSED or case.closed_at is not None
            assert instance.state == ("COMPLETED" if ended else "ACTIVE"), (case.case_number, case.status)

        def of(state: str) -> list[Case]:
            return [cases[i] for i in county.history[state]]

        expected = {
            "accepted": CaseStatus.ACCEPTED,
            "visiting": CaseStatus.VISITING,
            "awaiting_approval": CaseStatus.AWAITING_APPROVAL,
            "in_publicity": CaseStatus.IN_PUBLICITY,
            "paying": CaseStatus.APPROVED,
            "check_failed": CaseStatus.REJECTED,
            "emergency_paid": CaseStatus.RELIEVED_FIRST,
            "emergency_closed": CaseStatus.CLOSED,
            "dynamic": CaseStatus.APPROVED,
            "stopped": CaseStatus.TERMINATED,
        }
        for state, status in expected.items():
            assert {c.status for c in of(state)} == {status}, state
        for case in of("check_failed"):
            [notice] = session.exec(select(WrittenNotice).where(WrittenNotice.case_id == case.id)).all()
            assert notice.kind is NoticeKind.REJECTION and "六十日内" in notice.redress and notice.facts
            [check] = session.exec(select(EconomicCheck).where(EconomicCheck.case_id == case.id)).all()
            assert check.outcome is CheckOutcome.FAILS
        failed_facts = [
            n.facts for n in session.exec(select(WrittenNotice).where(WrittenNotice.kind == NoticeKind.REJECTION))
        ]
        assert any("高于当地低保标准" in facts for facts in failed_facts)
        today = START.date()
        for case in of("in_publicity"):
            notices = session.exec(select(PublicityNotice).where(PublicityNotice.township_id == case.township_id)).all()
            assert any(n.period_start <= today <= n.period_end for n in notices)
        for case in of("paying") + of("dynamic"):
            payments = session.exec(select(Payment).where(Payment.case_id == case.id)).all()
            assert payments and all(p.kind is PaymentKind.MONTHLY for p in payments)
            assert len({p.month for p in payments}) == len(payments)
            paid = [p for p in payments if p.status is PaymentStatus.PAID]
            assert all(p.paid_at is not None and p.paid_at <= START for p in paid)
        assert sum(1 for c in of("paying") for p in session.exec(select(Payment).where(Payment.case_id == c.id))) > 60
        adjusted = 0
        for case in of("dynamic") + of("stopped"):
            rechecks = session.exec(
                select(AuditEntry).where(AuditEntry.case_id == case.id, AuditEntry.action == "dynamic.record-recheck")
            ).all()
            assert len(rechecks) == 1
            decisions = session.exec(select(Decision).where(Decision.case_id == case.id)).all()
            assert len(decisions) == (1 if rechecks[0].details["outcome"] == "维持" else 2)
            adjusted += rechecks[0].details["outcome"] == "调整"
            assert all(d.reasons.startswith("复核") for d in decisions[1:])
        assert adjusted >= 2
        for case in of("stopped"):
            assert case.closed_at is not None
            last = max(p.month for p in session.exec(select(Payment).where(Payment.case_id == case.id)))
            stop = session.exec(select(Decision).where(Decision.case_id == case.id).order_by(col(Decision.id))).all()[
                -1
            ]
            assert stop.effective_month is not None and last < stop.effective_month
        for case in of("emergency_paid") + of("emergency_closed"):
            [payment] = session.exec(select(Payment).where(Payment.case_id == case.id)).all()
            assert payment.kind is PaymentKind.EMERGENCY and payment.paid_at is not None
            assert payment.paid_at - case.accepted_at <= case.relief_due_at - case.accepted_at  # type: ignore[operator]
        dates = [c.accepted_at.date() for c in cases.values()]
        assert min(dates) < date(2025, 6, 1) and max(dates) <= START.date()
    db.dispose()


def test_published_history_shows_no_personal_data(demo: tuple[str, Path, DemoCounty, float, DemoCounty]) -> None:
    _, data_dir, _, _, _ = demo
    pages = sorted((data_dir / "publicity").glob("*.html"))
    assert len(pages) >= 35
    html = "\n".join(page.read_text("utf-8") for page in pages)
    for household in HOUSEHOLDS:
        for member in household.members:
            assert member.id_number not in html and member.name not in html
            assert member.phone is None or member.phone not in html
    assert re.search(r"<td>[\u4e00-\u9fff]\*{1,2}[\u4e00-\u9fff]?</td><td>\d人</td>", html)
