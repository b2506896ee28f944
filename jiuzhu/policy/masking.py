"""Masking personal data, and the publicity row — the only record shape that may be published.

DOMAIN.md, "低保 steps": result publicity shows the applicant's name, number of household
members and amount only; never ID numbers, bank accounts, exact address or health details
(最低生活保障审核确认办法 Art. 24; Social Assistance Law Art. 11, 70). "Notices": the 公示 table
has village/group, name, household size, category, monthly amount.

Masking rules (docs/policy.md):
* names — 1 character → ``*``; 2 → first + ``*`` (张三 → 张*); 3 or more → first and last kept,
  the middle masked (张三明 → 张*明, 欧阳小明 → 欧**明; compound surnames are not detected, so fewer
  characters are shown, never more);
* ID numbers — for internal screens only: first and last character kept (3****************X);
  they are never published;
* phone numbers — mobile 138****5678; other numbers keep the last 4 digits;
* addresses — cut after the village (村/社区/居委会) and group (组/村民小组); the house number and
  anything after it are dropped.

``publishable_record`` builds a :class:`PublicityRow` by *allow-list*: it reads five facts from a
full record and cannot carry anything else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.money import round_money, to_money

MASK = "*"


def mask_name(name: str) -> str:
    """张三 → 张*, 张三明 → 张*明, 欧阳小明 → 欧**明."""
    text = "".join(str(name).split())
    if not text:
        raise PolicyError("empty_name", "姓名不能为空")
    if len(text) == 1:
        return MASK
    if len(text) == 2:
        return text[0] + MASK
    return text[0] + MASK * (len(text) - 2) + text[-1]


def mask_id_number(number: str) -> str:
    """Internal display only: keep the first and last character (ID numbers are never published)."""
    text = "".join(str(number).split()).upper()
    if len(text) < 2:
        raise PolicyError("empty_id", "身份证号码不能为空")
    return text[0] + MASK * (len(text) - 2) + text[-1]


def mask_phone(phone: str) -> str:
    """138****5678 for mobiles (also with +86); other numbers keep only the last 4 digits."""
    digits = re.sub(r"\D", "", str(phone))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not digits:
        raise PolicyError("empty_phone", "电话号码不能为空")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + MASK * 4 + digits[-4:]
    if len(digits) >= 7:
        return MASK * (len(digits) - 4) + digits[-4:]
    return MASK * len(digits)


_UPPER = r"(?P<upper>.*?(?:街道办事处|街道|开发区|镇|乡))?"
# Alternatives are tried in order at each position, so 村委会 wins over 村 where both fit.
_VILLAGE = r"(?P<village>.*?(?:村民委员会|社区居民委员会|社区居委会|居民委员会|村委会|居委会|社区|村))"
_GROUP = r"(?P<group>[^号栋楼室幢单元]{0,6}?(?:村民小组|组))?"
_ADDRESS = re.compile(_UPPER + _VILLAGE + _GROUP)
_TOWNSHIP_ONLY = re.compile(r".*?(?:街道办事处|街道|开发区|镇|乡)")


@dataclass(frozen=True)
class AddressParts:
    upper: str  # province … township
    village: str
    group: str


def split_address(text: str) -> AddressParts:
    """Split a free-text address into (upper levels, village, group), dropping the rest."""
    cleaned = "".join(str(text).split())
    match = _ADDRESS.match(cleaned)
    if match is None:
        raise PolicyError("address", "地址中未找到村（社区）一级，无法公示")
    return AddressParts(match.group("upper") or "", match.group("village"), match.group("group") or "")


def mask_address(text: str) -> str:
    """Keep the address down to village/group; fall back to the township if no village is named."""
    try:
        parts = split_address(text)
    except PolicyError:
        township = _TOWNSHIP_ONLY.match("".join(str(text).split()))
        if township is None:
            raise PolicyError("address", "地址中未找到乡镇（街道）或村（社区）一级") from None
        return township.group(0)
    return parts.upper + parts.village + parts.group


# Category labels that may appear in a public list; anything else (e.g. a diagnosis) is refused.
PUBLISHABLE_CATEGORIES = frozenset(
    {
        "低保",
        "城市低保",
        "农村低保",
        "单人保",
        "低保边缘",
        "特困",
        "特困供养",
        "城市特困",
        "农村特困",
        "临时救助",
        "急难型临时救助",
        "支出型临时救助",
    }
)


@dataclass(frozen=True)
class PublicityRow:
    """One row of a 公示 table: village/group, masked name, household size, category, amount."""

    village: str
    name: str
    household_size: int
    category: str
    monthly_amount: Decimal

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


PUBLICITY_FIELDS = ("village", "name", "household_size", "category", "monthly_amount")


def _required(record: Mapping[str, Any], key: str) -> Any:
    value = record.get(key)
    if value is None or value == "":
        raise PolicyError("missing_field", f"公示记录缺少字段：{key}")
    return value


def publishable_record(record: Mapping[str, Any]) -> PublicityRow:
    """The publicity row for a full case record, by allow-list.

    Reads ``applicant_name``, ``household_size``, ``category``, ``monthly_amount`` and either
    ``village`` (+ optional ``group``) or a free-text ``address``. Every other key — ID numbers,
    bank accounts, phone numbers, health details, the exact address — is never read.
    """
    name = mask_name(_required(record, "applicant_name"))
    size = _required(record, "household_size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise PolicyError("household_size", f"家庭人口数必须为正整数，实际为 {size!r}")
    category = str(_required(record, "category")).strip()
    if category not in PUBLISHABLE_CATEGORIES:
        raise PolicyError("category", f"救助类别“{category}”不在可公示的类别中")
    amount = round_money(to_money(_required(record, "monthly_amount"), field="月救助金额"))
    village_value = record.get("village")
    if village_value:
        village = "".join(str(village_value).split()) + "".join(str(record.get("group") or "").split())
    else:
        parts = split_address(_required(record, "address"))
        village = parts.village + parts.group
    return PublicityRow(village=village, name=name, household_size=size, category=category, monthly_amount=amount)


# What the public is told about an objection to a publicity: that it was checked and its outcome.
OBJECTION_OUTCOMES = frozenset({"异议成立", "异议不成立"})


@dataclass(frozen=True)
class ObjectionAnswer:
    """One line of 异议处理结果 under a 公示: village/group, masked name, outcome, day answered."""

    village: str
    name: str
    outcome: str
    answered_on: date


def publishable_objection_answer(record: Mapping[str, Any]) -> ObjectionAnswer:
    """The public answer to an objection, by allow-list.

    Reads ``applicant_name`` (masked here), ``village``, ``outcome`` and ``answered_on``. The reason and
    the objection's content are never read: they carry the re-investigation's facts (income, family,
    health) and who objected, none of which a publicity may show (Art. 24; law Art. 11, 70).
    """
    name = mask_name(_required(record, "applicant_name"))
    village = "".join(str(_required(record, "village")).split())
    outcome = str(_required(record, "outcome")).strip()
    if outcome not in OBJECTION_OUTCOMES:
        raise PolicyError("objection_outcome", f"异议核查结论“{outcome}”不是“异议成立”或“异议不成立”")
    answered = _required(record, "answered_on")
    if isinstance(answered, datetime):
        raise PolicyError("answered_on", "答复日期应为日期（不含时刻），由调用方按北京时间换算")
    if not isinstance(answered, date):
        raise PolicyError("answered_on", f"答复日期无效：{answered!r}")
    return ObjectionAnswer(village=village, name=name, outcome=outcome, answered_on=answered)
