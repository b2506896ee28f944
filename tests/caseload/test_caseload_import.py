"""`jiuzhu caseload import` on a real SQLite case record (issue 18): 1,000 households with 7 bad rows
→ 993 in, the 7 reported with row and reason, a second run writes nothing, each household has its
first re-check due by the cadence rule, and the month's payment run pays exactly the imported."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func
from sqlmodel import col, select

from jiuzhu.cli import main
from jiuzhu.policy import CST
from jiuzhu.policy.ids import compute_check_char
from jiuzhu.policy.recheck import month_after
from schemas.enums import (
    Area,
    CasePath,
    CaseStatus,
    Channel,
    DecisionOutcome,
    Programme,
    Relationship,
    WorkCapacity,
)
from schemas.tables import (
    AuditEntry,
    Case,
    CaseloadEntry,
    CaseloadImport,
    Decision,
    Household,
    Member,
    Staff,
    Township,
    Village,
)
from tests.caseload.conftest import HEADER, Record, household_rows

pytestmark = pytest.mark.component
NOW = "2026-12-07T10:00+08:00"


BAD = {
    # data row index (0-based) → (cells changed, part of the expected reason)
    17: ({2: "34182219800101123"}, "身份证号码应为18位，实际为17位"),
    123: ({2: "CHECKSUM"}, "身份证号码校验位错误"),
    256: ({3: "花鼓镇"}, "乡镇“花鼓镇”不在本县的乡镇（街道）中"),
    400: ({4: "幸福村"}, "不是"),
    512: ({7: "-50"}, "月救助金额应为正数"),
    777: ({8: "2027-01-15"}, "认定日期 2027-01-15 晚于今天（2026-12-07）"),
    901: ({2: "DUPLICATE"}, "与第3行重复"),
}


def caseload_file(path: Path, count: int = 1000) -> tuple[Path, list[list[str]]]:
    rows = household_rows(count)
    for index, (changes, _) in BAD.items():
        for column, value in changes.items():
            if value == "CHECKSUM":
                good = rows[index][2]
                value = good[:17] + ("0" if good[17] != "0" else "1")
            elif value == "DUPLICATE":
                value = rows[1][2]  # the second data row: spreadsheet row 3
            rows[index][column] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([HEADER, *rows])
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))  # UTF-8 with BOM, as Excel saves
    return path, rows


def run(record: Record, capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> Any:
    status = main(["caseload", "import", *argv, "--data-dir", str(record.data_dir), "--now", NOW, "--json"])
    out = capsys.readouterr()
    assert status == code, out.err
    return json.loads(out.out) if code == 0 else out.err


def test_a_thousand_households_with_seven_bad_rows(
    record: Record, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, rows = caseload_file(tmp_path / "在保户花名册.csv")
    dry = run(record, capsys, str(path), "--dry-run")
    assert (dry["dryRun"], dry["imported"], dry["present"], len(dry["rejected"])) == (True, 993, 0, 7)
    with record.session() as session:
        assert session.exec(select(func.count()).select_from(Case)).one() == 0  # a dry run writes nothing

    first = run(record, capsys, str(path))
    assert (first["rows"], first["imported"], first["present"]) == (1000, 993, 0)
    # Each bad row: its spreadsheet row (header = row 1) and the reason in Chinese.
    assert [r["row"] for r in first["rejected"]] == [index + 2 for index in sorted(BAD)]
    for rejected, index in zip(first["rejected"], sorted(BAD), strict=True):
        assert BAD[index][1] in rejected["reason"], rejected
    assert first["firstMonth"] == "2027-01" and first["seconds"] > 0
    assert sum(first["bySchemes"].values()) == 993

    again = run(record, capsys, str(path))
    assert (again["imported"], again["present"], len(again["rejected"])) == (0, 993, 7)
    assert again["importId"] is None  # nothing written, no import run recorded

    good = [row for index, row in enumerate(rows) if index not in BAD]
    with record.session() as session:
        assert session.exec(select(func.count()).select_from(Case)).one() == 993
        assert session.exec(select(func.count()).select_from(Household)).one() == 993
        assert session.exec(select(func.count()).select_from(Member)).one() == 993
        assert session.exec(select(func.count()).select_from(CaseloadImport)).one() == 1
        audits = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "caseload.import")
        assert session.exec(audits).one() == 993
        entries = {e.id_number: e for e in session.exec(select(CaseloadEntry))}
        cases = {c.id: c for c in session.exec(select(Case))}
        decisions = {d.case_id: d for d in session.exec(select(Decision))}
        assert len(entries) == 993
        for row in good:
            entry = entries[row[2]]
            case, decision = cases[entry.case_id], decisions[entry.case_id]
            # the first re-check: 12 months after 认定日期 when income is stable and nobody can work, else 6
            months = 12 if row[9] == "是" and row[10] == "否" else 6
            assert (entry.cadence_months, entry.next_recheck_due) == (
                months,
                month_after(date.fromisoformat(row[8]), months),
            ), row
            assert case.status is CaseStatus.APPROVED and case.type.value == row[5]
            assert case.process_instance_key is None and case.case_number.startswith("34182210")
            assert decision.outcome is DecisionOutcome.APPROVED and decision.amount == Decimal(row[7])
            assert decision.effective_month == date(2027, 1, 1)
            assert decision.reasons.startswith(f"存量导入（在保户花名册.csv 第{entry.row}行）")
        staff = session.get(Staff, next(iter(decisions.values())).approver_id)
        assert staff is not None and staff.name == "存量导入（原系统认定）" and not staff.active

    # The payment run of the first month pays the imported households, each its amount, nothing else.
    from jiuzhu.payments.ledger import run_month

    result = run_month(record.engine, date(2027, 1, 1), datetime(2027, 1, 5, 9, tzinfo=CST)).summary()
    assert (result["created"], result["arrears"], result["refused"]) == (993, 0, [])
    assert Decimal(result["total"]) == sum(Decimal(row[7]) for row in good)


def test_the_person_is_already_in_the_record_xlsx_and_the_printed_summary(
    record: Record, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = household_rows(4)
    with record.session() as session, session.begin():  # an applicant of the live system, with their case
        town = session.exec(select(Township)).first()
        village = session.exec(select(Village)).first()
        assert town is not None and town.id is not None and village is not None and village.id is not None
        household = Household(township_id=town.id, village_id=village.id, address="桃州镇东亭村", area=Area.RURAL)
        session.add(household)
        session.flush()
        assert household.id is not None
        member = Member(
            household_id=household.id,
            name="钱七",
            id_number=rows[2][2],
            relationship=Relationship.SELF,
            work_capacity=WorkCapacity.NONE,
        )
        session.add(member)
        session.flush()
        assert member.id is not None
        session.add(
            Case(
                case_number="341822100-2026-0042",
                household_id=household.id,
                applicant_id=member.id,
                township_id=town.id,
                type=Programme.DIBAO,
                path=CasePath.REFORM,
                status=CaseStatus.AWAITING_APPROVAL,
                channel=Channel.ONE_WINDOW,
                accepted_at=datetime(2026, 11, 20, 9, tzinfo=CST),
            )
        )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2026年12月在保对象花名册"])
    sheet.append(HEADER)
    for row in rows:
        cells: list[object] = list(row)
        cells[8] = datetime.fromisoformat(row[8])  # a date cell, as Excel keeps it
        cells[7] = float(row[7])
        sheet.append(cells)
    path = tmp_path / "在保户.xlsx"
    book.save(path)

    status = main(["caseload", "import", str(path), "--data-dir", str(record.data_dir), "--now", NOW])
    printed = capsys.readouterr()
    assert status == 0, printed.err
    lines = printed.out.splitlines()
    assert lines[0] == "在保户.xlsx：共 4 行；已导入 3 户，已在系统中跳过 0 户，拒绝 1 行"
    where = "已登记为家庭成员 钱七，案件 341822100-2026-0042（低保，待审批）"
    assert f"  第5行：身份证号码 {rows[2][2]} 已在案件记录中：{where}" in lines
    assert any(line.startswith("  首次复核：") for line in lines)
    assert "导入中 [" in printed.err and "3/3 户" in printed.err  # the progress bar

    again = run(record, capsys, str(path))
    assert (again["imported"], again["present"], len(again["rejected"])) == (0, 3, 1)

    # The case page tells where the case came from.
    from jiuzhu.tasklist.casefile import case_file

    with record.session() as session:
        imported = session.exec(select(Case).where(col(Case.case_number).endswith("-CL-00001"))).first()
    assert imported is not None
    page = case_file(record.engine, imported)
    assert [(s.who, s.what) for s in page.steps] == [("系统", "存量导入（原系统在保户）")]
    assert [(d.outcome, d.approver) for d in page.decisions] == [("批准", "存量导入（原系统认定）")]


def test_files_that_cannot_be_read_are_refused_in_chinese(
    record: Record, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    headless = tmp_path / "x.csv"
    headless.write_text("姓名,身份证号\n张三,1\n", encoding="utf-8")
    assert "缺少必填列" in run(record, capsys, str(headless), code=2)
    assert "找不到文件" in run(record, capsys, str(tmp_path / "none.csv"), code=2)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "不支持旧版 .xls" in run(record, capsys, str(old), code=2)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert "无法读取 Excel 文件" in run(record, capsys, str(broken), code=2)


def test_a_batch_that_collides_with_another_writer_is_not_written_and_a_rerun_finishes(
    record: Record, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = household_rows(30)
    first, path = tmp_path / "first.csv", tmp_path / "在保户.csv"
    first.write_text("\n".join(",".join(r) for r in [HEADER, *rows[:10]]) + "\n", encoding="utf-8")
    path.write_text("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    assert run(record, capsys, str(first))["imported"] == 10
    # Another writer numbered its cases meanwhile: the counters this run read are stale.
    import jiuzhu.caseload as caseload

    with monkeypatch.context() as patch:
        patch.setattr(caseload, "_next_numbers", lambda session, townships: {t.id: 0 for t in townships})
        error = run(record, capsys, str(path), "--batch-size", "5", code=2)
    assert "第12–16行所在的一批写入失败" in error and "此前已写入 0 户" in error
    again = run(record, capsys, str(path), "--batch-size", "5")
    assert (again["imported"], again["present"]) == (20, 10)


def test_one_row_per_member_brings_the_whole_household_in(
    record: Record, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head, wife, son, single = (compute_check_char_id(b, s) for b, s in [
        ("19700101", "011"), ("19720303", "022"), ("20100505", "031"), ("19450707", "041")
    ])  # fmt: skip
    lines = [
        "户主姓名,户主身份证号,乡镇,村(社区),保障类别,月保障金额,批准日期,成员姓名,成员身份证号,与户主关系",
        f"张三,{head},桃州镇,东亭村,农村低保,1800,2026-05-10,张三,{head},户主",
        f"张三,{head},桃州镇,东亭村,农村低保,1800,2026-05-10,李梅,{wife},妻子",
        f"张三,{head},桃州镇,东亭村,农村低保,1800,2026-05-10,张小,{son},长子",
        f"王五,{single},新杭镇,流洞村,特困供养,1500,2025-11-01,王五,{single},本人",
    ]
    path = tmp_path / "成员花名册.csv"
    path.write_text("\n".join(lines) + "\n", encoding="gbk")
    first = run(record, capsys, str(path))
    assert (first["rows"], first["imported"], first["rejected"]) == (4, 2, [])
    with record.session() as session:
        by_household: dict[int, list[tuple[str, str]]] = {}
        for m in session.exec(select(Member).order_by(col(Member.id))):
            by_household.setdefault(m.household_id, []).append((m.name, m.relationship.value))
        assert sorted(by_household.values()) == [
            [("张三", "本人"), ("李梅", "配偶"), ("张小", "子女")],
            [("王五", "本人")],
        ]
        entries = {e.id_number: e for e in session.exec(select(CaseloadEntry))}
        assert (entries[head].household_size, entries[head].cadence_months) == (3, 6)  # working-age members
        assert (entries[single].household_size, entries[single].cadence_months) == (1, 12)
    # Every member goes to the re-check's economic check.
    from jiuzhu.caseload.rechecks import start_rechecks

    given: list[dict[str, Any]] = []
    start_rechecks(
        lambda process, variables: given.append(variables) or 7000 + len(given), record.engine, datetime.now(CST)
    )
    assert sorted(len(v["members"]) for v in given) == [1, 3]
    assert {m["idNumber"] for v in given for m in v["members"]} == {head, wife, son, single}
    again = run(record, capsys, str(path))
    assert (again["imported"], again["present"], again["rejected"]) == (0, 2, [])


def compute_check_char_id(born: str, sequence: str) -> str:
    body = f"341822{born}{sequence}"[:17]
    return body + compute_check_char(body)
