"""The case record on SQLite and PostgreSQL: one case end to end, and what the database refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlmodel import Session, select

from jiuzhu.policy import CST
from jiuzhu.policy.ids import compute_check_char
from schemas.enums import (
    Area,
    CasePath,
    CaseStatus,
    Channel,
    CheckOutcome,
    CheckSource,
    DecisionOutcome,
    DisabilityKind,
    MemberCategory,
    NoticeKind,
    PaymentKind,
    PaymentStatus,
    Programme,
    ReferralStatus,
    ReferralTarget,
    Relationship,
    SignatoryRole,
    StaffRole,
    VillageKind,
    WorkCapacity,
)
from schemas.tables import (
    AuditEntry,
    AuditLogAppendOnlyError,
    Case,
    Decision,
    DecisionAddon,
    EconomicCheck,
    EconomicCheckItem,
    HomeVisit,
    Household,
    Member,
    Payment,
    PublicityNotice,
    PublicityRow,
    Referral,
    Staff,
    Township,
    Village,
    VisitSignature,
    WrittenNotice,
)

pytestmark = pytest.mark.component

ACCEPTED = datetime(2026, 3, 2, 9, 30, tzinfo=CST)


def id_number(first17: str) -> str:
    return first17 + compute_check_char(first17)


def seed_case(session: Session) -> Case:
    """Township → village → household → members → staff → case, flushed and refreshed."""
    township = Township(code="341523100", name="城关镇", population=42000)
    session.add(township)
    session.flush()
    admin_village = Village(township_id=township.id, kind=VillageKind.ADMINISTRATIVE, name="东风村")
    session.add(admin_village)
    session.flush()
    group = Village(township_id=township.id, parent_id=admin_village.id, kind=VillageKind.GROUP, name="三组")
    session.add(group)
    session.flush()
    household = Household(township_id=township.id, village_id=group.id, address="城关镇东风村三组12号", area=Area.RURAL)
    session.add(household)
    session.flush()
    applicant = Member(
        household_id=household.id,
        name="张三",
        id_number=id_number("34152319560101001"),
        relationship=Relationship.SELF,
        work_capacity=WorkCapacity.NONE,
    )
    spouse = Member(
        household_id=household.id,
        name="李四",
        id_number=id_number("34152319580202002"),
        relationship=Relationship.SPOUSE,
        disability_kind=DisabilityKind.PHYSICAL,
        disability_grade=2,
        seriously_ill=True,
        work_capacity=WorkCapacity.NONE,
    )
    assistant = Staff(
        name="王协理", role=StaffRole.VILLAGE_ASSISTANT, township_id=township.id, village_id=admin_village.id
    )
    caseworker = Staff(name="赵经办", role=StaffRole.CASEWORKER, township_id=township.id, login="zhao")
    colleague = Staff(name="钱经办", role=StaffRole.CASEWORKER, township_id=township.id, login="qian")
    leader = Staff(name="孙领导", role=StaffRole.LEADER, township_id=township.id, login="sun")
    county = Staff(name="周督导", role=StaffRole.COUNTY_SUPERVISOR)
    session.add_all([applicant, spouse, assistant, caseworker, colleague, leader, county])
    session.flush()
    case = Case(
        case_number="CG-2026-0001",
        household_id=household.id,
        applicant_id=applicant.id,
        township_id=township.id,
        type=Programme.DIBAO,
        path=CasePath.REFORM,
        status=CaseStatus.ACCEPTED,
        process_instance_key=2251799813685249,
        channel=Channel.PROXY,
        proxy_assistant_id=assistant.id,
        accepted_by_id=caseworker.id,
        accepted_at=ACCEPTED,
        check_authorised_at=ACCEPTED,
        decision_due=date(2026, 3, 16),
        warn_at=datetime(2026, 3, 12, 0, 0, tzinfo=CST),
        breach_at=datetime(2026, 3, 17, 0, 0, tzinfo=CST),
    )
    session.add(case)
    session.flush()
    return case


def staff_id(session: Session, role: StaffRole, login: str | None = None) -> int:
    query = select(Staff).where(Staff.role == role)
    if login:
        query = query.where(Staff.login == login)
    found = session.exec(query).first()
    assert found is not None and found.id is not None
    return found.id


def test_a_case_from_acceptance_to_payment(db: Engine) -> None:
    with Session(db) as session:
        case = seed_case(session)
        assert case.id is not None
        members = session.exec(select(Member).where(Member.household_id == case.household_id)).all()
        spouse = next(m for m in members if m.relationship is Relationship.SPOUSE)

        check = EconomicCheck(
            case_id=case.id,
            requested_at=ACCEPTED,
            completed_at=ACCEPTED + timedelta(hours=2),
            outcome=CheckOutcome.MEETS,
            per_capita_income=Decimal("300.00"),
        )
        session.add(check)
        session.flush()
        session.add_all(
            [
                EconomicCheckItem(
                    check_id=check.id, source=source, outcome=CheckOutcome.MEETS, finding=f"{source}：无异常"
                )
                for source in CheckSource
            ]
        )
        visit = HomeVisit(
            case_id=case.id,
            scheduled_at=ACCEPTED + timedelta(days=1),
            due_at=ACCEPTED + timedelta(days=3),
            visited_at=ACCEPTED + timedelta(days=2),
            lead_visitor_id=staff_id(session, StaffRole.CASEWORKER, "zhao"),
            second_visitor_id=staff_id(session, StaffRole.CASEWORKER, "qian"),
            findings="住房简陋，无大额财产，夫妻均无劳动能力",
            passed=True,
        )
        session.add(visit)
        session.flush()
        session.add_all(
            [
                VisitSignature(
                    visit_id=visit.id,
                    role=SignatoryRole.VISITOR,
                    name="赵经办",
                    staff_id=visit.lead_visitor_id,
                    signed_at=visit.visited_at,
                ),
                VisitSignature(
                    visit_id=visit.id,
                    role=SignatoryRole.VISITOR,
                    name="钱经办",
                    staff_id=visit.second_visitor_id,
                    signed_at=visit.visited_at,
                ),
                VisitSignature(
                    visit_id=visit.id,
                    role=SignatoryRole.FAMILY,
                    name="张三",
                    member_id=case.applicant_id,
                    signed_at=visit.visited_at,
                ),
            ]
        )
        decision = Decision(
            case_id=case.id,
            outcome=DecisionOutcome.APPROVED,
            amount=Decimal("1440.00"),
            effective_month=date(2026, 4, 1),
            reasons="核对、入户调查均符合低保条件",
            approver_id=staff_id(session, StaffRole.LEADER),
            decided_at=datetime(2026, 3, 10, 16, 0, tzinfo=CST),
        )
        session.add(decision)
        session.flush()
        session.add(
            DecisionAddon(
                decision_id=decision.id,
                member_id=spouse.id,
                category=MemberCategory.SEVERELY_DISABLED,
                amount=Decimal("156.00"),
            )
        )
        notice = PublicityNotice(
            township_id=case.township_id,
            village_id=session.exec(select(Village).where(Village.kind == VillageKind.GROUP)).one().id,
            issuer="城关镇人民政府",
            period_start=date(2026, 3, 11),
            period_end=date(2026, 3, 17),
            published_at=datetime(2026, 3, 11, 9, 0, tzinfo=CST),
            complaint_phone="12349；0563-1234567",
        )
        session.add(notice)
        session.flush()
        session.add(
            PublicityRow(
                notice_id=notice.id,
                case_id=case.id,
                village_label="东风村三组",
                masked_name="张*",
                household_size=2,
                category="低保",
                monthly_amount=Decimal("1440.00"),
            )
        )
        session.add(
            WrittenNotice(
                number="城关镇救通〔2026〕1号",
                kind=NoticeKind.APPROVAL,
                case_id=case.id,
                issuing_body="城关镇人民政府",
                applicant_name="张三",
                application_date=date(2026, 3, 2),
                application_type=Programme.DIBAO,
                decision="批准享受农村最低生活保障，每月 ¥1,440，自2026年4月起发放",
                facts="家庭月人均收入 ¥300，低于当地低保标准 ¥655",
                legal_basis="《最低生活保障审核确认办法》第二十一条",
                redress="如不服本决定，可在收到之日起60日内申请行政复议，或6个月内提起行政诉讼",
                issued_at=datetime(2026, 3, 11, 10, 0, tzinfo=CST),
            )
        )
        session.add(
            Payment(
                case_id=case.id,
                household_id=case.household_id,
                decision_id=decision.id,
                month=date(2026, 4, 1),
                kind=PaymentKind.MONTHLY,
                amount=Decimal("1440.00"),
                status=PaymentStatus.PAID,
                idempotency_key=f"case-{case.id}-2026-04",
                paid_at=datetime(2026, 4, 5, 10, 0, tzinfo=CST),
            )
        )
        session.add(
            Referral(
                household_id=case.household_id,
                case_id=case.id,
                member_id=spouse.id,
                target=ReferralTarget.MEDICAL,
                reason="重病患者，转介医疗救助",
                status=ReferralStatus.OPEN,
            )
        )
        session.add(
            AuditEntry(
                actor="sun",
                role=StaffRole.LEADER.value,
                action="approval.record",
                case_id=case.id,
                process_instance_key=case.process_instance_key,
                element_id="Task_Approve",
                details={"amount": "1440.00", "outcome": DecisionOutcome.APPROVED.value},
            )
        )
        case.status = CaseStatus.APPROVED
        session.commit()

    with Session(db) as session:
        stored = session.exec(select(Case)).one()
        assert stored.status is CaseStatus.APPROVED
        assert stored.channel is Channel.PROXY
        assert stored.process_instance_key == 2251799813685249
        assert stored.accepted_at == ACCEPTED and stored.accepted_at.tzinfo is UTC
        assert len(session.exec(select(EconomicCheckItem)).all()) == len(CheckSource)
        assert session.exec(select(VisitSignature)).all()[2].role is SignatoryRole.FAMILY
        payment = session.exec(select(Payment)).one()
        assert payment.amount == Decimal("1440.00") and payment.month == date(2026, 4, 1)
        assert session.exec(select(DecisionAddon)).one().category is MemberCategory.SEVERELY_DISABLED
        entry = session.exec(select(AuditEntry)).one()
        assert entry.details == {"amount": "1440.00", "outcome": "批准"}
        assert entry.at.tzinfo is UTC
    with db.connect() as conn:
        # Member names, not Chinese values, are what the database holds.
        assert conn.exec_driver_sql("SELECT type, channel FROM cases").one() == ("DIBAO", "PROXY")


def payment(case: Case, key: str, amount: str = "1440.00") -> Payment:
    assert case.id is not None
    return Payment(
        case_id=case.id,
        household_id=case.household_id,
        month=date(2026, 4, 1),
        kind=PaymentKind.MONTHLY,
        amount=Decimal(amount),
        status=PaymentStatus.SCHEDULED,
        idempotency_key=key,
    )


def test_a_second_payment_for_the_same_household_month_and_case_is_refused(db: Engine) -> None:
    with Session(db) as session:
        case = seed_case(session)
        session.add(payment(case, "first"))
        session.commit()
        session.add(payment(case, "second-attempt-with-a-new-key"))
        with pytest.raises(IntegrityError, match=r"(?i)unique"):
            session.commit()
        session.rollback()
        session.add(payment(case, "first"))  # a retry that reuses its key is refused too
        with pytest.raises(IntegrityError, match=r"(?i)unique"):
            session.commit()
        session.rollback()
        assert len(session.exec(select(Payment)).all()) == 1


def test_a_different_month_is_a_new_payment(db: Engine) -> None:
    with Session(db) as session:
        case = seed_case(session)
        first, second = payment(case, "m4"), payment(case, "m5")
        second.month = date(2026, 5, 1)
        session.add_all([first, second])
        session.commit()
        assert len(session.exec(select(Payment)).all()) == 2


@pytest.mark.parametrize(
    "amount",
    ["0.01", "0.10", "0.30", "1440.00", "1440.07", "779.99", "12345678.91", "9999999999.99"],
)
def test_decimal_amounts_round_trip_exactly(db: Engine, amount: str) -> None:
    with Session(db) as session:
        case = seed_case(session)
        session.add(payment(case, "k", amount))
        session.commit()
    with Session(db) as session:
        stored = session.exec(select(Payment)).one().amount
    assert isinstance(stored, Decimal)
    assert stored == Decimal(amount)
    assert str(stored) == amount


def test_sum_of_amounts_is_exact(db: Engine) -> None:
    """0.1 + 0.2 stays 0.30: the addition happens on Decimals, not floats."""
    with Session(db) as session:
        case = seed_case(session)
        first, second = payment(case, "a", "0.10"), payment(case, "b", "0.20")
        second.month = date(2026, 5, 1)
        session.add_all([first, second])
        session.commit()
        total = sum((p.amount for p in session.exec(select(Payment)).all()), Decimal(0))
    assert total == Decimal("0.30")


def add_entry(db: Engine) -> int:
    with Session(db) as session:
        entry = AuditEntry(actor="zhao", role=StaffRole.CASEWORKER.value, action="case.accepted", details={"n": 1})
        session.add(entry)
        session.commit()
        assert entry.id is not None
        return entry.id


def test_audit_log_refuses_update_and_delete_through_the_orm(db: Engine) -> None:
    entry_id = add_entry(db)
    with Session(db) as session:
        entry = session.get(AuditEntry, entry_id)
        assert entry is not None
        entry.action = "something.else"
        with pytest.raises(AuditLogAppendOnlyError):
            session.commit()
        session.rollback()
        entry = session.get(AuditEntry, entry_id)
        session.delete(entry)
        with pytest.raises(AuditLogAppendOnlyError):
            session.commit()
        session.rollback()
        with pytest.raises(AuditLogAppendOnlyError):
            session.execute(update(AuditEntry).values(action="x"))
        with pytest.raises(AuditLogAppendOnlyError):
            session.execute(delete(AuditEntry))
    with Session(db) as session:
        assert session.exec(select(AuditEntry.action)).one() == "case.accepted"


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"])
def test_audit_log_refuses_raw_sql_in_the_database(db: Engine, statement: str) -> None:
    add_entry(db)
    with pytest.raises(DBAPIError, match="audit_log is append-only"), db.begin() as conn:
        conn.exec_driver_sql(statement)
    with db.connect() as conn:
        assert conn.exec_driver_sql("SELECT action FROM audit_log").scalar_one() == "case.accepted"


# SQLite has no TRUNCATE; PostgreSQL's skips row triggers, so it has its own statement trigger.
@pytest.mark.parametrize("empty_db_url", ["postgresql"], indirect=True)
def test_audit_log_refuses_truncate_on_postgresql(db: Engine) -> None:
    assert db.dialect.name == "postgresql"
    add_entry(db)
    with pytest.raises(DBAPIError, match="audit_log is append-only"), db.begin() as conn:
        conn.exec_driver_sql("TRUNCATE audit_log")


def test_database_constraints_hold(db: Engine) -> None:
    with Session(db) as session:
        case = seed_case(session)
        session.commit()
        household_id, township_id, case_id = case.household_id, case.township_id, case.id
        applicant_id = case.applicant_id

    def refused(row: object) -> None:
        with Session(db) as session:
            session.add(row)
            with pytest.raises(IntegrityError):
                session.commit()

    # 帮办代办 without the assistant who applied.
    refused(
        Case(
            case_number="CG-2026-0002",
            household_id=household_id,
            applicant_id=applicant_id,
            township_id=township_id,
            type=Programme.TEKUN,
            path=CasePath.NATIONAL,
            status=CaseStatus.ACCEPTED,
            channel=Channel.PROXY,
            accepted_at=ACCEPTED,
        )
    )
    # A visit recorded with one visitor.
    refused(
        HomeVisit(
            case_id=case_id,
            scheduled_at=ACCEPTED,
            due_at=ACCEPTED,
            visited_at=ACCEPTED,
            lead_visitor_id=None,
            second_visitor_id=None,
            passed=True,
        )
    )
    # An approval without an amount.
    with Session(db) as session:
        leader = staff_id(session, StaffRole.LEADER)
    refused(
        Decision(
            case_id=case_id, outcome=DecisionOutcome.APPROVED, reasons="x", approver_id=leader, decided_at=ACCEPTED
        )
    )
    # The same person in two households (不重).
    refused(
        Member(
            household_id=household_id,
            name="张三",
            id_number=id_number("34152319560101001"),
            relationship=Relationship.OTHER,
            work_capacity=WorkCapacity.ABLE,
        )
    )
    # A township caseworker without a township.
    refused(Staff(name="无名", role=StaffRole.CASEWORKER))
    # A case for a household that does not exist (foreign keys are on, SQLite included).
    refused(
        Case(
            case_number="CG-2026-0003",
            household_id=9999,
            applicant_id=applicant_id,
            township_id=township_id,
            type=Programme.DIBAO,
            path=CasePath.REFORM,
            status=CaseStatus.ACCEPTED,
            channel=Channel.ONE_WINDOW,
            accepted_at=ACCEPTED,
        )
    )


def test_naive_timestamps_are_refused_before_they_reach_the_database(db: Engine) -> None:
    with Session(db) as session:
        case = seed_case(session)
        case.closed_at = datetime(2026, 3, 20, 10, 0)
        with pytest.raises(StatementError, match="naive datetime"):
            session.commit()
