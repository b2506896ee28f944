"""application.accept and case.close against the demo case record."""

from datetime import timedelta
from typing import Any

import pytest

from jiuzhu.demo import id_number
from schemas.enums import CaseStatus, Channel
from schemas.tables import Case, Household, Member
from tests.workers.harness import START, World, accept_vars
from workers.runtime import JobInputError

pytestmark = pytest.mark.workers


def test_accepts_a_known_household_and_registers_the_case(world: World) -> None:
    out = world.ok("application.accept", accept_vars(world.county))
    [case] = world.all(Case)
    assert case.id == out["caseId"] and case.status is CaseStatus.ACCEPTED
    assert case.household_id == world.county.households["zhang"] == out["householdId"]
    assert case.case_number == out["caseNumber"] == "341822100-2026-0001"
    assert case.channel is Channel.PROXY and case.proxy_assistant_id == world.staff_id("taozhou.xieli")
    assert case.accepted_at == START  # accepted when received
    assert case.process_instance_key == world.instance_key
    assert out["path"] == "county" and out["caseStatus"] == "已受理" and out["registeredSeparately"] is False
    assert len(world.all(Household)) == 200  # no new household: the members were known
    [entry] = world.audit("application.accept")
    assert entry.actor == "worker:application.accept" and entry.case_id == case.id
    assert entry.element_id == "Activity_Test" and entry.details["output"] == out


def test_a_new_household_is_registered_with_its_members(world: World) -> None:
    variables = accept_vars(world.county)
    variables["members"] = [
        {"name": "新申请", "idNumber": id_number("19900101", "016"), "relationship": "本人"},
        {"name": "新配偶", "idNumber": id_number("19920202", "023"), "relationship": "配偶"},
    ]
    out = world.ok("application.accept", variables)
    members = [m for m in world.all(Member) if m.household_id == out["householdId"]]
    assert sorted(m.name for m in members) == ["新申请", "新配偶"]
    assert len(world.all(Household)) == 201


@pytest.mark.parametrize(
    ("first", "second", "clash"),
    [
        ("低保", "低保", True),
        ("低保", "特困", True),  # regular 保障 once per household
        ("低保", "支出型临时救助", False),
        ("急难型临时救助", "急难型临时救助", True),
    ],
)
def test_no_duplicates_per_household_and_programme(world: World, first: str, second: str, clash: bool) -> None:
    extra: dict[str, Any] = {"emergencyCause": "火灾"}
    world.ok("application.accept", accept_vars(world.county, case_type=first, **extra), instance=1)
    result = world.run("application.accept", accept_vars(world.county, case_type=second, **extra), instance=2)
    if clash:
        assert not isinstance(result, dict) and result.code == "DUPLICATE_APPLICATION"
        assert "341822100-2026-0001" in result.message
    else:
        assert isinstance(result, dict) and result["caseNumber"] == "341822100-2026-0002"


def test_a_closed_case_does_not_block_a_new_application(world: World) -> None:
    first = world.ok("application.accept", accept_vars(world.county), instance=1)
    world.ok("case.close", {"caseId": first["caseId"], "finalStatus": "不予批准", "closedAt": START.isoformat()})
    again = world.ok("application.accept", accept_vars(world.county), instance=2)
    assert again["caseId"] != first["caseId"] and again["householdId"] == first["householdId"]


def test_members_of_two_households_are_refused(world: World) -> None:
    variables = accept_vars(world.county)
    variables["members"].append(world.county.household("wang").members[0].variables() | {"relationship": "其他"})
    thrown = world.thrown("application.accept", variables)
    assert thrown.code == "DUPLICATE_APPLICATION" and "不同家庭户" in thrown.message
    assert world.all(Case) == []


def test_missing_materials_then_accepted_when_supplied(world: World) -> None:
    thrown = world.thrown("application.accept", accept_vars(world.county, missingMaterials=["户口簿", "残疾证"]))
    assert thrown.code == "APPLICATION_INCOMPLETE" and "户口簿、残疾证" in thrown.message
    world.clock.advance(timedelta(days=2))
    out = world.ok("application.accept", accept_vars(world.county))
    # The 10-day clock starts when the materials are complete, not at the first visit to the window.
    assert world.all(Case)[0].accepted_at == START + timedelta(days=2)
    assert out["acceptedAt"] == "2026-03-04T09:00:00+08:00"


def test_the_same_job_twice_is_one_case(world: World) -> None:
    first = world.ok("application.accept", accept_vars(world.county), key=77)
    again = world.ok("application.accept", accept_vars(world.county), key=77)
    other_delivery = world.ok("application.accept", accept_vars(world.county), key=78)
    assert first == again == other_delivery
    assert len(world.all(Case)) == 1 and len(world.audit("application.accept")) == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"members": []}, "members"),
        ({"caseType": "低保补助"}, "caseType"),
        ({"channel": "帮办代办", "proxyAssistantId": None}, "proxyAssistantId"),
        ({"members": [{"name": "甲", "idNumber": "341822198003120135", "relationship": "本人"}]}, "idNumber"),
    ],
)
def test_invalid_input_is_a_technical_failure_with_a_clear_message(
    world: World, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(JobInputError) as error:
        world.run("application.accept", accept_vars(world.county, **change))
    assert "application.accept 的输入变量不符合合同" in str(error.value) and message in str(error.value)
    assert world.all(Case) == [] and world.audit("application.accept") == []


def test_close_sets_the_final_status_once(world: World) -> None:
    out = world.ok("application.accept", accept_vars(world.county))
    closed = world.ok("case.close", {"caseId": out["caseId"], "finalStatus": "已撤回", "closedAt": START.isoformat()})
    assert closed["caseStatus"] == "已撤回"
    [case] = world.all(Case)
    assert case.status is CaseStatus.WITHDRAWN and case.closed_at == START


def test_cases_accepted_at_once_get_distinct_numbers(world: World) -> None:
    import threading

    barrier = threading.Barrier(3)
    results: dict[str, Any] = {}

    def accept(key: str, instance: int) -> None:
        barrier.wait()
        results[key] = world.run("application.accept", accept_vars(world.county, key), instance=instance)

    threads = [threading.Thread(target=accept, args=(k, 10 + n)) for n, k in enumerate(("zhang", "wang", "zhao"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(r["caseNumber"] for r in results.values() if isinstance(r, dict))
    assert numbers == ["341822100-2026-0001", "341822100-2026-0002", "341822100-2026-0003"]
