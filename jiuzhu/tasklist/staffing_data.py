"""The county's staffing and training figures (data, not code): ``<data-dir>/staffing.json``.

    {"minimum": 3, "basePopulation": 50000, "stepPopulation": 20000, "staffPerStep": 1,
     "typicalRange": [3, 5], "trainingsPerYear": 1}

Absent keys (or no file) keep the policy profile's rule (jiuzhu/policy/profiles.py, the seed's
"5万人以下不少于3人，每多2万人增加1名") and one training session a year per township.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from jiuzhu.policy import get_profile
from jiuzhu.policy.profiles import StaffingRule

FILE = "staffing.json"


class StaffingDataError(ValueError):
    """The county's staffing file cannot be used (the message says why, in Chinese)."""


@dataclass(frozen=True)
class CountyStaffing:
    rule: StaffingRule
    trainings_per_year: int = 1


def load_county_staffing(data_dir: Path | None, profile: str | None = None) -> CountyStaffing:
    rule = get_profile(profile).staffing
    path = data_dir / FILE if data_dir is not None else None
    if path is None or not path.is_file():
        return CountyStaffing(rule)
    try:
        raw = json.loads(path.read_text("utf-8"))
        low, high = raw.get("typicalRange", rule.typical_range)
        rule = replace(
            rule,
            minimum=int(raw.get("minimum", rule.minimum)),
            base_population=int(raw.get("basePopulation", rule.base_population)),
            step_population=int(raw.get("stepPopulation", rule.step_population)),
            staff_per_step=int(raw.get("staffPerStep", rule.staff_per_step)),
            typical_range=(int(low), int(high)),
        )
        trainings = int(raw.get("trainingsPerYear", 1))
    except (OSError, ValueError, TypeError) as error:
        raise StaffingDataError(f"{path}：人员配备规则无法读取（{error}）") from error
    if rule.minimum < 1 or rule.step_population < 1 or trainings < 0:
        raise StaffingDataError(f"{path}：最少人数、每档人口须为正数，培训次数不能为负")
    return CountyStaffing(rule, trainings)
