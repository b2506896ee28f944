"""What the public pages may show: rows built by ``jiuzhu.policy.masking.publishable_record`` only.

Nothing here returns a case-record object to a template: recipient lists are ``PublicityRow``s
(masked name, household size, category, amount, village/group) and notices carry their already
masked ``publicity_rows`` columns, re-checked through the same allow-list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from jiuzhu.policy import CST, Programme
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.masking import ObjectionAnswer, PublicityRow, publishable_objection_answer, publishable_record
from schemas.enums import CaseStatus, DecisionOutcome, ObjectionStatus, VillageKind
from schemas.tables import Case, Decision, Household, Member, Objection, PublicityNotice, Township, Village
from schemas.tables import PublicityRow as PublicityRowTable

LISTED = (Programme.DIBAO, Programme.TEKUN)


@dataclass(frozen=True)
class PublicVillage:
    village_id: int
    name: str
    township: str


@dataclass(frozen=True)
class PublicNotice:
    issuer: str
    village: str
    period_start: date
    period_end: date
    complaint_phone: str
    rows: list[PublicityRow]
    # Objections to an earlier publicity of the same households, answered after re-investigation.
    answers: list[ObjectionAnswer] = field(default_factory=list)


def top_villages(db: Engine) -> list[PublicVillage]:
    """Administrative villages and communities: where the long-term lists are posted."""
    with Session(db) as session:
        townships = {t.id: t.name for t in session.exec(select(Township)).all()}
        villages = session.exec(
            select(Village).where(col(Village.parent_id).is_(None)).order_by(col(Village.township_id), col(Village.id))
        ).all()
        return [PublicVillage(v.id, v.name, townships.get(v.township_id, "")) for v in villages if v.id is not None]


def _tree(session: Session, root: int) -> list[Village]:
    found: list[Village] = []
    frontier = [root]
    while frontier:
        rows = session.exec(select(Village).where(col(Village.id).in_(frontier))).all()
        found.extend(rows)
        children = session.exec(select(Village.id).where(col(Village.parent_id).in_(frontier))).all()
        frontier = [c for c in children if c is not None and c not in {v.id for v in found}]
    return found


def recipients(db: Engine, village_id: int) -> tuple[PublicVillage | None, dict[str, list[PublicityRow]]]:
    """Current 低保 and 特困 recipients living in a village (and its natural villages/groups)."""
    with Session(db) as session:
        root = session.get(Village, village_id)
        if root is None or root.id is None or root.parent_id is not None:
            return None, {}
        township = session.get(Township, root.township_id)
        tree = {v.id: v for v in _tree(session, root.id)}
        cases = session.exec(
            select(Case, Household)
            .join(Household, col(Household.id) == Case.household_id)
            .where(col(Household.village_id).in_(list(tree)))
            .where(Case.status == CaseStatus.APPROVED)
            .where(col(Case.type).in_(list(LISTED)))
            .order_by(col(Case.id))
        ).all()
        lists: dict[str, list[PublicityRow]] = {p.value: [] for p in LISTED}
        for case, household in cases:
            decision = session.exec(
                select(Decision)
                .where(Decision.case_id == case.id, Decision.outcome == DecisionOutcome.APPROVED)
                .order_by(col(Decision.decided_at).desc())
            ).first()
            applicant = session.get(Member, case.applicant_id)
            if decision is None or decision.amount is None or applicant is None:
                continue
            size = session.exec(
                select(func.count()).select_from(Member).where(Member.household_id == household.id)
            ).one()
            place = tree.get(household.village_id)
            group = place.name if place is not None and place.id != root.id else ""
            if place is not None and place.kind is VillageKind.GROUP and place.parent_id not in (None, root.id):
                parent = tree.get(place.parent_id)
                group = f"{parent.name if parent else ''}{place.name}"
            try:
                row = publishable_record(
                    {
                        "applicant_name": applicant.name,
                        "household_size": int(size),
                        "category": f"{household.area.label}{case.type.value}",
                        "monthly_amount": decision.amount,
                        "village": root.name,
                        "group": group,
                    }
                )
            except PolicyError:
                continue  # a row that cannot be published safely is left out, never shown raw
            lists[case.type.value].append(row)
        public = PublicVillage(root.id, root.name, township.name if township else "")
        return public, lists


def current_notices(db: Engine, today: date) -> list[PublicNotice]:
    with Session(db) as session:
        notices = session.exec(
            select(PublicityNotice)
            .where(PublicityNotice.period_start <= today, PublicityNotice.period_end >= today)
            .order_by(col(PublicityNotice.period_start))
        ).all()
        result = []
        for notice in notices:
            village = session.get(Village, notice.village_id)
            parent = session.get(Village, village.parent_id) if village and village.parent_id else None
            rows = session.exec(
                select(PublicityRowTable)
                .where(PublicityRowTable.notice_id == notice.id)
                .order_by(col(PublicityRowTable.id))
            ).all()
            public_rows = []
            answers = _answers(session, rows)
            for row in rows:
                try:
                    # Stored names are masked already; masking again is a no-op that guards mistakes.
                    public_rows.append(
                        publishable_record(
                            {
                                "applicant_name": row.masked_name,
                                "household_size": row.household_size,
                                "category": row.category,
                                "monthly_amount": Decimal(row.monthly_amount),
                                "village": row.village_label,
                            }
                        )
                    )
                except PolicyError:
                    continue
            result.append(
                PublicNotice(
                    issuer=notice.issuer,
                    # a natural village's name alone (上桐) says little: its administrative village first
                    village=f"{parent.name if parent else ''}{village.name}" if village else "",
                    period_start=notice.period_start,
                    period_end=notice.period_end,
                    complaint_phone=notice.complaint_phone,
                    rows=public_rows,
                    answers=answers,
                )
            )
        return result


ANSWERED = (ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED)


def _answers(session: Session, rows: Sequence[PublicityRowTable]) -> list[ObjectionAnswer]:
    """异议处理结果 for the households on a notice: outcome and day only, through the allow-list."""
    answers = []
    for row in rows:
        objections = session.exec(
            select(Objection)
            .where(Objection.case_id == row.case_id, col(Objection.status).in_(list(ANSWERED)))
            .where(col(Objection.resolved_at).is_not(None))
            .order_by(col(Objection.id))
        ).all()
        for objection in objections:
            assert objection.resolved_at is not None
            try:
                answers.append(
                    publishable_objection_answer(
                        {
                            "applicant_name": row.masked_name,
                            "village": row.village_label,
                            "outcome": objection.status.value,
                            "answered_on": objection.resolved_at.astimezone(CST).date(),
                        }
                    )
                )
            except PolicyError:
                continue  # never shown raw
    return answers
