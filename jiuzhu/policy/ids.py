"""Resident identity numbers (公民身份号码, GB 11643-1999).

DOMAIN.md, "Identity numbers": 18 characters = 6-digit area code, birth date YYYYMMDD,
3-digit sequence (odd = male, even = female), ISO 7064 MOD 11-2 check character (0-9 or X).

``parse_id_number`` raises :class:`IdNumberError` with a machine ``code`` and a precise Chinese
message; ``check_id_number`` returns the same information without raising, for form validation.
Only the province part of the area code is checked (GB/T 2260 province codes; 81/82/83 are used
by residence permits for Hong Kong, Macao and Taiwan residents, which follow the same format):
county codes change over time and a stale table would reject real people.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from jiuzhu.policy.errors import PolicyError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # index = weighted sum mod 11

PROVINCE_CODES: frozenset[str] = frozenset(
    {
        *("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"),
        *("41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"),
        *("65", "71", "81", "82", "83"),
    }
)

# No one alive was born before this; an earlier year is a typing error, not a person.
EARLIEST_BIRTH = date(1900, 1, 1)


class Sex(enum.StrEnum):
    MALE = "男"
    FEMALE = "女"


class IdNumberError(PolicyError):
    """Codes: ``empty``, ``length``, ``format``, ``area``, ``birth_date``, ``birth_future``,
    ``checksum``."""


@dataclass(frozen=True)
class ResidentId:
    number: str  # normalised: 18 characters, upper-case X
    area_code: str
    birth_date: date
    sequence: str
    check_char: str

    @property
    def province_code(self) -> str:
        return self.area_code[:2]

    @property
    def sex(self) -> Sex:
        return Sex.MALE if int(self.sequence) % 2 == 1 else Sex.FEMALE

    def age_on(self, day: date) -> int:
        """Completed years on ``day`` (a person born on Feb 29 turns a year older on Mar 1)."""
        return age_on(self.birth_date, day)


@dataclass(frozen=True)
class IdCheck:
    """Non-raising result of :func:`check_id_number`."""

    ok: bool
    code: str | None = None
    message: str | None = None
    parsed: ResidentId | None = None


def age_on(birth: date, day: date) -> int:
    """Completed years between ``birth`` and ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def compute_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError("format", "计算校验位需要17位数字")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalise_id_number(raw: str) -> str:
    """Strip all whitespace (also full-width) and upper-case a trailing x."""
    return "".join(raw.split()).upper()


def parse_id_number(raw: str, *, today: date) -> ResidentId:
    """Validate and parse an 18-character resident ID number.

    ``today`` is passed in (the policy code never reads the clock): a birth date after it is
    rejected with code ``birth_future``.
    """
    number = normalise_id_number(raw)
    if not number:
        raise IdNumberError("empty", "身份证号码不能为空")
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise IdNumberError("length", "身份证号码应为18位，实际为15位（旧版15位号码请换用18位号码）")
    if len(number) != 18:
        raise IdNumberError("length", f"身份证号码应为18位，实际为{len(number)}位")
    body, check = number[:17], number[17]
    if not (body.isascii() and body.isdigit()):
        position = next(i for i, ch in enumerate(body, start=1) if not (ch.isascii() and ch.isdigit()))
        raise IdNumberError("format", f"身份证号码前17位必须是数字，第{position}位为“{body[position - 1]}”")
    if check not in "0123456789X":
        raise IdNumberError("format", f"身份证号码第18位（校验位）必须是数字或 X，实际为“{check}”")
    area_code = body[:6]
    if area_code[:2] not in PROVINCE_CODES:
        raise IdNumberError("area", f"身份证号码地址码无效：{area_code}（省级代码 {area_code[:2]} 不存在）")
    birth_text = body[6:14]
    try:
        birth = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:8]))
    except ValueError:
        raise IdNumberError("birth_date", f"身份证号码中的出生日期无效：{birth_text} 不是有效日期") from None
    if birth < EARLIEST_BIRTH:
        raise IdNumberError("birth_date", f"身份证号码中的出生日期无效：{birth.isoformat()} 早于1900年")
    if birth > today:
        raise IdNumberError(
            "birth_future",
            f"身份证号码中的出生日期 {birth.isoformat()} 晚于今天（{today.isoformat()}）",
        )
    expected = compute_check_char(body)
    if check != expected:
        raise IdNumberError("checksum", f"身份证号码校验位错误：应为 {expected}，实际为 {check}")
    return ResidentId(number=number, area_code=area_code, birth_date=birth, sequence=body[14:17], check_char=check)


def check_id_number(raw: str, *, today: date) -> IdCheck:
    """Like :func:`parse_id_number` but returns an :class:`IdCheck` instead of raising."""
    try:
        parsed = parse_id_number(raw, today=today)
    except IdNumberError as error:
        return IdCheck(ok=False, code=error.code, message=error.message)
    return IdCheck(ok=True, parsed=parsed)
