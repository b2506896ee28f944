"""Base models and field types of job-variable contracts.

Zeebe hands a job every variable visible in its scope, so inputs ignore what they don't name;
outputs forbid unknown fields, because every output key becomes a process variable. Field names
are snake_case in Python and camelCase on the wire (the BPMN variable names).

Money travels as a JSON number: Zeebe stores numbers as 64-bit floats anyway, FEEL gateways
compare amounts numerically, and a fen amount below 10^13 survives the float round trip exactly.
It is validated to whole fen and handed to Python as ``Decimal``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from jiuzhu.policy import CST, IdNumberError, PolicyError, parse_id_number
from jiuzhu.policy.money import FEN, to_money

# Largest amount a Numeric(12, 2) column holds.
MONEY_LIMIT = Decimal("9999999999.99")


class JobInput(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class JobOutput(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    def to_variables(self) -> dict[str, Any]:
        """The variables to complete the job with (camelCase, JSON-ready; None sets the variable to null)."""
        return self.model_dump(mode="json", by_alias=True)


def _money(value: Any) -> Decimal:
    try:
        amount = to_money(value, field="金额")
    except PolicyError as error:
        raise PydanticCustomError(f"money_{error.code}", error.message) from None
    if amount != amount.quantize(FEN):
        raise PydanticCustomError(
            "money_precision", "金额最多两位小数（精确到分），实际为 {value}", {"value": str(amount)}
        )
    if amount > MONEY_LIMIT:
        raise PydanticCustomError("money_too_large", "金额超过上限 {limit}", {"limit": str(MONEY_LIMIT)})
    return amount.quantize(FEN)


def _positive(amount: Decimal) -> Decimal:
    if amount <= 0:
        raise PydanticCustomError("money_not_positive", "金额必须大于0，实际为 {value}", {"value": str(amount)})
    return amount


def _money_json(amount: Decimal) -> float:
    return float(amount)


Money = Annotated[Decimal, BeforeValidator(_money), PlainSerializer(_money_json, return_type=float, when_used="json")]
"""Non-negative yuan with at most two decimals."""

PositiveMoney = Annotated[Money, AfterValidator(_positive)]


def _id_number(value: str) -> str:
    # The policy parser never reads the clock; a contract checks against today in China time.
    try:
        return parse_id_number(value, today=datetime.now(CST).date()).number
    except IdNumberError as error:
        raise PydanticCustomError(f"id_number_{error.code}", error.message) from None


IdNumber = Annotated[str, AfterValidator(_id_number)]
"""18-character resident ID, validated by ``jiuzhu.policy.parse_id_number`` and normalised."""


def _first_of_month(value: date) -> date:
    if value.day != 1:
        raise PydanticCustomError(
            "month_not_first_day", "月份须写作该月1日，例如 {hint}", {"hint": f"{value:%Y-%m}-01"}
        )
    return value


Month = Annotated[date, AfterValidator(_first_of_month)]
"""A calendar month, written as its first day (e.g. ``2026-02-01``)."""
