"""Township social-assistance staffing (seed-speech.txt, 三、一).

"配齐配强 3-5 人 … 专职社会救助工作人员，5万人以下的不得少于3人，原则上辖区人口每多 2 万人要增加 1 名".
Read here as: below 50,000 people at least 3; every full further 20,000 adds one (70,000 → 4).
The "3–5" range is the usual size, not a cap: a township of 150,000 needs 8 by the same sentence.
Not found in any national text (DOMAIN.md), so every figure is a ``StaffingRule`` field.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.profiles import StaffingRule


@dataclass(frozen=True)
class StaffingAssessment:
    population: int
    required: int
    current: int | None
    shortfall: int  # 0 when enough staff (or current unknown)
    above_typical_range: bool  # required exceeds the usual 3–5


def required_staff(population: int, rule: StaffingRule) -> int:
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        raise PolicyError("population", f"辖区人口必须为非负整数，实际为 {population!r}")
    if population < rule.base_population:
        return rule.minimum
    steps = (population - rule.base_population) // rule.step_population
    return rule.minimum + steps * rule.staff_per_step


def assess_staffing(population: int, rule: StaffingRule, current: int | None = None) -> StaffingAssessment:
    required = required_staff(population, rule)
    shortfall = max(required - current, 0) if current is not None else 0
    return StaffingAssessment(population, required, current, shortfall, required > rule.typical_range[1])
