"""The I/O side of the working-day calendar, and the ``calendar`` operator commands.

``chinesecalendar`` knows official holidays and make-up workdays up to 2026 (DESIGN.md); later
years come from an operator-maintained override file (see docs/calendar-override.example.toml).
``jiuzhu calendar import FILE`` validates such a file and merges it, year by year, into
``<data-dir>/calendar-overrides.toml``; every calendar command (and :func:`load_calendar`, for
workers) reads that file back. The pure rules live in :mod:`jiuzhu.policy.calendar`.

Commands (also runnable alone: ``python -m jiuzhu.calendar_admin add-working-days 2026-12-24 10``):
  add-working-days DATE N     the N-th working day after DATE; "provisional" when unofficial days were used
  count-working-days START END  working days in (START, END]
  show YEAR                   holidays and make-up workdays of YEAR
  import FILE                 validate FILE (TOML or JSON) and store it in the data dir
Errors go to stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from jiuzhu.policy.calendar import DayKind, WorkingCalendar, YearData, local_date
from jiuzhu.policy.errors import PolicyError

OVERRIDE_FILENAME = "calendar-overrides.toml"
DEFAULT_DATA_DIR = "./var"
DATA_DIR_ENV = "JIUZHU_DATA_DIR"
EXIT_ERROR = 2

_TOP_KEYS = frozenset({"schema", "note", "years"})
_YEAR_KEYS = frozenset({"source", "note", "holidays", "workdays"})
_ENTRY_KEYS = frozenset({"date", "start", "end", "name"})
_MAX_RANGE_DAYS = 31  # no holiday period is longer; a longer range is a typing error
_DEFAULT_WORKDAY_NAME = "调休上班"
_WEEKDAYS = "一二三四五六日"


class OverrideFileError(Exception):
    """An override file that cannot be used; ``problems`` lists every issue found."""

    def __init__(self, origin: str, problems: Sequence[str]) -> None:
        self.origin = origin
        self.problems = tuple(problems)
        super().__init__(f"覆盖文件 {origin} 有误：\n" + "\n".join(f"  - {p}" for p in self.problems))


# ---------------------------------------------------------------------------- reading, validating


def _as_date(value: Any, where: str, problems: list[str]) -> date | None:
    if isinstance(value, datetime):
        problems.append(f"{where}: 只能填写日期，不能带时间（{value.isoformat()}）")
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(f"{where}: 日期格式应为 YYYY-MM-DD，实际为 {value!r}")
    return None


def _entries(raw: Any, year: int, where: str, *, name_required: bool, problems: list[str]) -> dict[date, str]:
    found: dict[date, str] = {}
    if not isinstance(raw, list):
        problems.append(f"{where}: 应为数组（[...]），实际为 {type(raw).__name__}")
        return found
    for index, entry in enumerate(raw):
        at = f"{where}[{index}]"
        if not isinstance(entry, Mapping):
            problems.append(
                f"{at}: 每一项应为 {{ date = ..., name = ... }} 或 {{ start = ..., end = ..., name = ... }}"
            )
            continue
        unknown = sorted(set(entry) - _ENTRY_KEYS)
        if unknown:
            problems.append(f"{at}: 未知字段 {', '.join(unknown)}")
        name = entry.get("name", None if name_required else _DEFAULT_WORKDAY_NAME)
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{at}: 缺少名称 name（如“春节”）")
            continue
        if "date" in entry and ("start" in entry or "end" in entry):
            problems.append(f"{at}: date 与 start/end 只能二选一")
            continue
        if "date" in entry:
            day = _as_date(entry["date"], f"{at}.date", problems)
            days = [day] if day is not None else []
        elif "start" in entry and "end" in entry:
            start = _as_date(entry["start"], f"{at}.start", problems)
            end = _as_date(entry["end"], f"{at}.end", problems)
            if start is None or end is None:
                continue
            if end < start:
                problems.append(f"{at}: 结束日期 {end} 早于开始日期 {start}")
                continue
            if (end - start).days >= _MAX_RANGE_DAYS:
                problems.append(f"{at}: 日期范围 {start}—{end} 超过{_MAX_RANGE_DAYS}天，请检查")
                continue
            days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
        else:
            problems.append(f"{at}: 需要 date，或同时给出 start 和 end")
            continue
        for day in days:
            if day.year != year:
                problems.append(f"{at}: 日期 {day} 不属于 {year} 年")
            elif day in found:
                problems.append(f"{at}: 日期 {day} 重复出现")
            else:
                found[day] = name.strip()
    return found


def parse_overrides(data: Mapping[str, Any], *, origin: str = "<data>") -> tuple[YearData, ...]:
    """Validate a decoded override document; raise :class:`OverrideFileError` listing all problems."""
    problems: list[str] = []
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        problems.append(f"未知的顶层字段：{', '.join(unknown)}（应为 years）")
    schema = data.get("schema", 1)
    if schema != 1:
        problems.append(f"schema 应为 1，实际为 {schema!r}")
    years_raw = data.get("years")
    if not isinstance(years_raw, Mapping) or not years_raw:
        problems.append("缺少 [years.YYYY] 段落")
        raise OverrideFileError(origin, problems)
    result: list[YearData] = []
    for key, body in years_raw.items():
        where = f"years.{key}"
        text = str(key)
        if not (text.isascii() and text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2200):
            problems.append(f"{where}: 年份应为 2000—2200 之间的四位数字")
            continue
        year = int(text)
        if not isinstance(body, Mapping):
            problems.append(f"{where}: 应为表（[years.{year}]）")
            continue
        unknown = sorted(set(body) - _YEAR_KEYS)
        if unknown:
            problems.append(f"{where}: 未知字段 {', '.join(unknown)}")
        source = body.get("source", "")
        if not isinstance(source, str):
            problems.append(f"{where}.source: 应为文字")
            source = ""
        if "holidays" not in body:
            problems.append(f"{where}: 缺少 holidays（节假日）")
        holidays = _entries(body.get("holidays", []), year, f"{where}.holidays", name_required=True, problems=problems)
        workdays = _entries(body.get("workdays", []), year, f"{where}.workdays", name_required=False, problems=problems)
        for day in sorted(set(holidays) & set(workdays)):
            problems.append(f"{where}: {day} 同时被列为节假日和调休上班日")
        for day in sorted(workdays):
            if day.weekday() < 5:
                problems.append(f"{where}.workdays: {day} 是星期{_WEEKDAYS[day.weekday()]}，调休上班日应为周六或周日")
        if not problems:
            result.append(YearData(year, holidays, workdays, source or origin))
    if problems:
        raise OverrideFileError(origin, problems)
    return tuple(sorted(result, key=lambda data: data.year))


def read_override_file(path: Path) -> tuple[YearData, ...]:
    """Read and validate an override file: TOML (``.toml``) or JSON (``.json``)."""
    origin = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise OverrideFileError(origin, [f"无法读取文件：{error.strerror or error}"]) from None
    try:
        data = json.loads(raw.decode("utf-8")) if path.suffix.lower() == ".json" else tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise OverrideFileError(origin, ["文件不是 UTF-8 编码"]) from None
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise OverrideFileError(origin, [f"格式错误：{error}"]) from None
    if not isinstance(data, Mapping):
        raise OverrideFileError(origin, ["顶层应为表/对象"])
    return parse_overrides(data, origin=origin)


# ---------------------------------------------------------------------------- storing


def _toml_string(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(text, ensure_ascii=False)


def dump_overrides(years: Sequence[YearData]) -> str:
    """TOML text for ``years`` that :func:`parse_overrides` reads back unchanged."""
    lines = [
        "# Working-day calendar overrides, maintained with `jiuzhu calendar import`.",
        "# Each [years.YYYY] section replaces that year as a whole on the next import.",
        "schema = 1",
    ]
    for data in sorted(years, key=lambda item: item.year):
        lines += ["", f"[years.{data.year}]"]
        if data.source:
            lines.append(f"source = {_toml_string(data.source)}")
        for key, days in (("holidays", data.holidays), ("workdays", data.workdays)):
            lines.append(f"{key} = [")
            lines += [f"  {{ date = {day.isoformat()}, name = {_toml_string(days[day])} }}," for day in sorted(days)]
            lines.append("]")
    return "\n".join(lines) + "\n"


def override_path(data_dir: Path) -> Path:
    return data_dir / OVERRIDE_FILENAME


def load_overrides(data_dir: Path | str) -> tuple[YearData, ...]:
    """The stored overrides of ``data_dir`` (none if the file does not exist)."""
    path = override_path(Path(data_dir))
    if not path.exists():
        return ()
    return read_override_file(path)


def load_calendar(data_dir: Path | str | None = None) -> WorkingCalendar:
    """Official data plus the overrides stored in ``data_dir`` — what workers should use."""
    return WorkingCalendar.standard(load_overrides(resolve_data_dir(data_dir)))


def import_overrides(source: Path, data_dir: Path) -> tuple[tuple[YearData, ...], tuple[int, ...]]:
    """Validate ``source`` and merge it into ``data_dir`` year by year.

    Returns (imported years, years that replaced a previously stored version).
    """
    incoming = read_override_file(source)
    stored = {data.year: data for data in load_overrides(data_dir)}
    replaced = tuple(data.year for data in incoming if data.year in stored)
    stored.update({data.year: data for data in incoming})
    text = dump_overrides(tuple(stored.values()))
    parse_overrides(tomllib.loads(text), origin="<generated>")  # what we write must read back
    data_dir.mkdir(parents=True, exist_ok=True)
    target = override_path(data_dir)
    handle, temporary = tempfile.mkstemp(dir=data_dir, prefix=".calendar-", suffix=".toml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)  # atomic: readers never see half a file
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return incoming, replaced


def resolve_data_dir(explicit: Path | str | None = None, args: argparse.Namespace | None = None) -> Path:
    """``--data-dir`` of the command, else the main CLI's ``data_dir``, else $JIUZHU_DATA_DIR, else ./var."""
    if explicit:
        return Path(explicit)
    inherited = getattr(args, "data_dir", None) if args is not None else None
    if inherited:
        return Path(inherited)
    return Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


# ---------------------------------------------------------------------------- command line


def _date_argument(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return local_date(datetime.fromisoformat(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text!r}") from None


def _count_argument(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"天数应为非负整数：{text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"天数不能为负数：{value}")
    return value


def _year_argument(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"年份应为四位数字：{text!r}")
    return int(text)


def _add_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="calendar_command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            "--data-dir",
            dest="calendar_data_dir",
            metavar="DIR",
            help=f"数据目录（默认：主命令的 --data-dir、${DATA_DIR_ENV} 或 {DEFAULT_DATA_DIR}）",
        )
        return sub

    add = command("add-working-days", "DATE 之后第 N 个工作日（当日不计）")
    add.add_argument("date", type=_date_argument, metavar="DATE")
    add.add_argument("days", type=_count_argument, metavar="N")
    count = command("count-working-days", "START（不含）至 END（含）之间的工作日数")
    count.add_argument("start", type=_date_argument, metavar="START")
    count.add_argument("end", type=_date_argument, metavar="END")
    show = command("show", "列出某年的法定节假日和调休上班日")
    show.add_argument("year", type=_year_argument, metavar="YEAR")
    imp = command("import", "校验覆盖文件（TOML/JSON）并存入数据目录")
    imp.add_argument("file", type=Path, metavar="FILE")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``calendar`` command to the main ``jiuzhu`` CLI."""
    parser = subparsers.add_parser(
        "calendar",
        help="工作日日历：节假日、调休与覆盖文件",
        description="工作日日历：节假日、调休与覆盖文件",
    )
    _add_commands(parser)
    parser.set_defaults(func=run)


def _show(calendar: WorkingCalendar, year: int) -> None:
    override = calendar.override_for(year)
    if year in calendar.official_years and override is not None:
        source = f"官方数据 + 覆盖文件（{override.source}）" if override.source else "官方数据 + 覆盖文件"
    elif year in calendar.official_years:
        source = "官方数据（chinesecalendar）"
    elif override is not None:
        source = f"覆盖文件（{override.source}）" if override.source else "覆盖文件"
    else:
        print(f"{year}年：无官方数据，也无覆盖文件；工作日按星期推算 provisional")
        return
    days = calendar.special_days(year)
    holidays = sum(1 for info in days if info.kind is DayKind.HOLIDAY)
    print(f"{year}年 节假日与调休（来源：{source}）：放假 {holidays} 天，调休上班 {len(days) - holidays} 天")
    for info in days:
        weekday = _WEEKDAYS[info.day.weekday()]
        print(f"{info.day.isoformat()}  周{weekday}  {info.kind}  {info.name or ''}".rstrip())


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``calendar`` command; 0 on success, 2 on error (message on stderr)."""
    data_dir = resolve_data_dir(getattr(args, "calendar_data_dir", None), args)
    try:
        if args.calendar_command == "import":
            imported, replaced = import_overrides(args.file, data_dir)
            calendar = WorkingCalendar.standard()
            for data in imported:
                if data.year in calendar.official_years:
                    print(f"注意：{data.year} 年已有官方数据，覆盖文件中的日期将优先于官方数据", file=sys.stderr)
            years = "、".join(str(data.year) for data in imported)
            note = f"（替换了原有的 {'、'.join(map(str, replaced))} 年）" if replaced else ""
            print(f"已导入 {years} 年的节假日安排到 {override_path(data_dir)}{note}")
            return 0
        calendar = WorkingCalendar.standard(load_overrides(data_dir))
        if args.calendar_command == "add-working-days":
            print(calendar.add_working_days(args.date, args.days))
        elif args.calendar_command == "count-working-days":
            print(calendar.working_days_between(args.start, args.end))
        elif args.calendar_command == "show":
            _show(calendar, args.year)
        else:  # pragma: no cover - argparse only lets known commands through
            print(f"错误：未知命令 {args.calendar_command}", file=sys.stderr)
            return EXIT_ERROR
    except OverrideFileError as error:
        print(f"错误：{error}", file=sys.stderr)
        return EXIT_ERROR
    except PolicyError as error:
        print(f"错误：{error.message}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        print(f"错误：{error}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jiuzhu.calendar_admin", description="工作日日历")
    _add_commands(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
