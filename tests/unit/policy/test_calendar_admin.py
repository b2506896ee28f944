"""The calendar operator CLI and override-file loader (jiuzhu.calendar_admin).

These touch only pytest's tmp_path; the command-line tests call ``main`` in-process, and one
runs ``python -m jiuzhu.calendar_admin`` to prove the module runs alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest

from jiuzhu import calendar_admin
from jiuzhu.calendar_admin import (
    OverrideFileError,
    dump_overrides,
    load_calendar,
    load_overrides,
    main,
    parse_overrides,
    read_override_file,
    register,
    resolve_data_dir,
)
from jiuzhu.policy.calendar import DayKind, YearData

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]

OVERRIDE_2027 = """\
schema = 1
[years.2027]
source = "测试：假定的2027年安排"
holidays = [
  { date = 2027-01-01, name = "元旦" },
  { start = 2027-02-05, end = 2027-02-12, name = "春节" },
]
workdays = [
  { date = 2027-01-09, name = "元旦调休" },
  { date = 2027-02-20 },
]
"""

OVERRIDE_2028 = """\
[years.2028]
holidays = [ { date = 2028-01-01, name = "元旦" } ]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "stdout"),
    [
        (["add-working-days", "2026-09-30", "10"], "2026-10-20\n"),
        (["add-working-days", "2026-09-30", "0"], "2026-09-30\n"),
        (["add-working-days", "2026-09-30", "3"], "2026-10-10\n"),
        (["add-working-days", "2026-12-24", "5"], "2026-12-31\n"),
        (["add-working-days", "2026-12-24", "10"], "2027-01-07 provisional\n"),
        (["add-working-days", "2026-09-30T23:00:00+08:00", "1"], "2026-10-08\n"),
        (["count-working-days", "2026-09-30", "2026-10-20"], "10\n"),
        (["count-working-days", "2026-12-24", "2027-01-07"], "10 provisional\n"),
    ],
)
def test_commands_without_overrides(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], stdout: str
) -> None:
    code, out, err = run_cli(capsys, *argv, "--data-dir", str(tmp_path))
    assert (code, out, err) == (0, stdout, "")


def test_import_makes_2027_official(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = tmp_path / "var"
    source = write(tmp_path, "2027.toml", OVERRIDE_2027)
    code, out, err = run_cli(capsys, "import", str(source), "--data-dir", str(data))
    assert code == 0, err
    assert "已导入 2027 年" in out
    assert (data / "calendar-overrides.toml").is_file()
    assert run_cli(capsys, "add-working-days", "2026-12-24", "10", "--data-dir", str(data)) == (
        0,
        "2027-01-08\n",
        "",
    )
    assert run_cli(capsys, "add-working-days", "2027-01-07", "2", "--data-dir", str(data))[1] == "2027-01-09\n"
    assert run_cli(capsys, "add-working-days", "2027-12-24", "10", "--data-dir", str(data))[1] == (
        "2028-01-07 provisional\n"
    )


def test_import_merges_years_and_replaces_a_reimported_year(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = tmp_path / "var"
    assert run_cli(capsys, "import", str(write(tmp_path, "a.toml", OVERRIDE_2027)), "--data-dir", str(data))[0] == 0
    assert run_cli(capsys, "import", str(write(tmp_path, "b.toml", OVERRIDE_2028)), "--data-dir", str(data))[0] == 0
    assert [y.year for y in load_overrides(data)] == [2027, 2028]
    smaller = '[years.2027]\nholidays = [ { date = 2027-01-01, name = "元旦" } ]\n'
    code, out, _ = run_cli(capsys, "import", str(write(tmp_path, "c.toml", smaller)), "--data-dir", str(data))
    assert code == 0
    assert "替换了原有的 2027 年" in out
    stored = {y.year: y for y in load_overrides(data)}
    assert set(stored) == {2027, 2028}
    assert list(stored[2027].holidays) == [date(2027, 1, 1)]
    assert stored[2027].workdays == {}


def test_import_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    document = {"years": {"2027": {"holidays": [{"date": "2027-01-01", "name": "元旦"}], "workdays": []}}}
    source = write(tmp_path, "2027.json", json.dumps(document, ensure_ascii=False))
    assert run_cli(capsys, "import", str(source), "--data-dir", str(tmp_path / "var"))[0] == 0
    assert load_calendar(tmp_path / "var").day(date(2027, 1, 1)).kind is DayKind.HOLIDAY


def test_import_for_a_year_with_official_data_warns(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = write(tmp_path, "2026.toml", '[years.2026]\nholidays = [ { date = 2026-10-08, name = "国庆节" } ]\n')
    code, _, err = run_cli(capsys, "import", str(source), "--data-dir", str(tmp_path / "var"))
    assert code == 0
    assert "2026 年已有官方数据" in err
    assert run_cli(capsys, "add-working-days", "2026-09-30", "1", "--data-dir", str(tmp_path / "var"))[1] == (
        "2026-10-09\n"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[years.2027\n", "格式错误"),
        ("title = 1\n[years.2027]\nholidays = []\n", "未知的顶层字段：title"),
        ("schema = 2\n[years.2027]\nholidays = []\n", "schema 应为 1"),
        ("x = 1\n", "缺少 [years.YYYY] 段落"),
        ("[years.27]\nholidays = []\n", "years.27: 年份应为 2000—2200 之间的四位数字"),
        ("[years.2027]\nworkdays = []\n", "years.2027: 缺少 holidays"),
        ("[years.2027]\nholidays = []\ncolor = 1\n", "years.2027: 未知字段 color"),
        (
            '[years.2027]\nholidays = [ { date = 2028-01-01, name = "元旦" } ]\n',
            "日期 2028-01-01 不属于 2027 年",
        ),
        ("[years.2027]\nholidays = [ { date = 2027-01-01 } ]\n", "years.2027.holidays[0]: 缺少名称 name"),
        ('[years.2027]\nholidays = [ { date = "2027-13-01", name = "x" } ]\n', "日期格式应为 YYYY-MM-DD"),
        ('[years.2027]\nholidays = [ { date = 2027-01-01T08:00:00, name = "x" } ]\n', "不能带时间"),
        (
            '[years.2027]\nholidays = [ { start = 2027-02-12, end = 2027-02-05, name = "春节" } ]\n',
            "早于开始日期",
        ),
        (
            '[years.2027]\nholidays = [ { start = 2027-01-01, end = 2027-03-01, name = "春节" } ]\n',
            "超过31天",
        ),
        ('[years.2027]\nholidays = [ { start = 2027-01-01, name = "春节" } ]\n', "同时给出 start 和 end"),
        (
            '[years.2027]\nholidays = [ { date = 2027-01-01, start = 2027-01-01, end = 2027-01-02, name = "x" } ]\n',
            "只能二选一",
        ),
        (
            '[years.2027]\nholidays = [ { date = 2027-01-01, name = "a" }, { date = 2027-01-01, name = "b" } ]\n',
            "日期 2027-01-01 重复出现",
        ),
        (
            '[years.2027]\nholidays = [ { date = 2027-01-02, name = "a" } ]\nworkdays = [ { date = 2027-01-02 } ]\n',
            "同时被列为节假日和调休上班日",
        ),
        (
            "[years.2027]\nholidays = []\nworkdays = [ { date = 2027-01-06 } ]\n",
            "2027-01-06 是星期三，调休上班日应为周六或周日",
        ),
        ('[years.2027]\nholidays = "元旦"\n', "应为数组"),
        ("[years.2027]\nholidays = [ 5 ]\n", "每一项应为"),
    ],
)
def test_invalid_files_exit_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, problem: str
) -> None:
    data = tmp_path / "var"
    run_cli(capsys, "import", str(write(tmp_path, "good.toml", OVERRIDE_2028)), "--data-dir", str(data))
    before = (data / "calendar-overrides.toml").read_text(encoding="utf-8")
    code, out, err = run_cli(capsys, "import", str(write(tmp_path, "bad.toml", text)), "--data-dir", str(data))
    assert code == 2
    assert out == ""
    assert err.startswith("错误：覆盖文件")
    assert problem in err
    assert (data / "calendar-overrides.toml").read_text(encoding="utf-8") == before  # nothing stored


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = '[years.2027]\nholidays = [ { date = 2028-01-01, name = "a" }, { date = 2027-01-01 } ]\nx = 1\n'
    with pytest.raises(OverrideFileError) as caught:
        read_override_file(write(tmp_path, "bad.toml", text))
    assert len(caught.value.problems) == 3


@pytest.mark.parametrize(
    "argv",
    [
        ["import", "missing.toml"],
        ["add-working-days", "2026-01-01", "1"],  # with a corrupt stored file
    ],
)
def test_io_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]) -> None:
    data = tmp_path / "var"
    data.mkdir()
    (data / "calendar-overrides.toml").write_text("not = [valid", encoding="utf-8")
    code, out, err = run_cli(capsys, *argv, "--data-dir", str(data))
    assert code == 2
    assert out == ""
    assert err.startswith("错误：")


def test_not_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "gbk.toml"
    source.write_bytes('[years.2027]\nholidays = [ { date = 2027-01-01, name = "元旦" } ]\n'.encode("gbk"))
    code, _, err = run_cli(capsys, "import", str(source), "--data-dir", str(tmp_path))
    assert code == 2
    assert "UTF-8" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["add-working-days", "2026-13-01", "3"],
        ["add-working-days", "2026-10-01", "-1"],
        ["add-working-days", "2026-10-01", "three"],
        ["count-working-days", "2026-10-02", "bad"],
        ["show", "26"],
        ["frobnicate"],
        [],
    ],
)
def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert capsys.readouterr().err


def test_reversed_count_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "count-working-days", "2026-10-02", "2026-10-01", "--data-dir", str(tmp_path))
    assert code == 2
    assert "早于开始日期" in err


def test_show_2026(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "show", "2026", "--data-dir", str(tmp_path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("2026年 节假日与调休（来源：官方数据（chinesecalendar））")
    assert "2026-09-20  周日  调休上班日  国庆节调休" in lines
    assert "2026-09-25  周五  法定节假日  中秋节" in lines
    assert "2026-10-01  周四  法定节假日  国庆节" in lines
    assert "2026-10-10  周六  调休上班日  国庆节调休" in lines
    assert "2026-10-11" not in out


def test_show_unknown_and_imported_year(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "show", "2027", "--data-dir", str(tmp_path))
    assert code == 0
    assert "provisional" in out
    run_cli(capsys, "import", str(write(tmp_path, "2027.toml", OVERRIDE_2027)), "--data-dir", str(tmp_path))
    code, out, _ = run_cli(capsys, "show", "2027", "--data-dir", str(tmp_path))
    assert "覆盖文件（测试：假定的2027年安排）" in out
    assert "2027-02-20  周六  调休上班日  调休上班" in out
    assert "provisional" not in out


def test_dump_reads_back() -> None:
    years = (
        YearData(2027, {date(2027, 1, 1): '元旦 "新年"'}, {date(2027, 1, 9): "调休\\x"}, "来源"),
        YearData(2028, {date(2028, 1, 1): "元旦"}, source="2028.toml"),
    )
    assert parse_overrides(tomllib.loads(dump_overrides(years))) == years


def test_register_in_a_main_cli_and_inherit_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="jiuzhu")
    parser.add_argument("--data-dir", dest="data_dir")
    register(parser.add_subparsers(dest="command"))
    source = write(tmp_path, "2027.toml", OVERRIDE_2027)
    args = parser.parse_args(["--data-dir", str(tmp_path / "d"), "calendar", "import", str(source)])
    assert args.func is calendar_admin.run
    assert args.func(args) == 0
    args = parser.parse_args(["--data-dir", str(tmp_path / "d"), "calendar", "add-working-days", "2026-12-24", "10"])
    capsys.readouterr()
    assert calendar_admin.run(args) == 0
    assert capsys.readouterr().out == "2027-01-08\n"


def test_resolve_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("JIUZHU_DATA_DIR", raising=False)
    assert resolve_data_dir() == Path("./var")
    monkeypatch.setenv("JIUZHU_DATA_DIR", str(tmp_path))
    assert resolve_data_dir() == tmp_path
    assert resolve_data_dir(args=argparse.Namespace(data_dir="/x")) == Path("/x")
    assert resolve_data_dir("/y", argparse.Namespace(data_dir="/x")) == Path("/y")


def test_example_file_in_docs_is_valid() -> None:
    years = read_override_file(REPO / "docs" / "calendar-override.example.toml")
    assert [y.year for y in years] == [2027]
    assert years[0].workdays == {}


def test_runs_as_a_module(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jiuzhu.calendar_admin",
            "add-working-days",
            "2026-12-24",
            "10",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "2027-01-07 provisional\n")
    done = subprocess.run(
        [sys.executable, "-m", "jiuzhu.calendar_admin", "add-working-days", "2026-02-30", "1"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 2
    assert "日期格式应为 YYYY-MM-DD" in done.stderr


def test_missing_source_records_the_file_it_came_from(tmp_path: Path) -> None:
    path = write(tmp_path, "2028.toml", OVERRIDE_2028)
    assert read_override_file(path)[0].source == str(path)
