"""Field types of the job contracts: money, resident ID numbers, months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from jiuzhu.policy.ids import compute_check_char
from schemas.contracts import IdNumber, JobOutput, Money, Month, PositiveMoney

pytestmark = pytest.mark.unit


def valid_id(first17: str = "11010519491231002") -> str:
    return first17 + compute_check_char(first17)


class Holder(BaseModel):
    amount: Money | None = None
    positive: PositiveMoney | None = None
    id_number: IdNumber | None = None
    month: Month | None = None


class MoneyOut(JobOutput):
    monthly_amount: Money


def error_of(**data: object) -> dict[str, object]:
    with pytest.raises(ValidationError) as caught:
        Holder(**data)  # type: ignore[arg-type]
    errors = caught.value.errors()
    assert len(errors) == 1, errors
    return dict(errors[0])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0.1, Decimal("0.10")), ("1440", Decimal("1440.00")), (1440, Decimal("1440.00")), ("780.5", Decimal("780.50"))],
)
def test_money_accepts_json_numbers_and_strings_as_exact_decimals(raw: object, expected: Decimal) -> None:
    amount = Holder(amount=raw).amount  # type: ignore[arg-type]
    assert amount == expected
    assert isinstance(amount, Decimal)
    assert amount.as_tuple().exponent == -2


def test_money_below_a_fen_is_refused_with_a_clear_message() -> None:
    error = error_of(amount="1440.005")
    assert error["type"] == "money_precision"
    assert error["msg"] == "金额最多两位小数（精确到分），实际为 1440.005"


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("-1", "money_negative_amount"),
        (True, "money_not_a_number"),
        ("abc", "money_not_a_number"),
        ("NaN", "money_not_a_number"),
    ],
)
def test_money_refuses_negative_and_non_numbers(raw: object, kind: str) -> None:
    error = error_of(amount=raw)
    assert error["type"] == kind
    assert "金额" in str(error["msg"])


def test_money_above_the_column_limit_is_refused() -> None:
    assert error_of(amount="10000000000")["type"] == "money_too_large"
    assert Holder(amount="9999999999.99").amount == Decimal("9999999999.99")


def test_positive_money_refuses_zero() -> None:
    error = error_of(positive=0)
    assert error["type"] == "money_not_positive"
    assert error["msg"] == "金额必须大于0，实际为 0.00"


def test_money_is_a_json_number_that_survives_the_float_round_trip() -> None:
    variables = MoneyOut(monthly_amount=Decimal("1440.07")).to_variables()
    assert variables == {"monthlyAmount": 1440.07}
    assert MoneyOut.model_validate(variables).monthly_amount == Decimal("1440.07")
    assert MoneyOut(monthly_amount=Decimal("1440.07")).model_dump()["monthly_amount"] == Decimal("1440.07")


def test_id_number_is_checked_by_the_policy_parser_and_normalised() -> None:
    number = valid_id("11010520000220009")
    assert number.endswith("X")
    assert Holder(id_number=f" {number.lower()} ").id_number == number


def test_id_number_with_a_wrong_check_character_names_the_expected_one() -> None:
    number = valid_id()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    error = error_of(id_number=wrong)
    assert error["type"] == "id_number_checksum"
    assert error["msg"] == f"身份证号码校验位错误：应为 {number[17]}，实际为 {wrong[17]}"
    assert error["loc"] == ("id_number",)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("", "id_number_empty"), ("110105491231002", "id_number_length"), ("990105194912310021", "id_number_area")],
)
def test_id_number_errors_carry_the_policy_code(raw: str, kind: str) -> None:
    error = error_of(id_number=raw)
    assert error["type"] == kind
    assert "身份证号码" in str(error["msg"])


def test_month_must_be_written_as_its_first_day() -> None:
    assert Holder(month="2026-02-01").month == date(2026, 2, 1)
    error = error_of(month="2026-02-15")
    assert error["type"] == "month_not_first_day"
    assert "2026-02-01" in str(error["msg"])
