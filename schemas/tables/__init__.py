"""SQLModel tables of the case record. ``metadata`` holds them all (and nothing of the engine's)."""

from schemas.tables.audit import AuditEntry, AuditLogAppendOnlyError
from schemas.tables.base import CaseRecordModel, UtcDateTime
from schemas.tables.caseload import CaseloadEntry, CaseloadImport
from schemas.tables.cases import Case
from schemas.tables.checks import EconomicCheck, EconomicCheckItem
from schemas.tables.complaints import Complaint, ComplaintStatus
from schemas.tables.decisions import Decision, DecisionAddon
from schemas.tables.households import Household, Member
from schemas.tables.notices import WrittenNotice
from schemas.tables.notifications import Notification
from schemas.tables.payments import Payment, PaymentRun
from schemas.tables.places import Township, Village
from schemas.tables.publicity import Objection, PublicityNotice, PublicityRow
from schemas.tables.referrals import Referral
from schemas.tables.spotchecks import SpotCheck, SpotCheckDraw
from schemas.tables.staff import Staff
from schemas.tables.sweep import RegisterHousehold, RegisterImport
from schemas.tables.training import TrainingSession
from schemas.tables.visits import HomeVisit, VisitSignature

metadata = CaseRecordModel.metadata

__all__ = [
    "AuditEntry",
    "AuditLogAppendOnlyError",
    "Case",
    "CaseRecordModel",
    "CaseloadEntry",
    "CaseloadImport",
    "Complaint",
    "ComplaintStatus",
    "Decision",
    "DecisionAddon",
    "EconomicCheck",
    "EconomicCheckItem",
    "HomeVisit",
    "Household",
    "Member",
    "Notification",
    "Objection",
    "Payment",
    "PaymentRun",
    "PublicityNotice",
    "PublicityRow",
    "Referral",
    "RegisterHousehold",
    "RegisterImport",
    "SpotCheck",
    "SpotCheckDraw",
    "Staff",
    "Township",
    "TrainingSession",
    "UtcDateTime",
    "Village",
    "VisitSignature",
    "WrittenNotice",
    "metadata",
]
