"""Self-care ability assessment (生活自理能力评估) for 特困 recipients.

DOMAIN.md, "特困": six activities — eating, dressing, bed transfer, toileting, walking indoors,
bathing. All able → 具备; 1–3 unable → 部分丧失; 4 or more unable → 完全丧失. The level sets the
care component (照料护理) of the 特困 amount (see ``amounts.tekun_amount``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from jiuzhu.policy.errors import PolicyError


class Activity(enum.StrEnum):
    EATING = "eating"
    DRESSING = "dressing"
    BED_TRANSFER = "bed_transfer"
    TOILETING = "toileting"
    WALKING_INDOORS = "walking_indoors"
    BATHING = "bathing"

    @property
    def label(self) -> str:
        return _ACTIVITY_LABELS[self]


_ACTIVITY_LABELS = {
    Activity.EATING: "进食",
    Activity.DRESSING: "穿衣",
    Activity.BED_TRANSFER: "上下床",
    Activity.TOILETING: "如厕",
    Activity.WALKING_INDOORS: "室内行走",
    Activity.BATHING: "洗澡",
}


class SelfCareLevel(enum.StrEnum):
    ABLE = "具备生活自理能力"
    PARTLY_LOST = "部分丧失生活自理能力"
    FULLY_LOST = "完全丧失生活自理能力"


@dataclass(frozen=True)
class SelfCareAssessment:
    level: SelfCareLevel
    unable: tuple[Activity, ...]  # in the order of ``Activity``

    @property
    def reason(self) -> str:
        if not self.unable:
            return "六项日常生活活动均能自主完成"
        labels = "、".join(activity.label for activity in self.unable)
        return f"{len(self.unable)}项日常生活活动不能自主完成：{labels}"


def assess_self_care(abilities: Mapping[Activity, bool] | Mapping[str, bool]) -> SelfCareAssessment:
    """Assess from a mapping activity → able (True) / unable (False); all six must be given.

    Keys may be ``Activity`` members or their string values (as they arrive in job variables).
    """
    given: dict[Activity, bool] = {}
    for key, able in abilities.items():
        try:
            activity = Activity(key)
        except ValueError:
            raise PolicyError("unknown_activity", f"未知的评估项目：{key!r}") from None
        if not isinstance(able, bool):
            raise PolicyError("not_a_bool", f"评估项目“{activity.label}”的结果必须为是/否，实际为 {able!r}")
        given[activity] = able
    missing = [activity for activity in Activity if activity not in given]
    if missing:
        labels = "、".join(activity.label for activity in missing)
        raise PolicyError("incomplete_assessment", f"生活自理能力评估缺少项目：{labels}")
    unable = tuple(activity for activity in Activity if not given[activity])
    if not unable:
        level = SelfCareLevel.ABLE
    elif len(unable) <= 3:
        level = SelfCareLevel.PARTLY_LOST
    else:
        level = SelfCareLevel.FULLY_LOST
    return SelfCareAssessment(level=level, unable=unable)
