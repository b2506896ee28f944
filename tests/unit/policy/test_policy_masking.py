"""Masking and the publicity row, DOMAIN.md "低保 steps" (Art. 24) and "Notices" (公示)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.masking import (
    PUBLICITY_FIELDS,
    PublicityRow,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    publishable_record,
    split_address,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三明", "张*明"),
        ("欧阳小明", "欧**明"),
        ("司马相如", "司**如"),
        ("王", "*"),
        (" 李 四 ", "李*"),
        ("买买提·艾力", "买****力"),
        ("爱新觉罗·溥仪", "爱*****仪"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked
    assert len(mask_name(name)) == len("".join(name.split()))


@pytest.mark.parametrize("name", ["", "   "])
def test_mask_name_empty(name: str) -> None:
    with pytest.raises(PolicyError) as caught:
        mask_name(name)
    assert caught.value.code == "empty_name"


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("11010519491231002X", "1****************X"),
        ("11010519491231002x", "1****************X"),
        ("110105 19491231 0025", "1****************5"),
    ],
)
def test_mask_id_number(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


def test_mask_id_number_empty() -> None:
    with pytest.raises(PolicyError):
        mask_id_number("")


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0563-6012345", "*******2345"),
        ("12349", "*****"),
        ("6012345", "***2345"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_mask_phone_empty() -> None:
    with pytest.raises(PolicyError):
        mask_phone("无")


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("安徽省宣城市广德市桃州镇石板村三组12号", "安徽省宣城市广德市桃州镇石板村三组"),
        ("安徽省宣城市广德市桃州镇石板村第三村民小组12号", "安徽省宣城市广德市桃州镇石板村第三村民小组"),
        ("广德市新杭镇石板村12号", "广德市新杭镇石板村"),
        ("广德市桃州镇石板村委会3组5号", "广德市桃州镇石板村委会3组"),
        ("广德市桃州街道幸福社区5栋2单元302室", "广德市桃州街道幸福社区"),
        ("广德市经济开发区建设社区居委会1组6号", "广德市经济开发区建设社区居委会1组"),
        ("  广德市 桃州镇 石板村 三组 12号 ", "广德市桃州镇石板村三组"),
        ("广德市桃州镇解放路88号", "广德市桃州镇"),  # no village named: down to the township
    ],
)
def test_mask_address(address: str, masked: str) -> None:
    assert mask_address(address) == masked


def test_mask_address_without_any_level() -> None:
    with pytest.raises(PolicyError) as caught:
        mask_address("解放路88号")
    assert caught.value.code == "address"


def test_split_address() -> None:
    parts = split_address("安徽省宣城市广德市桃州镇石板村三组12号")
    assert (parts.upper, parts.village, parts.group) == ("安徽省宣城市广德市桃州镇", "石板村", "三组")


# Every sensitive value is unique, so a leak anywhere in the row would be found.
SENSITIVE: dict[str, Any] = {
    "id_number": "34182219800101001X",
    "applicant_id_number": "110105194912310021",
    "bank_account": "6217000010001234567",
    "bank_name": "广德农商银行城南支行",
    "phone": "13812345678",
    "address": "安徽省宣城市广德市桃州镇石板村三组12号",
    "health": "尿毒症透析",
    "diagnosis": "慢性肾衰竭",
    "disability_certificate": "34182219800101001X44",
    "income_items": [{"kind": "wages", "amount": "900"}],
    "members": [{"name": "张小红", "id_number": "341822201001010020"}],
    "notes": "户主长期卧床",
}


def full_record(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "applicant_name": "张三明",
        "household_size": 3,
        "category": "低保",
        "monthly_amount": "1440",
        "village": "石板村",
        "group": "三组",
        **SENSITIVE,
    }
    record.update(overrides)
    return record


def test_publishable_record_allow_list() -> None:
    row = publishable_record(full_record())
    assert row == PublicityRow(
        village="石板村三组",
        name="张*明",
        household_size=3,
        category="低保",
        monthly_amount=Decimal("1440.00"),
    )
    assert tuple(row.as_dict()) == PUBLICITY_FIELDS


@pytest.mark.parametrize("record", [full_record(), full_record(village=None, group=None)])
def test_nothing_else_leaks(record: dict[str, Any]) -> None:
    row = publishable_record(record)
    text = repr(row) + repr(row.as_dict())
    for key, value in SENSITIVE.items():
        if key == "address":
            assert "12号" not in text
            continue
        assert str(value) not in text, key
    assert "张三明" not in text
    assert "张小红" not in text
    assert set(row.as_dict()) == {"village", "name", "household_size", "category", "monthly_amount"}


def test_free_text_address_is_cut_to_village_and_group() -> None:
    row = publishable_record(full_record(village=None, group=None))
    assert row.village == "石板村三组"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"applicant_name": ""}, "missing_field"),
        ({"household_size": 0}, "household_size"),
        ({"household_size": "3"}, "household_size"),
        ({"category": "重病患者（尿毒症）"}, "category"),  # would leak a health detail
        ({"monthly_amount": "-1"}, "negative_amount"),
        ({"monthly_amount": None}, "missing_field"),
        ({"village": None, "address": None}, "missing_field"),
        ({"village": None, "address": "广德市桃州镇解放路88号"}, "address"),
    ],
)
def test_publishable_record_refuses_bad_input(overrides: dict[str, Any], code: str) -> None:
    with pytest.raises(PolicyError) as caught:
        publishable_record(full_record(**overrides))
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("category", "amount", "expected"),
    [
        ("特困供养", 1683.5, Decimal("1683.50")),
        ("临时救助", "2000", Decimal("2000.00")),
        ("农村低保", 755, Decimal("755.00")),
    ],
)
def test_publishable_categories_and_amounts(category: str, amount: object, expected: Decimal) -> None:
    row = publishable_record(full_record(category=category, monthly_amount=amount))
    assert (row.category, row.monthly_amount) == (category, expected)


def test_an_objection_answer_is_published_by_allow_list_without_the_reason() -> None:
    from datetime import date, datetime

    from jiuzhu.policy.masking import ObjectionAnswer, publishable_objection_answer

    record = {
        "applicant_name": "张建国",
        "village": "东亭村 三组",
        "outcome": "异议成立",
        "answered_on": date(2026, 3, 12),
        "reason": "儿子经营门店，月净收入约600元；身份证 341822199001011234",
        "content": "邻居王某来访反映",
    }
    answer = publishable_objection_answer(record)
    assert answer == ObjectionAnswer(
        village="东亭村三组", name="张*国", outcome="异议成立", answered_on=date(2026, 3, 12)
    )
    assert set(answer.__dataclass_fields__) == {"village", "name", "outcome", "answered_on"}
    with pytest.raises(PolicyError, match="异议核查结论"):
        publishable_objection_answer({**record, "outcome": "核查中"})
    with pytest.raises(PolicyError, match="北京时间"):
        publishable_objection_answer({**record, "answered_on": datetime(2026, 3, 12, 1, 0)})
