"""People in a household and the categories the rules look at.

Ages are computed on a date passed in. Disability follows the national certificate: a kind
(视力, 听力, 言语, 肢体, 智力, 精神, 多重) and a grade 1 (most severe) to 4.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.ids import age_on


class DisabilityKind(enum.StrEnum):
    VISUAL = "视力"
    HEARING = "听力"
    SPEECH = "言语"
    PHYSICAL = "肢体"
    INTELLECTUAL = "智力"
    MENTAL = "精神"
    MULTIPLE = "多重"


class MemberCategory(enum.StrEnum):
    """Categories that earn a 低保 add-on (分类施保, DOMAIN.md "Amounts")."""

    ELDERLY = "老年人"
    MINOR = "未成年人"
    SEVERELY_DISABLED = "重度残疾人"
    SERIOUSLY_ILL = "重病患者"


@dataclass(frozen=True)
class Disability:
    kind: DisabilityKind
    grade: int

    def __post_init__(self) -> None:
        if self.grade not in (1, 2, 3, 4):
            raise PolicyError("disability_grade", f"残疾等级必须为1至4级，实际为 {self.grade!r}")

    @property
    def severe(self) -> bool:
        """重度残疾 = grade 1 or 2."""
        return self.grade <= 2


@dataclass(frozen=True)
class Person:
    birth_date: date
    disability: Disability | None = None
    seriously_ill: bool = False

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)
