"""Working-day calendar: statutory holidays, make-up workdays (调休) and provisional dates.

DOMAIN.md, "Time": processing limits count working days (statutory holidays off, make-up
workdays on); publicity periods count calendar days; the emergency limit counts hours; payments
start the month after approval.

The calendar is an object built from data, so it stays pure:
* official data — the ``chinesecalendar`` package (2004–2026 at version 1.11), loaded once;
* operator overrides — years the package does not know yet (or corrections), per date, loaded
  from a file by ``jiuzhu.calendar_admin`` and passed in as :class:`YearData`.
A date in a year covered by neither is judged by weekday alone and every result that looked at
such a date is marked ``provisional``.

Counting follows Chinese administrative practice: the start day does not count ("N working days
from acceptance" ends on the N-th working day after the acceptance day).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from types import MappingProxyType
from typing import Generic, TypeVar

from jiuzhu.policy.errors import PolicyError

# China Standard Time has had no daylight saving since 1991: a fixed offset is exact.
CST = timezone(timedelta(hours=8), "CST")

T = TypeVar("T")

_HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class DayKind(enum.StrEnum):
    WORKDAY = "工作日"
    WEEKEND = "休息日"
    HOLIDAY = "法定节假日"
    MAKEUP_WORKDAY = "调休上班日"


class DaySource(enum.StrEnum):
    OFFICIAL = "official"  # chinesecalendar
    OVERRIDE = "override"  # operator override file
    WEEKDAY_ONLY = "weekday_only"  # no data: judged by weekday, provisional

    @property
    def label(self) -> str:
        return {"official": "官方数据", "override": "覆盖文件", "weekday_only": "无数据（按星期推算）"}[self.value]


@dataclass(frozen=True)
class YearData:
    """Holidays and make-up workdays of one year, date → name (e.g. 国庆节)."""

    year: int
    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: Mapping[date, str] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        for label, days in (("节假日", self.holidays), ("调休上班日", self.workdays)):
            for day in days:
                if day.year != self.year:
                    raise PolicyError("wrong_year", f"{self.year}年的{label}中出现了其他年份的日期：{day.isoformat()}")
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            raise PolicyError("conflict", f"{both[0].isoformat()} 同时被列为节假日和调休上班日")
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))
        object.__setattr__(self, "workdays", MappingProxyType(dict(self.workdays)))


@dataclass(frozen=True)
class DayInfo:
    day: date
    kind: DayKind
    name: str | None
    source: DaySource

    @property
    def working(self) -> bool:
        return self.kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)

    @property
    def provisional(self) -> bool:
        return self.source is DaySource.WEEKDAY_ONLY


@dataclass(frozen=True)
class CalendarResult(Generic[T]):
    value: T
    provisional: bool
    provisional_years: tuple[int, ...] = ()

    def __str__(self) -> str:
        text = self.value.isoformat() if isinstance(self.value, date) else str(self.value)
        return f"{text} provisional" if self.provisional else text


def local_date(moment: date | datetime) -> date:
    """The calendar date in China of an instant; naive datetimes are taken as China time."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            return moment.date()
        return moment.astimezone(CST).date()
    return moment


def end_of_day(day: date) -> datetime:
    """The instant a deadline day ends: the next midnight, China time."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CST)


def add_calendar_days(start: date | datetime, days: int) -> date:
    """``days`` calendar days after ``start`` (start day not counted)."""
    _check_count(days)
    return local_date(start) + timedelta(days=days)


def publicity_period(start: date | datetime, days: int) -> tuple[date, date]:
    """A publicity of ``days`` calendar days posted on ``start``: (first day, last day), inclusive."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise PolicyError("days", f"公示天数必须为正整数，实际为 {days!r}")
    first = local_date(start)
    return first, first + timedelta(days=days - 1)


def add_hours(instant: datetime, hours: int | float) -> datetime:
    """Hour limits (急难型 24 h) count clock hours; a naive instant is taken as China time."""
    if isinstance(hours, bool) or hours < 0:
        raise PolicyError("hours", f"小时数不能为负数，实际为 {hours!r}")
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=CST)
    return aware + timedelta(hours=hours)


def first_day_of_next_month(moment: date | datetime) -> date:
    """Payments start the month after approval (最低生活保障审核确认办法 Art. 21, 25)."""
    day = local_date(moment)
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int):
        raise PolicyError("days", f"天数必须为整数，实际为 {count!r}")
    if count < 0:
        raise PolicyError("days", f"天数不能为负数，实际为 {count}")


@functools.cache
def official_year_data() -> tuple[YearData, ...]:
    """Years known to the ``chinesecalendar`` package, with Chinese names.

    Importing a data module is not I/O; the import is lazy so that the rest of the policy package
    does not depend on it.
    """
    import chinese_calendar

    holidays: dict[int, dict[date, str]] = {}
    workdays: dict[int, dict[date, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        holidays.setdefault(day.year, {})[day] = _HOLIDAY_NAMES_ZH.get(name, name)
    for day, name in chinese_calendar.workdays.items():
        workdays.setdefault(day.year, {})[day] = _HOLIDAY_NAMES_ZH.get(name, name) + "调休"
    years = range(min(holidays), max(holidays) + 1)
    return tuple(YearData(year, holidays.get(year, {}), workdays.get(year, {}), "chinesecalendar") for year in years)


class WorkingCalendar:
    """Working days from official data plus operator overrides (override wins per date)."""

    def __init__(self, official: Iterable[YearData] = (), overrides: Iterable[YearData] = ()) -> None:
        self._official = {data.year: data for data in official}
        self._overrides = {data.year: data for data in overrides}

    @classmethod
    def standard(cls, overrides: Iterable[YearData] = ()) -> WorkingCalendar:
        """Official ``chinesecalendar`` data plus ``overrides``."""
        return cls(official_year_data(), overrides)

    def with_overrides(self, overrides: Iterable[YearData]) -> WorkingCalendar:
        merged = dict(self._overrides)
        merged.update({data.year: data for data in overrides})
        return WorkingCalendar(self._official.values(), merged.values())

    @property
    def official_years(self) -> tuple[int, ...]:
        return tuple(sorted(self._official))

    @property
    def override_years(self) -> tuple[int, ...]:
        return tuple(sorted(self._overrides))

    def covers(self, year: int) -> bool:
        return year in self._official or year in self._overrides

    def override_for(self, year: int) -> YearData | None:
        return self._overrides.get(year)

    def day(self, moment: date | datetime) -> DayInfo:
        day = local_date(moment)
        sources: list[tuple[YearData, DaySource]] = []
        if day.year in self._overrides:
            sources.append((self._overrides[day.year], DaySource.OVERRIDE))
        if day.year in self._official:
            sources.append((self._official[day.year], DaySource.OFFICIAL))
        for data, source in sources:
            if day in data.holidays:
                return DayInfo(day, DayKind.HOLIDAY, data.holidays[day], source)
            if day in data.workdays:
                return DayInfo(day, DayKind.MAKEUP_WORKDAY, data.workdays[day], source)
        source = sources[-1][1] if sources else DaySource.WEEKDAY_ONLY
        kind = DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY
        return DayInfo(day, kind, None, source)

    def is_working_day(self, moment: date | datetime) -> bool:
        return self.day(moment).working

    def add_working_days(self, start: date | datetime, days: int) -> CalendarResult[date]:
        """The ``days``-th working day after ``start`` (the start day does not count)."""
        _check_count(days)
        current = local_date(start)
        unknown: set[int] = set()
        counted = 0
        while counted < days:
            current += timedelta(days=1)
            info = self.day(current)
            if info.provisional:
                unknown.add(current.year)
            if info.working:
                counted += 1
        return CalendarResult(current, bool(unknown), tuple(sorted(unknown)))

    def working_days_between(self, start: date | datetime, end: date | datetime) -> CalendarResult[int]:
        """Working days in (start, end]: so ``add_working_days(s, n)`` gives ``e`` with n between."""
        first, last = local_date(start), local_date(end)
        if last < first:
            raise PolicyError("reversed_range", f"结束日期 {last.isoformat()} 早于开始日期 {first.isoformat()}")
        unknown: set[int] = set()
        count = 0
        current = first
        while current < last:
            current += timedelta(days=1)
            info = self.day(current)
            if info.provisional:
                unknown.add(current.year)
            if info.working:
                count += 1
        return CalendarResult(count, bool(unknown), tuple(sorted(unknown)))

    def next_working_day(self, moment: date | datetime) -> CalendarResult[date]:
        """The first working day strictly after ``moment``."""
        return self.add_working_days(moment, 1)

    def special_days(self, year: int) -> tuple[DayInfo, ...]:
        """Holidays and make-up workdays of ``year`` after merging, in date order."""
        days: set[date] = set()
        for data in (self._official.get(year), self._overrides.get(year)):
            if data is not None:
                days.update(data.holidays)
                days.update(data.workdays)
        return tuple(self.day(day) for day in sorted(days))
