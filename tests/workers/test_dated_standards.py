"""Workers use the county figures in force on the date they already have (issue 18).

The county's data gets a second version from 2027-01-01 (made-up test figures: rural 低保 ¥800,
township limit 6×); the shipped 2023 version stays before it.
"""

import dataclasses
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest

from jiuzhu.policy import profiles
from jiuzhu.policy.standards import Area, StandardSet
from tests.workers.harness import World, accept_vars

pytestmark = pytest.mark.workers

NEW_YEAR = date(2027, 1, 1)


@pytest.fixture
def new_standard_from_2027(monkeypatch: pytest.MonkeyPatch) -> None:
    county = profiles.get_profile("county")
    figures = county.figures
    rural = StandardSet("测试县", Area.RURAL, NEW_YEAR, Decimal("800"), Decimal("1040"), "测试文件")
    temporary = dataclasses.replace(
        figures.temporary[-1],
        township_limit_multiple=Decimal("6"),
        provenance=dataclasses.replace(figures.temporary[-1].provenance, effective_from=NEW_YEAR),  # type: ignore[arg-type]
    )
    changed = dataclasses.replace(
        figures, standards=(*figures.standards, rural), temporary=(*figures.temporary, temporary)
    )
    registry = dict(profiles._REGISTRY)
    registry["county"] = dataclasses.replace(county, figures=changed)
    monkeypatch.setattr(profiles, "_REGISTRY", MappingProxyType(registry))


def _accepted(world: World, case_type: str) -> dict[str, Any]:
    return world.ok("application.accept", accept_vars(world.county, "zhang", case_type))


@pytest.mark.usefixtures("new_standard_from_2027")
@pytest.mark.parametrize(
    ("assessed_on", "standard", "amount"),
    [
        # (755 − 300) × 3 + the minor's add-on 20 % × 755
        ("2026-12-31", 755, 1516),
        # (800 − 300) × 3 + 20 % × 800
        ("2027-01-01", 800, 1660),
    ],
)
def test_assessment_uses_the_standard_of_its_date(world: World, assessed_on: str, standard: int, amount: int) -> None:
    case = _accepted(world, "低保")
    household = world.county.household("zhang")
    assert household.area is Area.RURAL
    out = world.ok(
        "eligibility.assess",
        {
            "caseId": case["caseId"],
            "caseType": "低保",
            "path": "county",
            "area": household.area.value,
            "assessedOn": assessed_on,
            "members": [m.variables() for m in household.members],
            "incomeItems": [{"kind": "wages", "amount": 900}],
            "rigidSpending": [],
            "propertyWithinLimits": True,
        },
    )
    assert (out["standard"], out["proposedAmount"]) == (standard, amount)


@pytest.mark.usefixtures("new_standard_from_2027")
@pytest.mark.parametrize(
    ("decided_at", "limit"),
    [
        ("2026-12-31T23:30:00+08:00", 3020),  # 4 × 755
        # already 2027 in China although still 2026 in UTC: 6 × 800
        ("2027-01-01T00:30:00+08:00", 4800),
        # the same instant written in UTC: the decision date is taken in China time
        ("2026-12-31T16:30:00+00:00", 4800),
    ],
)
def test_township_limit_of_the_decision_date(world: World, decided_at: str, limit: int) -> None:
    case = _accepted(world, "支出型临时救助")
    leader = world.staff_id("taozhou.lingdao")
    variables = {
        "caseId": case["caseId"],
        "caseType": "支出型临时救助",
        "decisionOutcome": "批准",
        "reasons": "医疗支出",
        "decidedAt": decided_at,
        "approverId": leader,
    }
    thrown = world.thrown("approval.record", {**variables, "amount": limit + 0.01})
    assert thrown.code == "ABOVE_TOWNSHIP_LIMIT"
    assert f"{limit:,}" in thrown.message
    assert world.ok("approval.record", {**variables, "amount": limit})["approved"] is True
