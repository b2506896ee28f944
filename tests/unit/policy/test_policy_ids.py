"""Resident ID numbers (GB 11643-1999), DOMAIN.md "Identity numbers"."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.policy.ids import (
    IdNumberError,
    Sex,
    age_on,
    check_id_number,
    compute_check_char,
    parse_id_number,
)

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 27)


def iso7064_check(first17: str) -> str:
    """Independent reference: the recursive form of ISO 7064 MOD 11-2 (not the weight table)."""
    p = 0
    for ch in first17:
        p = ((p + int(ch)) * 2) % 11
    value = (12 - p) % 11
    return "X" if value == 10 else str(value)


def make_id(area: str, birth: str, seq: str) -> str:
    body = area + birth + seq
    return body + iso7064_check(body)


# The example printed in GB 11643-1999 itself, and numbers built with the reference check.
VALID = [
    ("11010519491231002X", "110105", date(1949, 12, 31), Sex.FEMALE, "X"),
    (make_id("341822", "19800101", "001"), "341822", date(1980, 1, 1), Sex.MALE, None),
    (make_id("341822", "20000229", "002"), "341822", date(2000, 2, 29), Sex.FEMALE, None),
    (make_id("341822", "20240229", "123"), "341822", date(2024, 2, 29), Sex.MALE, None),
    (make_id("420700", "19560615", "998"), "420700", date(1956, 6, 15), Sex.FEMALE, None),
    (make_id("830000", "19900101", "011"), "830000", date(1990, 1, 1), Sex.MALE, None),
    (make_id("110101", "20261127", "001"), "110101", TODAY, Sex.MALE, None),  # born today
]


@pytest.mark.parametrize(("number", "area", "birth", "sex", "check"), VALID)
def test_valid_numbers_parse(number: str, area: str, birth: date, sex: Sex, check: str | None) -> None:
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.number == number
    assert parsed.area_code == area
    assert parsed.province_code == area[:2]
    assert parsed.birth_date == birth
    assert parsed.sex is sex
    assert parsed.sequence == number[14:17]
    assert parsed.check_char == (check or number[-1])


def test_reference_and_weight_table_agree_on_many_bodies() -> None:
    bodies = [f"{n:017d}" for n in range(0, 10**17, 10**17 // 997)][:997]
    assert all(compute_check_char(body) == iso7064_check(body) for body in bodies)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("11010519491231002x", "11010519491231002X"),
        (" 110105 19491231 002X ", "11010519491231002X"),
        ("110105\u300019491231002x", "11010519491231002X"),  # full-width space
        ("1101051949\t1231002X\n", "11010519491231002X"),
    ],
)
def test_lowercase_x_and_spaces_are_accepted(raw: str, normalised: str) -> None:
    assert parse_id_number(raw, today=TODAY).number == normalised


# Every rejection has a machine code and a precise Chinese message.
INVALID = [
    ("", "empty", "身份证号码不能为空"),
    ("   ", "empty", "身份证号码不能为空"),
    ("11010519491231002", "length", "身份证号码应为18位，实际为17位"),
    ("11010519491231002XX", "length", "身份证号码应为18位，实际为19位"),
    ("110105491231002", "length", "旧版15位号码"),
    ("1101051949123100AX", "format", "身份证号码前17位必须是数字，第17位为“A”"),
    ("11010519491231002Y", "format", "第18位（校验位）必须是数字或 X，实际为“Y”"),
    ("１１０１０５19491231002X", "format", "前17位必须是数字，第1位为“１”"),  # full-width digits
    (make_id("000000", "19800101", "001"), "area", "地址码无效：000000"),
    (make_id("991234", "19800101", "001"), "area", "省级代码 99 不存在"),
    (make_id("341822", "20230229", "001"), "birth_date", "20230229 不是有效日期"),
    (make_id("341822", "19000229", "001"), "birth_date", "19000229 不是有效日期"),
    (make_id("341822", "19801301", "001"), "birth_date", "19801301 不是有效日期"),
    (make_id("341822", "19800100", "001"), "birth_date", "19800100 不是有效日期"),
    (make_id("341822", "18991231", "001"), "birth_date", "早于1900年"),
    (make_id("341822", "20261128", "001"), "birth_future", "出生日期 2026-11-28 晚于今天（2026-11-27）"),
    (make_id("341822", "20300101", "001"), "birth_future", "2030-01-01"),
    ("110105194912310025", "checksum", "身份证号码校验位错误：应为 X，实际为 5"),
    ("110105194912310020", "checksum", "应为 X，实际为 0"),
]


@pytest.mark.parametrize(("raw", "code", "fragment"), INVALID)
def test_invalid_numbers_raise_with_code_and_message(raw: str, code: str, fragment: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(raw, today=TODAY)
    assert caught.value.code == code
    assert fragment in caught.value.message
    assert str(caught.value) == caught.value.message


def test_exact_checksum_message() -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number("110105194912310025", today=TODAY)
    assert caught.value.message == "身份证号码校验位错误：应为 X，实际为 5"


def test_wrong_digit_check_reports_expected_digit() -> None:
    good = make_id("341822", "19800101", "001")
    wrong = "0" if good[-1] != "0" else "1"
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(good[:-1] + wrong, today=TODAY)
    assert caught.value.message == f"身份证号码校验位错误：应为 {good[-1]}，实际为 {wrong}"


def test_gb_example_from_1880_has_valid_checksum_but_is_refused_as_too_early() -> None:
    assert compute_check_char("44052418800101001") == "4"
    with pytest.raises(IdNumberError) as caught:
        parse_id_number("440524188001010014", today=TODAY)
    assert caught.value.code == "birth_date"


@pytest.mark.parametrize(
    ("raw", "ok", "code"),
    [
        ("11010519491231002X", True, None),
        ("110105194912310025", False, "checksum"),
        ("abc", False, "length"),
    ],
)
def test_check_id_number_does_not_raise(raw: str, ok: bool, code: str | None) -> None:
    result = check_id_number(raw, today=TODAY)
    assert result.ok is ok
    assert result.code == code
    assert (result.parsed is not None) is ok
    assert (result.message is None) is ok


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(2000, 2, 29), date(2001, 2, 28), 0),  # Feb 29 birthdays count from Mar 1
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        (date(1966, 11, 27), date(2026, 11, 27), 60),
        (date(1966, 11, 28), date(2026, 11, 27), 59),
        (date(2010, 11, 28), date(2026, 11, 27), 15),
        (date(2010, 11, 27), date(2026, 11, 27), 16),
    ],
)
def test_age_on(birth: date, on: date, age: int) -> None:
    assert age_on(birth, on) == age


def test_parsed_age() -> None:
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert parsed.age_on(TODAY) == 76


def test_compute_check_char_rejects_bad_input() -> None:
    with pytest.raises(IdNumberError):
        compute_check_char("1234")
