"""Working-day calendar, DOMAIN.md "Time" (official data + overrides, provisional dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.policy.calendar import (
    CST,
    CalendarResult,
    DayKind,
    DaySource,
    WorkingCalendar,
    YearData,
    add_calendar_days,
    add_hours,
    end_of_day,
    first_day_of_next_month,
    local_date,
    publicity_period,
)
from jiuzhu.policy.errors import PolicyError

pytestmark = pytest.mark.unit

OFFICIAL = WorkingCalendar.standard()

# A hypothetical 2027 arrangement, as an operator would load it from an override file.
OVERRIDE_2027 = YearData(
    2027,
    holidays={date(2027, 1, 1): "元旦", **{date(2027, 2, 5) + timedelta(days=i): "春节" for i in range(8)}},
    workdays={date(2027, 1, 9): "元旦调休", date(2027, 2, 20): "春节调休"},
    source="测试用安排",
)
WITH_2027 = WorkingCalendar.standard([OVERRIDE_2027])


@pytest.mark.parametrize(
    ("day", "kind", "name", "source"),
    [
        (date(2026, 10, 1), DayKind.HOLIDAY, "国庆节", DaySource.OFFICIAL),
        (date(2026, 10, 7), DayKind.HOLIDAY, "国庆节", DaySource.OFFICIAL),
        (date(2026, 10, 8), DayKind.WORKDAY, None, DaySource.OFFICIAL),
        (date(2026, 10, 10), DayKind.MAKEUP_WORKDAY, "国庆节调休", DaySource.OFFICIAL),  # Saturday
        (date(2026, 10, 11), DayKind.WEEKEND, None, DaySource.OFFICIAL),
        (date(2026, 9, 20), DayKind.MAKEUP_WORKDAY, "国庆节调休", DaySource.OFFICIAL),  # Sunday
        (date(2026, 9, 25), DayKind.HOLIDAY, "中秋节", DaySource.OFFICIAL),  # Friday
        (date(2026, 9, 27), DayKind.HOLIDAY, "中秋节", DaySource.OFFICIAL),
        (date(2026, 1, 4), DayKind.MAKEUP_WORKDAY, "元旦调休", DaySource.OFFICIAL),
        (date(2026, 2, 14), DayKind.MAKEUP_WORKDAY, "春节调休", DaySource.OFFICIAL),
        (date(2026, 2, 16), DayKind.HOLIDAY, "春节", DaySource.OFFICIAL),
        (date(2026, 11, 27), DayKind.WORKDAY, None, DaySource.OFFICIAL),
        (date(2004, 1, 1), DayKind.HOLIDAY, "元旦", DaySource.OFFICIAL),
        (date(2027, 1, 1), DayKind.WORKDAY, None, DaySource.WEEKDAY_ONLY),  # really a holiday
        (date(2027, 1, 2), DayKind.WEEKEND, None, DaySource.WEEKDAY_ONLY),
        (date(2003, 12, 31), DayKind.WORKDAY, None, DaySource.WEEKDAY_ONLY),
    ],
)
def test_day(day: date, kind: DayKind, name: str | None, source: DaySource) -> None:
    info = OFFICIAL.day(day)
    assert (info.kind, info.name, info.source) == (kind, name, source)
    assert info.working is (kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY))
    assert info.provisional is (source is DaySource.WEEKDAY_ONLY)
    assert OFFICIAL.is_working_day(day) is info.working


@pytest.mark.parametrize(
    ("day", "kind", "source"),
    [
        (date(2027, 1, 1), DayKind.HOLIDAY, DaySource.OVERRIDE),
        (date(2027, 1, 4), DayKind.WORKDAY, DaySource.OVERRIDE),
        (date(2027, 1, 9), DayKind.MAKEUP_WORKDAY, DaySource.OVERRIDE),
        (date(2027, 1, 10), DayKind.WEEKEND, DaySource.OVERRIDE),
        (date(2028, 1, 3), DayKind.WORKDAY, DaySource.WEEKDAY_ONLY),
        (date(2026, 10, 10), DayKind.MAKEUP_WORKDAY, DaySource.OFFICIAL),
    ],
)
def test_day_with_override(day: date, kind: DayKind, source: DaySource) -> None:
    info = WITH_2027.day(day)
    assert (info.kind, info.source) == (kind, source)


ADD_CASES = [
    # (start, N, N-th working day after start, provisional?) with official data only
    (date(2026, 9, 30), 0, date(2026, 9, 30), False),
    (date(2026, 9, 30), 1, date(2026, 10, 8), False),  # National Day + Mid-autumn week skipped
    (date(2026, 9, 30), 3, date(2026, 10, 10), False),  # make-up Saturday counts
    (date(2026, 9, 30), 10, date(2026, 10, 20), False),
    (date(2026, 10, 1), 1, date(2026, 10, 8), False),  # starting on a holiday
    (date(2026, 10, 10), 1, date(2026, 10, 12), False),
    (date(2026, 9, 18), 1, date(2026, 9, 20), False),  # make-up Sunday
    (date(2026, 9, 24), 1, date(2026, 9, 28), False),  # Mid-autumn 25–27
    (date(2026, 9, 24), 3, date(2026, 9, 30), False),
    (date(2026, 2, 13), 1, date(2026, 2, 14), False),
    (date(2026, 2, 14), 1, date(2026, 2, 24), False),  # Spring Festival 15–23
    (date(2026, 2, 24), 4, date(2026, 2, 28), False),
    (date(2026, 11, 27), 10, date(2026, 12, 11), False),
    (date(2026, 12, 24), 5, date(2026, 12, 31), False),
    (date(2026, 12, 24), 6, date(2027, 1, 1), True),  # crosses into 2027: provisional
    (date(2026, 12, 24), 10, date(2027, 1, 7), True),
    (date(2026, 12, 31), 0, date(2026, 12, 31), False),
    (date(2026, 12, 31), 1, date(2027, 1, 1), True),
    (date(2003, 12, 30), 1, date(2003, 12, 31), True),
]


@pytest.mark.parametrize(("start", "n", "expected", "provisional"), ADD_CASES)
def test_add_working_days(start: date, n: int, expected: date, provisional: bool) -> None:
    result = OFFICIAL.add_working_days(start, n)
    assert result.value == expected
    assert result.provisional is provisional


def test_add_working_days_from_uncovered_start_is_not_provisional_when_only_covered_days_are_used() -> None:
    # The start day itself is not looked at: from 2003-12-31 only 2004 days are examined.
    result = OFFICIAL.add_working_days(date(2003, 12, 31), 1)
    assert result.value == date(2004, 1, 2)
    assert result.provisional is False


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 12, 24), 6, date(2027, 1, 4)),  # 2027-01-01 is a holiday now
        (date(2026, 12, 24), 10, date(2027, 1, 8)),
        (date(2027, 1, 7), 2, date(2027, 1, 9)),  # override make-up Saturday
        (date(2027, 2, 4), 1, date(2027, 2, 15)),  # Spring Festival 5–12
    ],
)
def test_override_makes_2027_official(start: date, n: int, expected: date) -> None:
    result = WITH_2027.add_working_days(start, n)
    assert result == CalendarResult(expected, False, ())


def test_provisional_years_are_listed() -> None:
    result = OFFICIAL.add_working_days(date(2026, 12, 20), 300)
    assert result.provisional
    assert result.provisional_years == (2027, 2028)
    assert WITH_2027.add_working_days(date(2026, 12, 20), 300).provisional_years == (2028,)


def test_override_wins_over_official_data_per_date() -> None:
    correction = YearData(2026, holidays={date(2026, 10, 8): "国庆节（延长）"}, workdays={date(2026, 10, 11): "调休"})
    calendar = WorkingCalendar.standard([correction])
    assert calendar.day(date(2026, 10, 8)).kind is DayKind.HOLIDAY
    assert calendar.day(date(2026, 10, 11)).kind is DayKind.MAKEUP_WORKDAY
    assert calendar.day(date(2026, 10, 1)).source is DaySource.OFFICIAL  # untouched dates stay official
    assert calendar.add_working_days(date(2026, 9, 30), 1).value == date(2026, 10, 9)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (datetime(2026, 9, 30, 23, 30, tzinfo=CST), 1, date(2026, 10, 8)),
        (datetime(2026, 9, 30, 15, 59, tzinfo=UTC), 1, date(2026, 10, 8)),  # 23:59 in China
        (datetime(2026, 9, 30, 16, 0, tzinfo=UTC), 1, date(2026, 10, 8)),  # 10-01 00:00 in China
        (datetime(2026, 10, 9, 16, 0, tzinfo=UTC), 1, date(2026, 10, 12)),  # Sat 10-10 00:00 CST
        (datetime(2026, 10, 9, 15, 0, tzinfo=UTC), 1, date(2026, 10, 10)),  # Fri 23:00 CST
        (datetime(2026, 10, 9, 23, 0), 1, date(2026, 10, 10)),  # naive = China time
    ],
)
def test_instants_are_taken_in_china_time(start: datetime, n: int, expected: date) -> None:
    assert OFFICIAL.add_working_days(start, n).value == expected


@pytest.mark.parametrize("n", [-1, True, 1.5])
def test_bad_counts(n: object) -> None:
    with pytest.raises(PolicyError):
        OFFICIAL.add_working_days(date(2026, 1, 1), n)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "end", "count", "provisional"),
    [
        (date(2026, 9, 30), date(2026, 9, 30), 0, False),
        (date(2026, 9, 30), date(2026, 10, 7), 0, False),
        (date(2026, 9, 30), date(2026, 10, 10), 3, False),
        (date(2026, 9, 30), date(2026, 10, 20), 10, False),
        (date(2026, 9, 30), date(2026, 10, 16), 8, False),
        (date(2026, 12, 24), date(2027, 1, 7), 10, True),
        (date(2026, 12, 24), date(2026, 12, 31), 5, False),
    ],
)
def test_working_days_between(start: date, end: date, count: int, provisional: bool) -> None:
    result = OFFICIAL.working_days_between(start, end)
    assert (result.value, result.provisional) == (count, provisional)


def test_working_days_between_with_override() -> None:
    assert WITH_2027.working_days_between(date(2026, 12, 24), date(2027, 1, 8)) == CalendarResult(10, False, ())


def test_reversed_range() -> None:
    with pytest.raises(PolicyError) as caught:
        OFFICIAL.working_days_between(date(2026, 10, 2), date(2026, 10, 1))
    assert caught.value.code == "reversed_range"


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_between_inverts_add(start: date, n: int) -> None:
    for calendar in (OFFICIAL, WITH_2027):
        end = calendar.add_working_days(start, n)
        between = calendar.working_days_between(start, end.value)
        assert between.value == n
        assert between.provisional == end.provisional
        assert n == 0 or calendar.is_working_day(end.value)


def test_coverage() -> None:
    assert OFFICIAL.official_years == tuple(range(2004, 2027))
    assert not OFFICIAL.covers(2027)
    assert WITH_2027.covers(2027)
    assert WITH_2027.override_years == (2027,)
    assert OFFICIAL.with_overrides([OVERRIDE_2027]).covers(2027)
    assert WITH_2027.override_for(2027) is OVERRIDE_2027


def test_special_days_2026_october() -> None:
    october = [(info.day, info.kind) for info in OFFICIAL.special_days(2026) if info.day >= date(2026, 9, 1)]
    assert october == [
        (date(2026, 9, 20), DayKind.MAKEUP_WORKDAY),
        (date(2026, 9, 25), DayKind.HOLIDAY),
        (date(2026, 9, 26), DayKind.HOLIDAY),
        (date(2026, 9, 27), DayKind.HOLIDAY),
        *((date(2026, 10, d), DayKind.HOLIDAY) for d in range(1, 8)),
        (date(2026, 10, 10), DayKind.MAKEUP_WORKDAY),
    ]
    assert OFFICIAL.special_days(2027) == ()


@pytest.mark.parametrize(
    ("holidays", "workdays", "code"),
    [
        ({date(2028, 1, 1): "元旦"}, {}, "wrong_year"),
        ({}, {date(2026, 12, 26): "调休"}, "wrong_year"),
        ({date(2027, 1, 2): "元旦"}, {date(2027, 1, 2): "调休"}, "conflict"),
    ],
)
def test_year_data_validation(holidays: dict, workdays: dict, code: str) -> None:
    with pytest.raises(PolicyError) as caught:
        YearData(2027, holidays, workdays)
    assert caught.value.code == code


def test_year_data_is_immutable() -> None:
    source = {date(2027, 1, 1): "元旦"}
    data = YearData(2027, source)
    source[date(2027, 1, 2)] = "x"
    assert date(2027, 1, 2) not in data.holidays
    with pytest.raises(TypeError):
        data.holidays[date(2027, 1, 3)] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 9, 28), 7, date(2026, 10, 5)),  # calendar days ignore holidays
        (date(2026, 12, 28), 7, date(2027, 1, 4)),
        (date(2028, 2, 25), 5, date(2028, 3, 1)),
        (date(2026, 1, 1), 0, date(2026, 1, 1)),
    ],
)
def test_add_calendar_days(start: date, days: int, expected: date) -> None:
    assert add_calendar_days(start, days) == expected


@pytest.mark.parametrize(
    ("start", "days", "first", "last"),
    [
        (date(2026, 11, 27), 7, date(2026, 11, 27), date(2026, 12, 3)),
        (date(2026, 9, 30), 7, date(2026, 9, 30), date(2026, 10, 6)),
        (date(2026, 12, 29), 7, date(2026, 12, 29), date(2027, 1, 4)),
        (date(2026, 1, 1), 1, date(2026, 1, 1), date(2026, 1, 1)),
    ],
)
def test_publicity_period(start: date, days: int, first: date, last: date) -> None:
    assert publicity_period(start, days) == (first, last)


@pytest.mark.parametrize("days", [0, -7])
def test_publicity_period_needs_days(days: int) -> None:
    with pytest.raises(PolicyError):
        publicity_period(date(2026, 1, 1), days)


@pytest.mark.parametrize(
    ("instant", "hours", "expected"),
    [
        (
            datetime(2026, 9, 30, 18, 0, tzinfo=CST),
            24,
            datetime(2026, 10, 1, 18, 0, tzinfo=CST),
        ),  # holidays count
        (datetime(2026, 9, 30, 18, 0), 24, datetime(2026, 10, 1, 18, 0, tzinfo=CST)),
        (datetime(2026, 12, 31, 12, 0, tzinfo=UTC), 24, datetime(2027, 1, 1, 20, 0, tzinfo=CST)),
        (datetime(2026, 1, 1, tzinfo=CST), 0, datetime(2026, 1, 1, tzinfo=CST)),
    ],
)
def test_add_hours(instant: datetime, hours: int, expected: datetime) -> None:
    result = add_hours(instant, hours)
    assert result == expected
    assert result.tzinfo is not None


def test_add_hours_rejects_negative() -> None:
    with pytest.raises(PolicyError):
        add_hours(datetime(2026, 1, 1, tzinfo=CST), -1)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (date(2026, 11, 27), date(2026, 12, 1)),
        (date(2026, 12, 1), date(2027, 1, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
        (date(2028, 1, 31), date(2028, 2, 1)),
        (date(2028, 2, 29), date(2028, 3, 1)),
        (datetime(2026, 11, 30, 20, 0, tzinfo=UTC), date(2027, 1, 1)),  # already Dec 1 in China
        (datetime(2026, 11, 30, 15, 0, tzinfo=UTC), date(2026, 12, 1)),
    ],
)
def test_first_day_of_next_month(moment: date, expected: date) -> None:
    assert first_day_of_next_month(moment) == expected


def test_end_of_day_and_local_date() -> None:
    assert end_of_day(date(2026, 12, 31)) == datetime(2027, 1, 1, tzinfo=CST)
    assert local_date(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == date(2027, 1, 1)
    assert local_date(date(2026, 1, 1)) == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("result", "text"),
    [
        (CalendarResult(date(2026, 10, 20), False), "2026-10-20"),
        (CalendarResult(date(2027, 1, 7), True, (2027,)), "2027-01-07 provisional"),
        (CalendarResult(3, True, (2027,)), "3 provisional"),
    ],
)
def test_result_text(result: CalendarResult, text: str) -> None:
    assert str(result) == text
