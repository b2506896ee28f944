"""The window's application form: member rows of any number, checked field by field.

Fields are posted flat (``m0_name``, ``m0_id_number``, … ``mN_…``; row 0 is the applicant) so the
page works without JavaScript: adding or removing a row is a round trip that keeps every value.
Errors are keyed by field name so the page can show each one next to its field.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jiuzhu.policy import Disability, DisabilityKind, Person, Programme
from jiuzhu.policy.eligibility import EmergencyCause
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.ids import parse_id_number
from jiuzhu.policy.intake import HouseholdMember, Pointer, guidance
from schemas.enums import Area, CasePath, Relationship, WorkCapacity

MAX_MEMBERS = 30  # a sanity bound on posted rows, far above any real household
MEMBER_FIELDS = (
    "name",
    "id_number",
    "relationship",
    "disability_kind",
    "disability_grade",
    "seriously_ill",
    "work_capacity",
    "student",
    "registered_poor",
)


def member_key(index: int, name: str) -> str:
    return f"m{index}_{name}"


@dataclass
class MemberRow:
    index: int
    values: dict[str, str]


@dataclass
class IntakeForm:
    values: dict[str, str] = field(default_factory=dict)
    rows: list[MemberRow] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # field name (or "" for the form) → message

    @property
    def messages(self) -> list[str]:
        return list(self.errors.values())


def member_count(values: dict[str, str]) -> int:
    try:
        count = int(values.get("member_count", "1"))
    except ValueError:
        count = 1
    return max(1, min(count, MAX_MEMBERS))


def rows_of(values: dict[str, str], count: int | None = None) -> list[MemberRow]:
    total = member_count(values) if count is None else count
    return [MemberRow(i, {f: values.get(member_key(i, f), "") for f in MEMBER_FIELDS}) for i in range(total)]


def with_rows(values: dict[str, str], rows: list[dict[str, str]]) -> dict[str, str]:
    """``values`` with its member rows replaced by ``rows`` (renumbered from 0)."""
    kept = {k: v for k, v in values.items() if not (k.startswith("m") and "_" in k and k[1:].split("_")[0].isdigit())}
    for i, row in enumerate(rows):
        kept.update({member_key(i, f): v for f, v in row.items()})
    kept["member_count"] = str(len(rows))
    return kept


def add_row(values: dict[str, str]) -> dict[str, str]:
    rows = [r.values for r in rows_of(values)]
    if len(rows) < MAX_MEMBERS:
        rows.append({f: "" for f in MEMBER_FIELDS})
    return with_rows(values, rows)


def remove_row(values: dict[str, str], index: int) -> dict[str, str]:
    rows = [r.values for r in rows_of(values)]
    if 0 < index < len(rows):  # the applicant's row stays
        del rows[index]
    return with_rows(values, rows)


def _enum(kind: Any, value: str | None) -> Any:
    return next((item for item in kind if item.value == value), None)


def _disability(row: MemberRow, errors: dict[str, str]) -> tuple[DisabilityKind | None, int | None]:
    kind = _enum(DisabilityKind, row.values["disability_kind"])
    grade_text = row.values["disability_grade"]
    grade = int(grade_text) if grade_text in {"1", "2", "3", "4"} else None
    if (kind is None) != (grade is None):
        errors[member_key(row.index, "disability_grade")] = "残疾类别和残疾等级须同时填写"
        return None, None
    return kind, grade


def _member(row: MemberRow, today: date, errors: dict[str, str]) -> tuple[dict[str, Any], HouseholdMember] | None:
    i, v = row.index, row.values
    name = v["name"].strip()
    label = "申请人" if i == 0 else f"成员{i}"
    if not name:
        errors[member_key(i, "name")] = f"{label}：请填写姓名"
        return None
    relationship = Relationship.SELF if i == 0 else _enum(Relationship, v["relationship"])
    if relationship is None or (i > 0 and relationship is Relationship.SELF):
        errors[member_key(i, "relationship")] = f"{name}：请选择与申请人的关系"
    try:
        parsed = parse_id_number(v["id_number"], today=today)
    except PolicyError as err:
        errors[member_key(i, "id_number")] = f"{name}：{err.message}"
        return None
    kind, grade = _disability(row, errors)
    capacity = _enum(WorkCapacity, v["work_capacity"]) or WorkCapacity.ABLE
    ill, student, poor = (v[f] == "on" for f in ("seriously_ill", "student", "registered_poor"))
    if relationship is None:
        return None
    variables = {
        "name": name,
        "idNumber": parsed.number,
        "relationship": relationship.value,
        "disabilityKind": kind.value if kind else None,
        "disabilityGrade": grade,
        "seriouslyIll": ill,
        "workCapacity": capacity.value,
        "student": student,
        "registeredPoor": poor,
    }
    person = Person(parsed.birth_date, Disability(kind, grade) if kind and grade else None, ill)
    return variables, HouseholdMember(name, person, capacity is WorkCapacity.NONE, student, poor)


@dataclass
class Validated:
    variables: dict[str, Any]
    household: list[HouseholdMember]
    errors: dict[str, str]
    programme: Programme | None


def validate(values: dict[str, str], villages: dict[int, str], today: date) -> Validated:
    errors: dict[str, str] = {}
    programme = _enum(Programme, values.get("case_type"))
    if programme is None:
        errors["case_type"] = "请选择救助类别"
    area = _enum(Area, values.get("area"))
    if area is None:
        errors["area"] = "请选择城乡类别"
    try:
        village_id = int(values.get("village_id", ""))
    except ValueError:
        village_id = -1
    if village_id not in villages:
        errors["village_id"] = "请选择您辖区内的村（社区）"
    address = values.get("address", "").strip()
    if not address:
        errors["address"] = "请填写家庭住址"
    members: list[dict[str, Any]] = []
    household: list[HouseholdMember] = []
    for row in rows_of(values):
        if row.index > 0 and not any(row.values[f].strip() for f in ("name", "id_number")):
            continue  # an empty extra row is not a member
        parsed = _member(row, today, errors)
        if parsed:
            members.append(parsed[0])
            household.append(parsed[1])
    numbers = [m["idNumber"] for m in members]
    if len(set(numbers)) != len(numbers):
        errors["members"] = "家庭成员身份证号码重复"
    cause = _enum(EmergencyCause, values.get("emergency_cause"))
    emergency = programme is Programme.TEMPORARY_EMERGENCY
    if emergency and cause is None:
        errors["emergency_cause"] = "急难型临时救助须选择急难原因"
    location = values.get("incident_location", "").strip() or None
    if emergency and not location:
        errors["incident_location"] = "急难型临时救助须填写事发地点（在急难发生地申请）"
    variables = {
        "caseType": programme.value if programme else None,
        "path": CasePath.REFORM.value,
        "villageId": village_id,
        "address": address,
        "area": area.value if area else None,
        "members": members,
        "checkAuthorised": values.get("check_authorised") == "on",
        "applicantPhone": values.get("applicant_phone", "").strip() or None,
        "emergencyCause": cause.value if cause and emergency else None,
        "incidentLocation": location if emergency else None,
    }
    return Validated(variables, household, errors, programme)


def pointers(values: dict[str, str], today: date) -> list[Pointer]:
    """一窗受理 guidance from whatever the form already holds (rows with errors are skipped)."""
    checked = validate(values, {}, today)
    cause = values.get("emergency_cause") or None
    return guidance(
        checked.household,
        on=today,
        emergency_cause=cause,
        essential_spending=values.get("essential_spending") == "on",
    )


def facts_digest(values: dict[str, str]) -> str:
    """A fingerprint of what guidance is computed from: when it changes, the window sees the
    guidance again before the application is submitted."""
    relevant = {
        k: v
        for k, v in sorted(values.items())
        if k in {"case_type", "emergency_cause", "essential_spending", "member_count"} or k.startswith("m")
    }
    return hashlib.sha256(json.dumps(relevant, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
