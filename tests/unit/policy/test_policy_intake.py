"""一窗受理 routes (scheme → process) and guidance (which schemes the facts point to)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jiuzhu.policy import Disability, DisabilityKind, Person, PolicyError, Programme, get_profile
from jiuzhu.policy.intake import HouseholdMember, guidance, process_for, routes

ON = date(2026, 3, 2)
WORKFLOWS = Path(__file__).resolve().parents[3] / "workflows"


def _member(name: str, born: date, **kw: object) -> HouseholdMember:
    disability = kw.pop("disability", None)
    ill = bool(kw.pop("ill", False))
    return HouseholdMember(name, Person(born, disability, ill), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("profile", ["county", "national"])
def test_every_scheme_has_a_deployed_process(profile: str) -> None:
    table = routes(get_profile(profile))
    assert set(table) == set(Programme)
    for process_id in set(table.values()):
        assert f'<bpmn:process id="{process_id}"' in (WORKFLOWS / f"{process_id}.bpmn").read_text("utf-8")


def test_temporary_assistance_goes_to_its_own_process() -> None:
    assert process_for(Programme.TEMPORARY_EMERGENCY) == "temporary-assistance"
    assert process_for("支出型临时救助") == "temporary-assistance"
    assert process_for(Programme.DIBAO) == process_for(Programme.TEKUN) == "assistance-application"
    with pytest.raises(PolicyError, match="未规定"):
        process_for("五保")


def test_an_emergency_comes_first_with_its_24_hours() -> None:
    found = guidance([_member("甲", date(1980, 1, 1))], on=ON, emergency_cause="火灾")
    assert found[0].programme is Programme.TEMPORARY_EMERGENCY and "24小时内先行救助" in found[0].reason


def test_a_household_without_capacity_to_work_points_to_tekun() -> None:
    old = _member("老", date(1940, 5, 1))
    disabled = _member("残", date(1990, 5, 1), disability=Disability(DisabilityKind.INTELLECTUAL, 2))
    assert Programme.TEKUN in {p.programme for p in guidance([old, disabled], on=ON)}
    able = _member("壮", date(1990, 5, 1))
    assert Programme.TEKUN not in {p.programme for p in guidance([old, able], on=ON)}


def test_severe_disability_illness_poverty_and_school_are_named() -> None:
    members = [
        _member("户主", date(1975, 1, 1), registered_poor=True),
        _member("重残", date(2000, 1, 1), disability=Disability(DisabilityKind.PHYSICAL, 1)),
        _member("重病", date(1978, 1, 1), ill=True),
        _member("学生", date(2010, 9, 1), student=True),
    ]
    found = guidance(members, on=ON)
    text = "；".join(f"{p.scheme}:{p.reason}" for p in found)
    assert "重残、重病为重度残疾人或重病患者" in text and "单人保" in text
    assert "户主为建档立卡/脱贫人口" in text
    assert "医疗救助" in text and "教育救助" in text
    assert Programme.TEKUN not in {p.programme for p in found}
