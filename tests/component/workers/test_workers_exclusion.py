"""不重 across schemes on SQLite and PostgreSQL: approving or scheduling 低保 for a household whose member
already receives 特困 (a legacy record entered outside the processes) is flagged in the audit log and in
the job's audit row — neither contract has an error code or an output field for it, so the job completes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.policy.masking import mask_id_number
from schemas.enums import CaseStatus, PaymentKind, PaymentStatus, Programme
from schemas.tables import Case, Member, Payment
from tests.workers.harness import START, World, accept_vars, approval_vars
from workers.exclusion import FLAG_ACTION

pytestmark = [pytest.mark.component, pytest.mark.workers]

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def legacy_case(
    world: World, accepted: dict[str, Any], programme: Programme, status: CaseStatus, paid: list[date]
) -> tuple[int, str]:
    """A case of the same household entered outside the processes (e.g. the county's legacy ledger)."""
    with world.session() as session, session.begin():
        new = session.get(Case, accepted["caseId"])
        assert new is not None
        case = Case(
            case_number=f"LEGACY-{programme.name[:9]}-{status.name[:4]}",
            household_id=new.household_id,
            applicant_id=new.applicant_id,
            township_id=new.township_id,
            type=programme,
            path=new.path,
            status=status,
            channel=new.channel,
            proxy_assistant_id=new.proxy_assistant_id,
            accepted_at=START - timedelta(days=400),
        )
        session.add(case)
        session.flush()
        assert case.id is not None
        for month in paid:
            session.add(
                Payment(
                    case_id=case.id,
                    household_id=accepted["householdId"],
                    month=month,
                    kind=PaymentKind.MONTHLY,
                    amount=Decimal("900"),
                    status=PaymentStatus.PAID,
                    idempotency_key=f"legacy-{case.id}-{month:%Y-%m}",
                )
            )
        return case.id, case.case_number


def approve(world: World, accepted: dict[str, Any]) -> dict[str, Any]:
    return world.ok("approval.record", approval_vars(world, accepted["caseId"], 1516))


def schedule(world: World, accepted: dict[str, Any], decision: dict[str, Any]) -> dict[str, Any]:
    return world.ok(
        "payment.schedule",
        {
            "caseId": accepted["caseId"],
            "householdId": accepted["householdId"],
            "decisionId": decision["decisionId"],
            "monthlyAmount": 1516,
            "effectiveMonth": decision["effectiveMonth"],
        },
    )


def test_a_member_receiving_tekun_is_flagged_when_dibao_is_approved_and_scheduled(world: World) -> None:
    accepted = world.ok("application.accept", accept_vars(world.county, "zhang"))
    tekun_id, tekun_number = legacy_case(world, accepted, Programme.TEKUN, CaseStatus.APPROVED, [MARCH])
    decision = approve(world, accepted)
    assert decision["approved"] is True and decision["effectiveMonth"] == "2026-04-01"  # flagged, not refused
    [flag] = world.audit(FLAG_ACTION)
    assert flag.case_id == accepted["caseId"] and flag.actor == "worker:approval.record"
    assert flag.details["scheme"] == "低保" and flag.details["fromMonth"] == "2026-04-01"
    [clash] = flag.details["cases"]
    assert clash["caseId"] == tekun_id and clash["caseNumber"] == tekun_number and clash["scheme"] == "特困"
    with world.session() as session:
        applicant = session.get(Member, accepted["applicantId"])
        assert applicant is not None
    assert accepted["applicantId"] in clash["memberIds"]
    assert applicant.id_number not in str(flag.details)  # masked; memberIds say who it is
    assert clash["idNumbers"][0] == mask_id_number(applicant.id_number)
    [job_row] = world.audit("approval.record")
    assert job_row.details["duplicateRecipient"]["cases"] == flag.details["cases"]
    assert "output" in job_row.details and "error" not in job_row.details

    payment = schedule(world, accepted, decision)
    assert payment["firstMonth"] == "2026-04-01"
    flags = world.audit(FLAG_ACTION)
    assert [f.actor for f in flags] == ["worker:approval.record", "worker:payment.schedule"]
    assert world.audit("payment.schedule")[0].details["duplicateRecipient"]["cases"][0]["caseId"] == tekun_id
    schedule(world, accepted, decision)  # a new job for the same ledger row: no second flag
    assert len(world.audit(FLAG_ACTION)) == 2


@pytest.mark.parametrize(
    ("programme", "status", "paid"),
    [
        (Programme.TEKUN, CaseStatus.TERMINATED, [MARCH]),  # stopped before the new case starts paying
        (Programme.TEKUN, CaseStatus.REJECTED, []),
        (Programme.TEMPORARY_EXPENDITURE, CaseStatus.APPROVED, [MARCH]),  # 临时救助 does not exclude 低保
    ],
)
def test_no_flag_without_an_overlapping_exclusive_scheme(
    world: World, programme: Programme, status: CaseStatus, paid: list[date]
) -> None:
    accepted = world.ok("application.accept", accept_vars(world.county, "zhang"))
    legacy_case(world, accepted, programme, status, paid)
    decision = approve(world, accepted)
    schedule(world, accepted, decision)
    assert world.audit(FLAG_ACTION) == []
    assert "duplicateRecipient" not in world.audit("approval.record")[0].details


def test_a_stopped_case_still_paying_in_the_new_months_is_flagged(world: World) -> None:
    accepted = world.ok("application.accept", accept_vars(world.county, "zhang"))
    legacy_case(world, accepted, Programme.TEKUN, CaseStatus.TERMINATED, [MARCH, APRIL])
    approve(world, accepted)
    [flag] = world.audit(FLAG_ACTION)
    assert flag.details["cases"][0]["status"] == "已停发"
