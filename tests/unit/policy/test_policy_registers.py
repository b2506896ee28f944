"""不漏 registers: Chinese header variants, row problems, matching by ID number, visit outcomes."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.ids import compute_check_char
from jiuzhu.policy.registers import check_outcome, read_register, uncovered

pytestmark = pytest.mark.unit
TODAY = date(2026, 3, 10)


def pid(birth: str, seq: str = "101") -> str:
    first = f"341821{birth}{seq}"
    return first + compute_check_char(first)


def test_headers_vary_and_rows_are_normalised() -> None:
    rows = [
        [" 户主 姓名", "证件号码", "所属乡镇", "所属村", "户人数", "监测类别"],
        ["张 三", pid("19600101").lower(), "城关镇", "幸福村", "3", "脱贫不稳定户"],
        ["李四", pid("19610101"), "城关镇", "", "", "低保边缘户"],
        ["", "", "", "", "", ""],
    ]
    entries, problems = read_register(rows, kind="建档立卡/脱贫", today=TODAY)
    assert problems == []
    assert [(e.row, e.name, e.household_size, e.kind) for e in entries] == [
        (2, "张三", 3, "建档立卡/脱贫"),
        (3, "李四", None, "低保边缘"),
    ]
    assert uncovered(entries, {pid("19600101")}) == [entries[1]]


def test_missing_headers_and_kinds_are_refused_in_chinese() -> None:
    with pytest.raises(PolicyError, match="花名册缺少列：身份证号、乡镇"):
        read_register([["姓名"]], kind="低保边缘", today=TODAY)
    with pytest.raises(PolicyError, match="花名册类别"):
        read_register([["姓名"]], kind="五保", today=TODAY)


def test_outcomes_need_a_reason_when_not_taken_in() -> None:
    assert check_outcome("纳入", "") == []
    assert check_outcome("转介", "") == ["不符合的写明理由，转介的写明转介到哪里、为什么"]
    assert check_outcome("转介", "重病，转介医疗救助") == []
    assert check_outcome("", "") == ["请选择走访结果（纳入、不符合或转介）"]
