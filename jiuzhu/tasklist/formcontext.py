"""The data a task's form is opened with: what it displays, from what the task list may show.

A Camunda Form reads variables in three places: its fields (``key``, list ``path``), text templates
(``{{perCapitaIncome}}``, ``{{#if x}}``) and FEEL expressions (``=...`` in a label, a condition,
``valuesExpression``, a validation rule). ``referenced_names`` finds all of them, so a form is given
exactly the process variables it uses — sensitive ones masked as on every internal screen — plus the
staff lists its selects name in ``valuesKey`` (people chosen by name, stored by staff id).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from jiuzhu.engine.feel import FeelError
from jiuzhu.engine.feel import ast as A
from jiuzhu.engine.feel.parser import parse_expression
from jiuzhu.policy.masking import mask_id_number, mask_phone
from jiuzhu.tasklist import formcheck
from jiuzhu.tasklist.roles import Principal
from schemas.enums import StaffRole
from schemas.tables import Case, Member, Staff, Township

# Names form-js defines itself inside expressions (list rows, the FEEL scope), not process variables.
FORM_JS_NAMES = {"this", "parent", "i", "_this_", "_parent_", "_i_", "item"}
# Staff lists a form's select may name in ``valuesKey``: [{label: name, value: staffId}].
STAFF_LISTS = {"townshipStaff", "townshipLeaders", "countyApprovers"}
# Selects that ask who approves: the signed-in person is preselected when the list offers them.
APPROVER_LISTS = {"townshipLeaders", "countyApprovers"}
# The case household's members a select may name in ``valuesKey`` (who signs at the visit):
# [{label: "name（relationship）", value: name}] — a signature is a name, chosen, not typed.
HOUSEHOLD_LIST = "householdMembers"
# The same masking as the case page: an internal screen never shows these in full.
MASKED: dict[str, Callable[[str], str]] = {
    "idNumber": mask_id_number,
    "applicantIdNumber": mask_id_number,
    "phone": mask_phone,
    "applicantPhone": mask_phone,
}
# Never shown on a form, whatever it references: it belongs to the payment run.
WITHHELD = {"bankAccount", "applicantBankAccount"}
_TEMPLATE = re.compile(r"\{\{\s*(#if|#loop|/if|/loop|else)?\s*(.*?)\s*\}\}", re.S)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _expressions(schema: dict[str, Any]) -> Iterator[str]:
    """Every FEEL expression in the form: ``=...`` properties and the insides of ``{{...}}`` templates."""
    for text in _strings(schema.get("components") or []):
        if text.startswith("="):
            yield text[1:]
        for match in _TEMPLATE.finditer(text):
            inner = match.group(2)
            if inner and match.group(1) not in ("/if", "/loop", "else"):
                yield inner


def expression_names(expression: str) -> set[str]:
    """The variables an expression reads (names bound inside it, functions and filter scopes excluded)."""
    names: set[str] = set()
    _collect(parse_expression(expression), frozenset(), names)
    return names


def _collect(node: Any, bound: frozenset[str], names: set[str]) -> None:
    if isinstance(node, A.Name):
        if node.name not in bound:
            names.add(node.name)
        return
    if isinstance(node, A.Call):
        if not isinstance(node.function, A.Name):
            _collect(node.function, bound, names)
        for arg in [*node.args, *(value for _, value in node.named or [])]:
            _collect(arg, bound, names)
        return
    if isinstance(node, A.Filter):
        _collect(node.target, bound, names)
        # Inside a filter a name may be a property of the item: only `item.x` paths are certain.
        return
    if isinstance(node, A.For | A.Quantified):
        inner = bound
        for name, source in node.iterators:
            _collect(source, inner, names)
            inner = inner | {name}
        _collect(node.body if isinstance(node, A.For) else node.cond, inner, names)
        return
    if isinstance(node, A.FunctionDef):
        _collect(node.body, bound | set(node.params), names)
        return
    if isinstance(node, A.ContextLit):
        for _, value in node.entries:
            _collect(value, bound, names)
        return
    if isinstance(node, A.Node):
        for slot in type(node).__slots__:
            part = getattr(node, slot, None)
            for child in part if isinstance(part, list) else [part]:
                if isinstance(child, A.Node):
                    _collect(child, bound, names)


def referenced_names(schema: dict[str, Any]) -> set[str]:
    """Every variable the form reads or writes at the top level of its data."""
    names = set(formcheck.field_keys(schema))
    for expression in _expressions(schema):
        try:
            names |= expression_names(expression)
        except FeelError:
            continue  # a broken expression is the form lint's concern; it reads nothing we can supply
    for component in formcheck.all_fields(schema):
        if component.get("valuesKey"):
            names.add(str(component["valuesKey"]))
    return names - FORM_JS_NAMES


def staff_lists_used(schema: dict[str, Any]) -> set[str]:
    return {str(c["valuesKey"]) for c in formcheck.all_fields(schema) if c.get("valuesKey") in STAFF_LISTS}


@dataclass(frozen=True)
class StaffOption:
    staff_id: int
    name: str
    role: StaffRole


def staff_options(db: Engine, township_id: int | None) -> list[StaffOption]:
    """Active staff of the township, then the county's supervisors (they may visit and decide anywhere)."""
    with Session(db) as session:
        query = select(Staff).where(col(Staff.active).is_(True))
        county = col(Staff.role) == StaffRole.COUNTY_SUPERVISOR
        scope = county if township_id is None else or_(county, col(Staff.township_id) == township_id)
        rows = session.exec(query.where(scope).order_by(col(Staff.role), col(Staff.id))).all()
        county_last = sorted(rows, key=lambda s: s.role is StaffRole.COUNTY_SUPERVISOR)
        return [StaffOption(s.id, s.name, s.role) for s in county_last if s.id is not None]


def task_township_id(db: Engine, variables: dict[str, Any], principal: Principal) -> int | None:
    """The township the task's case belongs to (a called process carries ``townshipId`` only)."""
    value = variables.get("townshipId")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    code = variables.get("townshipCode")
    if code is not None:
        with Session(db) as session:
            township = session.exec(select(Township).where(Township.code == str(code))).first()
            if township is not None:
                return township.id
    return principal.township_id


def staff_list(name: str, options: list[StaffOption], county_only: bool = False) -> list[dict[str, Any]]:
    if county_only:  # a separately registered case: the county visits and decides (visit.record checks it)
        options = [o for o in options if o.role is StaffRole.COUNTY_SUPERVISOR]
    if name == "townshipLeaders":
        options = [o for o in options if o.role in (StaffRole.LEADER, StaffRole.COUNTY_SUPERVISOR)]
    if name == "countyApprovers":  # the county's confirmation and 一事一议: approval.record refuses anyone else
        options = [o for o in options if o.role is StaffRole.COUNTY_SUPERVISOR]
    return [{"label": o.name, "value": o.staff_id} for o in options]


def shown_value(name: str, value: Any) -> Any:
    masker = MASKED.get(name)
    if masker is not None and isinstance(value, str) and value:
        return masker(value)
    return value


def household_members(db: Engine, case_id: Any) -> list[dict[str, Any]]:
    """The members of the case's household, applicant first, as a select's options."""
    if not isinstance(case_id, int) or isinstance(case_id, bool):
        return []
    with Session(db) as session:
        case = session.get(Case, case_id)
        if case is None:
            return []
        members = session.exec(
            select(Member).where(Member.household_id == case.household_id).order_by(col(Member.id))
        ).all()
        return [{"label": f"{m.name}（{m.relationship.value}）", "value": m.name} for m in members]


def form_data(
    schema: dict[str, Any], variables: dict[str, Any], principal: Principal, db: Engine | None
) -> dict[str, Any]:
    """What the form is imported with: the variables it references (masked), its staff lists, and the
    signed-in approver preselected where the form asks who approves."""
    names = referenced_names(schema)
    data = {n: shown_value(n, variables[n]) for n in sorted(names - WITHHELD) if n in variables}
    lists = staff_lists_used(schema)
    if lists and db is not None:
        options = staff_options(db, task_township_id(db, variables, principal))
        for name in lists:
            data[name] = staff_list(name, options, county_only=variables.get("countyLed") is True)
    if db is not None and any(c.get("valuesKey") == HOUSEHOLD_LIST for c in formcheck.all_fields(schema)):
        data[HOUSEHOLD_LIST] = household_members(db, variables.get("caseId"))
    approver_fields = [c for c in formcheck.all_fields(schema) if c.get("valuesKey") in APPROVER_LISTS]
    for component in approver_fields:
        key = str(component["key"])
        chosen = {o["value"] for o in data.get(str(component["valuesKey"]), [])}
        if data.get(key) is None and principal.staff_id in chosen:
            data[key] = principal.staff_id
    return data
