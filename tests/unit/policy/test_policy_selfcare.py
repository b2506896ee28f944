"""Self-care assessment, DOMAIN.md "特困": all able → 具备; ≤3 unable → 部分丧失; ≥4 → 完全丧失."""

from __future__ import annotations

import itertools

import pytest

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.selfcare import Activity, SelfCareLevel, assess_self_care

pytestmark = pytest.mark.unit

ALL = tuple(Activity)


def abilities(unable: tuple[Activity, ...]) -> dict[Activity, bool]:
    return {activity: activity not in unable for activity in ALL}


@pytest.mark.parametrize(
    ("unable_count", "level"),
    [
        (0, SelfCareLevel.ABLE),
        (1, SelfCareLevel.PARTLY_LOST),
        (2, SelfCareLevel.PARTLY_LOST),
        (3, SelfCareLevel.PARTLY_LOST),
        (4, SelfCareLevel.FULLY_LOST),
        (5, SelfCareLevel.FULLY_LOST),
        (6, SelfCareLevel.FULLY_LOST),
    ],
)
def test_level_depends_only_on_how_many_are_unable(unable_count: int, level: SelfCareLevel) -> None:
    for unable in itertools.combinations(ALL, unable_count):
        result = assess_self_care(abilities(unable))
        assert result.level is level
        assert set(result.unable) == set(unable)


def test_string_keys_from_job_variables() -> None:
    result = assess_self_care(
        {
            "eating": True,
            "dressing": False,
            "bed_transfer": True,
            "toileting": False,
            "walking_indoors": True,
            "bathing": False,
        }
    )
    assert result.level is SelfCareLevel.PARTLY_LOST
    assert result.reason == "3项日常生活活动不能自主完成：穿衣、如厕、洗澡"


def test_reason_when_all_able() -> None:
    assert assess_self_care(abilities(())).reason == "六项日常生活活动均能自主完成"


@pytest.mark.parametrize(
    ("given", "code", "fragment"),
    [
        ({a: True for a in ALL[:5]}, "incomplete_assessment", "缺少项目：洗澡"),
        ({}, "incomplete_assessment", "进食、穿衣、上下床、如厕、室内行走、洗澡"),
        ({**{str(a): True for a in ALL}, "cooking": True}, "unknown_activity", "'cooking'"),
        ({**{a: True for a in ALL}, Activity.EATING: "yes"}, "not_a_bool", "进食"),
        ({**{a: True for a in ALL}, Activity.BATHING: 1}, "not_a_bool", "洗澡"),
    ],
)
def test_bad_assessments(given: dict, code: str, fragment: str) -> None:
    with pytest.raises(PolicyError) as caught:
        assess_self_care(given)
    assert caught.value.code == code
    assert fragment in caught.value.message
