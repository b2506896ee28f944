"""formcontext: a form gets the variables it reads (masked), its staff lists, and nothing else."""

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from jiuzhu.tasklist import formcheck, formcontext
from jiuzhu.tasklist.caserecord import principal_for
from schemas.tables import Case, Member
from tests.tasklist.world import World

FORMS = Path(__file__).resolve().parents[2] / "workflows" / "forms"


def form(name: str) -> dict[str, Any]:
    return json.loads((FORMS / f"{name}.form").read_text("utf-8"))


def test_texts_expressions_and_fields_are_referenced() -> None:
    names = formcontext.referenced_names(form("leader-approval"))
    assert {"programme", "perCapitaIncome", "standard", "proposedAmountText", "townshipLeaders"} <= names
    assert {"decisionOutcome", "approvedAmount", "decisionReasons", "approverId"} <= names
    assert formcontext.expression_names("for x in items return x.amount + limit") == {"items", "limit"}
    assert formcontext.expression_names('string(count(rows[item.kind = "wages"])) + unit') == {"rows", "unit"}
    assert formcontext.referenced_names(form("member-authorisation")) >= {"member", "authorised"}


def test_the_form_gets_only_what_it_references_with_sensitive_values_masked(world: World) -> None:
    schema = {
        "components": [
            {"type": "text", "text": "申请人 {{applicantName}}，身份证 {{idNumber}}，电话 {{phone}}"},
            {"type": "textfield", "key": "note", "label": "备注"},
        ]
    }
    variables = {
        "applicantName": "张建国",
        "idNumber": "341822198003120130",
        "phone": "13905631234",
        "townshipCode": "341821100",
        "bankAccount": "6222000011112222",
        "note": "已核实",
    }
    principal = principal_for(world.db, "zhang")
    assert principal is not None
    data = formcontext.form_data(schema, variables, principal, world.db)
    assert data == {
        "applicantName": "张建国",
        "idNumber": "3****************0",
        "phone": "139****1234",
        "note": "已核实",
    }


def test_staff_lists_are_the_townships_people_by_name_and_the_leader_is_preselected(world: World) -> None:
    leader = principal_for(world.db, "li")
    assert leader is not None
    variables = {"townshipCode": "341821100", "townshipId": world.ids["town_a"]}
    data = formcontext.form_data(form("leader-approval"), variables, leader, world.db)
    assert data["townshipLeaders"] == [
        {"label": "李分管", "value": world.ids["staff_li"]},
        {"label": "孙县局", "value": world.ids["staff_county"]},
    ]
    assert data["approverId"] == world.ids["staff_li"]
    caseworker = principal_for(world.db, "zhang")
    assert caseworker is not None
    visit = formcontext.form_data(form("home-visit-record"), variables, caseworker, world.db)
    names = [o["label"] for o in visit["townshipStaff"]]
    assert sorted(names[:-1]) == sorted(["王协理", "张经办", "李分管"]) and names[-1] == "孙县局"  # county last
    assert "赵经办" not in names  # another township's caseworker
    assert "approverId" not in visit


def test_a_county_led_visit_offers_the_county_only(world: World) -> None:
    county = principal_for(world.db, "county")
    assert county is not None
    variables = {"townshipId": world.ids["town_a"], "countyLed": True}
    data = formcontext.form_data(form("home-visit-record"), variables, county, world.db)
    assert data["townshipStaff"] == [{"label": "孙县局", "value": world.ids["staff_county"]}]


def test_the_countys_confirmation_offers_county_approvers_only_and_preselects_the_signed_in_one(
    world: World,
) -> None:
    """县民政局审核确认 / 一事一议: approval.record refuses a township leader there, so none is offered."""
    county = principal_for(world.db, "county")
    leader = principal_for(world.db, "li")
    assert county is not None and leader is not None
    variables = {"townshipCode": "341821100", "townshipId": world.ids["town_a"]}
    data = formcontext.form_data(form("county-confirmation"), variables, county, world.db)
    assert data["countyApprovers"] == [{"label": "孙县局", "value": world.ids["staff_county"]}]
    assert data["approverId"] == world.ids["staff_county"]
    as_leader = formcontext.form_data(form("county-confirmation"), variables, leader, world.db)
    assert "approverId" not in as_leader  # a township leader opening it is not offered as the approver


def test_the_visit_signatory_is_chosen_from_the_cases_household(world: World) -> None:
    caseworker = principal_for(world.db, "zhang")
    assert caseworker is not None
    case_id = world.ids["case_a"]
    with Session(world.db) as session:
        case = session.get(Case, case_id)
        assert case is not None
        names = [m.name for m in session.exec(select(Member).where(Member.household_id == case.household_id))]
    data = formcontext.form_data(form("home-visit-record"), {"caseId": case_id}, caseworker, world.db)
    assert [o["value"] for o in data["householdMembers"]] == names and names
    assert all(o["label"].startswith(o["value"] + "（") for o in data["householdMembers"])
    # a signatory typed in, not one of the household, is refused next to the field
    submitted = {"familySignatory": "冒名"}
    _, errors = formcheck.check(form("home-visit-record"), submitted, data)
    assert "familySignatory" in errors
