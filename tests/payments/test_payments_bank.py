"""Bank batch files and returns (issue 18): `jiuzhu payments export` writes the run month's 待发放 rows
in the bank's layout (GBK by default) with the township 汇总表; `import-returns` marks exactly the
returned failures 发放失败 with the bank's reason, the rest 已发放, and a second import changes nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from jiuzhu.cli import main
from schemas.enums import PaymentStatus
from schemas.tables import Payment
from tests.payments.conftest import County, cli

pytestmark = pytest.mark.component


def read_gbk(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("gbk"))))


def test_export_writes_the_default_layout_in_gbk_with_township_totals(
    county: County, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli(county, capsys, "run", "--month", "2027-01")
    out = tmp_path / "批量" / "2027-01.csv"
    summary = cli(county, capsys, "export", "--month", "2027-01", "--out", str(out))
    rows = read_gbk(out)
    assert rows[0] == [
        "序号",
        "业务流水号",
        "乡镇（街道）",
        "村（社区）",
        "收款人姓名",
        "身份证号码",
        "银行账号",
        "金额",
        "救助类别",
        "所属月份",
        "发放类型",
    ]
    body = [(r[2], r[4], r[6], r[7], r[8]) for r in rows[1:]]
    assert body == [
        ("城关镇", "甲户主", "6230000000000001", "1440.00", "低保"),
        ("城关镇", "乙户主", "6230000000000002", "800.00", "低保"),
        ("东山乡", "丙户主", "6230000000000003", "1200.00", "特困"),
    ]
    # 丁 has no bank account: left out of the file and named in the summary.
    assert [m["caseNumber"] for m in summary["missingAccount"]] == ["T-2027-0004"]
    assert read_gbk(Path(summary["totalsFile"])) == [
        ["乡镇（街道）", "笔数", "金额合计"],
        ["城关镇", "2", "2240.00"],
        ["东山乡", "1", "1200.00"],
        ["合计", "3", "3440.00"],
    ]
    assert summary["total"] == "3440.00" and summary["rows"] == 3


def test_a_bank_of_its_own_layout_from_the_data_dir(
    county: County, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (county.data_dir / "banks.json").write_text(
        json.dumps(
            {
                "banks": {
                    "邮储银行": {
                        "encoding": "utf-8",
                        "delimiter": "|",
                        "columns": [{"title": "流水", "field": "payment_id"}, {"title": "金额", "field": "amount"}],
                        "returns": {
                            "id_column": "流水",
                            "result_column": "结果",
                            "success_values": ["S"],
                            "failure_values": ["F"],
                        },
                    }
                }
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    cli(county, capsys, "run", "--month", "2027-01")
    out = tmp_path / "psbc.txt"
    cli(county, capsys, "export", "--month", "2027-01", "--bank", "邮储银行", "--out", str(out))
    lines = out.read_text("utf-8").splitlines()
    assert lines[0] == "流水|金额" and [line.split("|")[1] for line in lines[1:]] == ["1440.00", "800.00", "1200.00"]


def test_a_return_with_three_failures_marks_exactly_those_three(
    county: County, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli(county, capsys, "run", "--month", "2027-01")
    cli(county, capsys, "run", "--month", "2027-02", now="2027-02-05T09:00+08:00")
    with county.session() as session:
        ids = [p.id for p in session.exec(select(Payment).order_by(col(Payment.id)))]
    assert len(ids) == 8
    failed = {ids[1]: "账户已销户", ids[4]: "户名与账号不符", ids[6]: ""}
    lines = [["业务流水号", "处理结果", "失败原因"]]
    lines += [[str(i), "失败" if i in failed else "成功", failed.get(i, "")] for i in ids]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    back = tmp_path / "回盘.csv"
    back.write_bytes(buffer.getvalue().encode("gbk"))

    summary = cli(county, capsys, "import-returns", str(back), now="2027-02-20T15:00+08:00")
    assert (summary["paid"], summary["failed"], summary["unchanged"]) == (5, 3, 0)
    with county.session() as session:
        stored = {p.id: p for p in session.exec(select(Payment))}
    assert {i for i, p in stored.items() if p.status is PaymentStatus.FAILED} == set(failed)
    assert [stored[i].failure_reason for i in failed] == ["账户已销户", "户名与账号不符", "银行未说明原因"]
    assert all(p.paid_at is not None for p in stored.values() if p.status is PaymentStatus.PAID)
    again = cli(county, capsys, "import-returns", str(back), now="2027-02-21T15:00+08:00")
    assert (again["paid"], again["failed"], again["unchanged"]) == (0, 0, 8)
    # A failed payment is not paid again by the next run on its own: its follow-up decides.
    march = cli(county, capsys, "run", "--month", "2027-03", now="2027-03-05T09:00+08:00")
    assert march["arrears"] == 0


def test_a_return_file_with_unknown_rows_says_which(
    county: County, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    back = tmp_path / "回盘.csv"
    back.write_bytes("业务流水号,处理结果\r\n9999,成功\r\n1,待定\r\n".encode("gbk"))
    summary = cli(county, capsys, "import-returns", str(back))
    assert [p["row"] for p in summary["problems"]] == [2, 3]
    assert "不在发放台账中" in summary["problems"][0]["reason"] and "不认识" in summary["problems"][1]["reason"]
    wrong = tmp_path / "wrong.csv"
    wrong.write_bytes("编号,结果\r\n1,成功\r\n".encode("gbk"))
    code = main(["payments", "import-returns", str(wrong), "--data-dir", str(county.data_dir)])
    assert code == 2 and "回盘文件缺少“业务流水号”列" in capsys.readouterr().err
