"""SQLModel tables of the case record. ``metadata`` holds them all (and nothing of the engine's)."""

from schemas.tables.audit import AuditEntry, AuditLogAppendOnlyError
from schemas.tables.base import CaseRecordModel, UtcDateTime
from schemas.tables.cases import Case
from schemas.tables.checks import EconomicCheck, EconomicCheckItem
from schemas.tables.decisions import Decision, DecisionAddon
from schemas.tables.households import Household, Member
from schemas.tables.notices import WrittenNotice
from schemas.tables.payments import Payment
from schemas.tables.places import Township, Village
from schemas.tables.publicity import Objection, PublicityNotice, PublicityRow
from schemas.tables.referrals import Referral
from schemas.tables.staff import Staff
from schemas.tables.visits import HomeVisit, VisitSignature

metadata = CaseRecordModel.metadata

__all__ = [
    "AuditEntry",
    "AuditLogAppendOnlyError",
    "Case",
    "CaseRecordModel",
    "Decision",
    "DecisionAddon",
    "EconomicCheck",
    "EconomicCheckItem",
    "HomeVisit",
    "Household",
    "Member",
    "Objection",
    "Payment",
    "PublicityNotice",
    "PublicityRow",
    "Referral",
    "Staff",
    "Township",
    "UtcDateTime",
    "Village",
    "VisitSignature",
    "WrittenNotice",
    "metadata",
]
