"""Parsing, printing and arithmetic of FEEL temporal values (dates, times, durations)."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .values import YearsMonths

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME_RE = re.compile(
    r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(Z|[+-]\d{2}:\d{2}(?::\d{2})?|@[A-Za-z][A-Za-z0-9_/+\-]*)?"
)
_DURATION_RE = re.compile(
    r"(-)?P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)


def zone(name: str) -> tzinfo | None:
    """A zone id (`Europe/Berlin`, `Z`, `UTC`, `+01:00`) as tzinfo, or None if unknown."""
    if name == "Z":
        return UTC
    m = re.fullmatch(r"([+-])(\d{2}):(\d{2})(?::(\d{2}))?", name)
    if m:
        return _offset(m.group(0))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _offset(text: str) -> timezone | None:
    sign = -1 if text[0] == "-" else 1
    parts = text[1:].split(":")
    h, m = int(parts[0]), int(parts[1])
    s = int(parts[2]) if len(parts) > 2 else 0
    if h > 18 or m > 59 or s > 59:
        return None
    delta = timedelta(hours=h, minutes=m, seconds=s) * sign
    return UTC if not delta else timezone(delta)


def parse_date(text: str) -> date | None:
    m = _DATE_RE.fullmatch(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _parse_time_parts(m: re.Match[str]) -> time | None:
    hour, minute = int(m.group(1)), int(m.group(2))
    second = int(m.group(3) or 0)
    frac = m.group(4) or ""
    micro = int((frac + "000000")[:6]) if frac else 0
    tz: tzinfo | None = None
    suffix = m.group(5)
    if suffix:
        tz = zone(suffix[1:]) if suffix[0] == "@" else (UTC if suffix == "Z" else _offset(suffix))
        if tz is None:
            return None
    if hour == 24 and minute == 0 and second == 0 and micro == 0:
        hour = 0
    try:
        return time(hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        return None


def parse_time(text: str) -> time | None:
    m = _TIME_RE.fullmatch(text)
    return _parse_time_parts(m) if m else None


def parse_datetime(text: str) -> datetime | None:
    d = parse_date(text)
    if d is not None:
        return datetime(d.year, d.month, d.day)
    head, sep, tail = text.partition("T")
    if not sep:
        return None
    d = parse_date(head)
    m = _TIME_RE.fullmatch(tail)
    if d is None or m is None or m.group(3) is None:
        return None
    t = _parse_time_parts(m)
    if t is None:
        return None
    return datetime.combine(d, t)


def parse_duration(text: str) -> timedelta | YearsMonths | None:
    m = _DURATION_RE.fullmatch(text)
    if not m or text.endswith("T"):
        return None
    neg, y, mo, w, d, h, mi, s = m.groups()
    has_ym = y is not None or mo is not None
    has_dt = any(v is not None for v in (w, d, h, mi, s))
    sign = -1 if neg else 1
    if has_ym and not has_dt:
        return YearsMonths(sign * (int(y or 0) * 12 + int(mo or 0)))
    if has_dt and not has_ym:
        secs = Decimal(s or 0)
        try:
            td = timedelta(
                days=int(d or 0) + 7 * int(w or 0),
                hours=int(h or 0),
                minutes=int(mi or 0),
                seconds=int(secs),
                microseconds=int((secs % 1) * 1_000_000),
            )
        except OverflowError:
            return None
        return -td if neg else td
    return None


# --- printing (FEEL `string()` forms) --------------------------------------------------------


def _fraction(micro: int) -> str:
    return ("." + f"{micro:06d}".rstrip("0")) if micro else ""


def _offset_text(delta: timedelta | None) -> str:
    if delta is None:
        return ""
    total = int(delta.total_seconds())
    if total == 0:
        return "Z"
    sign = "-" if total < 0 else "+"
    total = abs(total)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{sign}{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _zone_suffix(tz: tzinfo | None, offset: timedelta | None) -> str:
    if isinstance(tz, ZoneInfo):
        return "@" + tz.key
    return _offset_text(offset)


def format_date(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def format_time(t: time) -> str:
    base = f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}{_fraction(t.microsecond)}"
    if t.tzinfo is None:
        return base
    if isinstance(t.tzinfo, ZoneInfo):
        return base + "@" + t.tzinfo.key
    return base + _offset_text(t.utcoffset())


def format_datetime(dt: datetime) -> str:
    base = f"{format_date(dt)}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}{_fraction(dt.microsecond)}"
    if dt.tzinfo is None:
        return base
    return base + _zone_suffix(dt.tzinfo, dt.utcoffset())


def format_day_time(td: timedelta) -> str:
    micros = (td.days * 86400 + td.seconds) * 1_000_000 + td.microseconds
    if micros == 0:
        return "P0D"
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    secs, micro = divmod(micros, 1_000_000)
    days, secs = divmod(secs, 86400)
    hours, secs = divmod(secs, 3600)
    minutes, secs = divmod(secs, 60)
    out = f"{sign}P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if secs or micro:
        clock += f"{secs}{_fraction(micro)}S"
    return out + ("T" + clock if clock else "")


def format_years_months(ym: YearsMonths) -> str:
    if ym.months == 0:
        return "P0Y"
    sign = "-" if ym.months < 0 else ""
    y, m = divmod(abs(ym.months), 12)
    return f"{sign}P" + (f"{y}Y" if y else "") + (f"{m}M" if m else "")


# --- Zeebe's JSON forms (java.time toString / ISO formatters) --------------------------------


def _java_time(t: time) -> str:
    # java.time.LocalTime.toString: seconds dropped when zero, fraction in groups of three
    out = f"{t.hour:02d}:{t.minute:02d}"
    if t.second or t.microsecond:
        out += f":{t.second:02d}"
        if t.microsecond:
            out += f".{t.microsecond // 1000:03d}" if t.microsecond % 1000 == 0 else f".{t.microsecond:06d}"
    return out


def zeebe_string(value: Any) -> str:
    """How Zeebe writes a temporal result into a process variable."""
    if isinstance(value, datetime):
        base = f"{format_date(value)}T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
        base += _fraction(value.microsecond)
        return base + _offset_text(value.utcoffset()) if value.tzinfo is not None else base
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, time):
        return format_time(value) if value.tzinfo is not None else _java_time(value)
    if isinstance(value, timedelta):
        return format_day_time(value)
    if isinstance(value, YearsMonths):
        return format_years_months(value)
    raise TypeError(type(value).__name__)


# --- arithmetic ------------------------------------------------------------------------------


def add_months(d: Any, months: int) -> Any:
    """java.time plusMonths: clamp the day to the end of the target month."""
    total = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(total, 12)
    day = min(d.day, calendar.monthrange(year, month0 + 1)[1])
    return d.replace(year=year, month=month0 + 1, day=day)


def months_between(a: date, b: date) -> int:
    """java.time Period.between(a, b) in whole months (days dropped)."""
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if months > 0 and b.day < a.day:
        months -= 1
    elif months < 0 and b.day > a.day:
        months += 1
    return months


def same_kind_datetimes(a: datetime, b: datetime) -> bool:
    return (a.tzinfo is None) == (b.tzinfo is None)


def time_of(dt: datetime) -> time:
    return dt.timetz()


def is_date(v: Any) -> bool:
    return type(v) is date


def day_time_seconds(td: timedelta) -> Decimal:
    return Decimal(td.days * 86400 + td.seconds) + Decimal(td.microseconds) / 1_000_000
