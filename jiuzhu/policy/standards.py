"""County figures as dated data: standards, add-ons, care rates, limits and spot-check rates.

Every figure comes from ``data/standards.json`` (shipped with the package; the county edits it)
as versions, each with the document that set it and the date it took effect. Rules ask for the
version in force on the date they already have (assessment, decision, report), never "today":
a case decided on 2027-01-05 uses what was in force on 2027-01-05.

The file is package data read once at import, like a constant; parsing is a pure function of
the text (``parse_standards``), so tests can feed their own versions.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeVar

from jiuzhu.policy.categories import MemberCategory
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.money import FEN
from jiuzhu.policy.selfcare import SelfCareLevel

DATA_FILE = "standards.json"

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)


class Area(enum.StrEnum):
    URBAN = "urban"
    RURAL = "rural"

    @property
    def label(self) -> str:
        return "城市" if self is Area.URBAN else "农村"


@dataclass(frozen=True)
class Provenance:
    """Where a version of a figure comes from."""

    effective_from: date
    document: str  # 文号 or the source the figure was taken from
    placeholder: bool = False  # True: an example value the county must replace
    effective_from_assumed: bool = False  # True: the source gives no date; the year start was assumed


@dataclass(frozen=True)
class StandardSet:
    """Monthly standards (¥ per person) for one region, area and period."""

    region: str
    area: Area
    effective_from: date
    dibao: Decimal  # 低保标准
    tekun_basic: Decimal  # 特困人员基本生活标准
    source: str
    tekun_basic_derived: bool = False  # True: not published, derived as tekun_min_ratio × dibao
    placeholder: bool = False


@dataclass(frozen=True)
class BenefitRules:
    addon_rates: Mapping[MemberCategory, Decimal]  # share of the standard per member in a category
    addons_cumulative: bool  # False: a member gets only the highest add-on
    elderly_age: int  # add-on from this age
    minor_age: int  # add-on below this age
    floor_rate: Decimal  # minimum household amount per member, share of the standard
    amount_quantum: Decimal  # rounding of the monthly amount
    care_rates: Mapping[SelfCareLevel, Decimal]  # 特困 care component, share of the basic standard
    tekun_min_ratio: Decimal  # 特困 basic standard ≥ this × 低保 standard
    provenance: Provenance | None = None


@dataclass(frozen=True)
class TemporaryAssistanceRules:
    township_limit_multiple: Decimal  # township approves up to this × monthly 低保 standard
    emergency_small_amount: Decimal  # 急难型 may be paid first up to this amount (小金额先行救助)
    expenditure_reference_months: int = 12  # spending window for 支出型
    provenance: Provenance | None = None


@dataclass(frozen=True)
class SpotCheckRules:
    default_rate: Decimal  # county spot checks of decided cases (不重不漏)
    tekun_national_rate: Decimal  # 特困人员认定办法: on-site checks of at least 30 %
    provenance: Provenance | None = None


@dataclass(frozen=True)
class CountyStandards:
    """All dated versions of one profile's figures, each tuple sorted by effective date."""

    standards: tuple[StandardSet, ...]
    benefits: tuple[BenefitRules, ...]
    temporary: tuple[TemporaryAssistanceRules, ...]
    spot_check: tuple[SpotCheckRules, ...]


def in_force(versions: Sequence[T], on: date, effective: Callable[[T], date], what: str) -> T:
    """The latest version with ``effective(version) <= on``; before the first one, a Chinese error."""
    candidates = [v for v in versions if effective(v) <= on]
    if not candidates:
        first = min((effective(v) for v in versions), default=None)
        since = f"（最早一版自 {first.isoformat()} 起生效）" if first else "（尚未录入任何版本）"
        raise PolicyError("no_standard", f"没有 {on.isoformat()} 适用的{what}{since}，请先录入当时有效的标准文件")
    return max(candidates, key=effective)


def _provenance(row: Mapping[str, Any]) -> Provenance:
    return Provenance(
        effective_from=_date(row, "effective_from"),
        document=_text(row, "document"),
        placeholder=bool(row.get("placeholder", False)),
        effective_from_assumed=bool(row.get("effective_from_assumed", False)),
    )


def _field(row: Mapping[str, Any], key: str) -> Any:
    if key not in row:
        raise PolicyError("bad_standards", f"标准数据缺少字段“{key}”：{dict(row)}")
    return row[key]


def _text(row: Mapping[str, Any], key: str) -> str:
    value = _field(row, key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError("bad_standards", f"标准数据字段“{key}”须为非空文字，实际为 {value!r}")
    return value


def _date(row: Mapping[str, Any], key: str) -> date:
    try:
        return date.fromisoformat(_text(row, key))
    except ValueError:
        raise PolicyError("bad_standards", f"标准数据字段“{key}”不是 YYYY-MM-DD 日期：{row[key]!r}") from None


def _decimal(value: Any, key: str) -> Decimal:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise PolicyError("bad_standards", f"标准数据字段“{key}”须写成数字字符串，实际为 {value!r}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise PolicyError("bad_standards", f"标准数据字段“{key}”不是数字：{value!r}") from None
    if not number.is_finite() or number < 0:
        raise PolicyError("bad_standards", f"标准数据字段“{key}”须为非负数：{value!r}")
    return number


def _int(row: Mapping[str, Any], key: str) -> int:
    value = _field(row, key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise PolicyError("bad_standards", f"标准数据字段“{key}”须为非负整数，实际为 {value!r}")
    return value


def _shares(row: Mapping[str, Any], key: str, kind: type[E]) -> Mapping[E, Decimal]:
    table = _field(row, key)
    if not isinstance(table, dict):
        raise PolicyError("bad_standards", f"标准数据字段“{key}”须为对象")
    out: dict[E, Decimal] = {}
    for name, value in table.items():
        try:
            member = kind[name.upper()]
        except KeyError:
            known = "、".join(m.name.lower() for m in kind)
            raise PolicyError("bad_standards", f"标准数据字段“{key}”中的“{name}”不认识（可用：{known}）") from None
        out[member] = _decimal(value, f"{key}.{name}")
    return MappingProxyType(out)


def _standard(row: Mapping[str, Any]) -> StandardSet:
    area_text = _text(row, "area")
    try:
        area = Area(area_text)
    except ValueError:
        raise PolicyError("bad_standards", f"标准数据字段“area”须为 urban 或 rural，实际为 {area_text!r}") from None
    return StandardSet(
        region=_text(row, "region"),
        area=area,
        effective_from=_date(row, "effective_from"),
        dibao=_decimal(_field(row, "dibao"), "dibao"),
        tekun_basic=_decimal(_field(row, "tekun_basic"), "tekun_basic"),
        source=_text(row, "document"),
        tekun_basic_derived=bool(row.get("tekun_basic_derived", False)),
        placeholder=bool(row.get("placeholder", False)),
    )


def _benefits(row: Mapping[str, Any]) -> BenefitRules:
    return BenefitRules(
        addon_rates=_shares(row, "addon_rates", MemberCategory),
        addons_cumulative=bool(_field(row, "addons_cumulative")),
        elderly_age=_int(row, "elderly_age"),
        minor_age=_int(row, "minor_age"),
        floor_rate=_decimal(_field(row, "floor_rate"), "floor_rate"),
        amount_quantum=_decimal(row.get("amount_quantum", str(FEN)), "amount_quantum"),
        care_rates=_shares(row, "care_rates", SelfCareLevel),
        tekun_min_ratio=_decimal(_field(row, "tekun_min_ratio"), "tekun_min_ratio"),
        provenance=_provenance(row),
    )


def _temporary(row: Mapping[str, Any]) -> TemporaryAssistanceRules:
    return TemporaryAssistanceRules(
        township_limit_multiple=_decimal(_field(row, "township_limit_multiple"), "township_limit_multiple"),
        emergency_small_amount=_decimal(_field(row, "emergency_small_amount"), "emergency_small_amount"),
        expenditure_reference_months=_int(row, "expenditure_reference_months"),
        provenance=_provenance(row),
    )


def _spot_check(row: Mapping[str, Any]) -> SpotCheckRules:
    rates = {key: _decimal(_field(row, key), key) for key in ("default_rate", "tekun_national_rate")}
    if any(rate > 1 for rate in rates.values()):
        raise PolicyError("bad_standards", f"抽查比例须在 0 到 1 之间：{rates}")
    return SpotCheckRules(**rates, provenance=_provenance(row))


def _versions(
    profile: Mapping[str, Any], key: str, build: Callable[[Mapping[str, Any]], T], effective: Callable[[T], date]
) -> tuple[T, ...]:
    rows = profile.get(key)
    if not isinstance(rows, list) or not rows:
        raise PolicyError("bad_standards", f"标准数据缺少“{key}”的版本列表")
    versions = sorted((build(row) for row in rows), key=effective)
    return tuple(versions)


def _check_unique_dates(standards: tuple[StandardSet, ...], name: str) -> None:
    seen: set[tuple[Area, date]] = set()
    for standard in standards:
        key = (standard.area, standard.effective_from)
        if key in seen:
            raise PolicyError(
                "bad_standards",
                f"“{name}”有两版{standard.area.label}标准同在 {standard.effective_from.isoformat()} 生效",
            )
        seen.add(key)


def parse_standards(text: str) -> Mapping[str, CountyStandards]:
    """Parse the standards file: profile name → its dated versions. Bad data is a Chinese error."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyError("bad_standards", f"标准数据不是有效的 JSON（第 {error.lineno} 行）：{error.msg}") from None
    profiles = document.get("profiles") if isinstance(document, dict) else None
    if not isinstance(profiles, dict) or not profiles:
        raise PolicyError("bad_standards", "标准数据缺少“profiles”")
    out: dict[str, CountyStandards] = {}
    for name, profile in profiles.items():
        standards = _versions(profile, "standards", _standard, lambda s: s.effective_from)
        _check_unique_dates(standards, name)
        out[name] = CountyStandards(
            standards=standards,
            benefits=_versions(profile, "benefits", _benefits, _effective),
            temporary=_versions(profile, "temporary", _temporary, _effective),
            spot_check=_versions(profile, "spot_check", _spot_check, _effective),
        )
    return MappingProxyType(out)


def _effective(version: BenefitRules | TemporaryAssistanceRules | SpotCheckRules) -> date:
    assert version.provenance is not None  # parsed versions always carry one
    return version.provenance.effective_from


def standard_on(versions: CountyStandards, area: Area | str, on: date) -> StandardSet:
    """The 低保/特困 standard for ``area`` in force on ``on``.

    A standard stays in force until a newer one is entered, so a 2023 set answers for 2026 if
    nothing newer exists; the returned ``effective_from`` and ``source`` show which set was used.
    """
    wanted = Area(area)
    sets = [s for s in versions.standards if s.area is wanted]
    return in_force(sets, on, lambda s: s.effective_from, f"{wanted.label}低保标准")


def benefits_on(versions: CountyStandards, on: date) -> BenefitRules:
    return in_force(versions.benefits, on, _effective, "分类施保、保底与护理比例")


def temporary_on(versions: CountyStandards, on: date) -> TemporaryAssistanceRules:
    return in_force(versions.temporary, on, _effective, "临时救助审批限额与参数")


def spot_check_on(versions: CountyStandards, on: date) -> SpotCheckRules:
    return in_force(versions.spot_check, on, _effective, "抽查比例")


def shipped_standards() -> Mapping[str, CountyStandards]:
    """The figures shipped with the package (``jiuzhu/policy/data/standards.json``)."""
    raw = resources.files("jiuzhu.policy").joinpath("data", DATA_FILE).read_bytes()
    return parse_standards(raw.decode("utf-8"))
