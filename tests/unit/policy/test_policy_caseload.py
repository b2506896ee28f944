"""The caseload import's reader (jiuzhu.policy.caseload): each bad row with its number and a Chinese
reason, header variants, CSV encodings, and the first re-check due by the cadence rule."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from jiuzhu.policy import Programme
from jiuzhu.policy.caseload import TEMPLATE, TownshipRef, VillageRef, decode_csv, read_caseload
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.ids import compute_check_char
from jiuzhu.policy.recheck import month_after, next_recheck_due, recheck_cadence

pytestmark = pytest.mark.unit
TODAY = date(2026, 12, 7)

PLACES = {
    "桃州镇": TownshipRef(
        1,
        "341822100",
        "桃州镇",
        {
            "东亭村": VillageRef(11, "东亭村", urban=False, groups={"三组": 111, "下庄": 112}),
            "太极社区": VillageRef(12, "太极社区", urban=True, groups={"一组": 121}),
        },
    ),
    "新杭镇": TownshipRef(2, "341822101", "新杭镇", {"流洞村": VillageRef(21, "流洞村", urban=False)}),
}
HEADER = ["户主姓名", "身份证号", "乡镇", "村", "救助类型", "保障人数", "月救助金额", "认定日期"]


def pid(birth: str = "19750101", seq: str = "101") -> str:
    first = f"341822{birth}{seq}"
    return first + compute_check_char(first)


def good(**changes: object) -> list[object]:
    row: dict[str, object] = {
        "户主姓名": "张三",
        "身份证号": pid(),
        "乡镇": "桃州镇",
        "村": "东亭村",
        "救助类型": "低保",
        "保障人数": "3",
        "月救助金额": "1440",
        "认定日期": "2026-03-15",
    }
    row.update(changes)
    return [row[h] for h in HEADER]


def read(*rows: list[object], **kwargs: object) -> tuple[list[tuple[int, str]], list[object]]:
    reading = read_caseload([HEADER, *rows], places=PLACES, today=TODAY, **kwargs)  # type: ignore[arg-type]
    return [(p.row, p.reason) for p in reading.problems], list(reading.recipients)


BAD_ROWS = [
    # (what, the row's changed cells, a part of the reason)
    ("ID too short", {"身份证号": "34182219600101101"}, "身份证号码无效：身份证号码应为18位，实际为17位"),
    ("ID checksum", {"身份证号": pid()[:17] + ("0" if pid()[17] != "0" else "1")}, "身份证号码校验位错误"),
    ("ID letters", {"身份证号": "3418221960010110AX"}, "前17位必须是数字"),
    ("ID empty", {"身份证号": ""}, "身份证号码不能为空"),
    ("ID as an Excel number", {"身份证号": 3.41822196001011e17}, "该列被 Excel 存成了数字"),
    ("unknown township", {"乡镇": "花鼓镇"}, "乡镇“花鼓镇”不在本县的乡镇（街道）中"),
    ("village of another township", {"村": "流洞村"}, "村“流洞村”不是桃州镇的村（社区）"),
    ("village empty", {"村": ""}, "村未填写不是桃州镇的村（社区）"),
    ("scheme 临时救助", {"救助类型": "临时救助"}, "救助类型应为低保或特困，实际为“临时救助”"),
    ("scheme 低保边缘", {"救助类型": "低保边缘"}, "救助类型应为低保或特困"),
    ("amount zero", {"月救助金额": "0"}, "月救助金额应为正数，实际为“0”"),
    ("amount negative", {"月救助金额": "-300"}, "月救助金额应为正数"),
    ("amount text", {"月救助金额": "七百"}, "月救助金额“七百”不是数字"),
    ("amount empty", {"月救助金额": ""}, "月救助金额未填写"),
    ("amount below a fen", {"月救助金额": "755.555"}, "月救助金额最多精确到分"),
    ("size zero", {"保障人数": "0"}, "保障人数应为1–20的整数"),
    ("size text", {"保障人数": "三"}, "保障人数应为1–20的整数"),
    ("date in the future", {"认定日期": "2026-12-08"}, "认定日期 2026-12-08 晚于今天（2026-12-07）"),
    ("date not a date", {"认定日期": "去年"}, "认定日期“去年”不是日期"),
    ("date impossible", {"认定日期": "2026-02-30"}, "认定日期“2026-02-30”不是有效日期"),
    ("date empty", {"认定日期": ""}, "认定日期未填写"),
    ("name empty", {"户主姓名": ""}, "户主姓名未填写"),
]


@pytest.mark.parametrize(("what", "changes", "reason"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_each_bad_row_is_reported_with_its_number_and_reason(
    what: str, changes: dict[str, object], reason: str
) -> None:
    problems, recipients = read(good(身份证号=pid(seq="103")), good(**changes))
    assert [row for row, _ in problems] == [3], what
    assert reason in problems[0][1]
    assert [r.row for r in recipients] == [2]  # the good row still goes in


def test_a_row_with_several_faults_names_them_all() -> None:
    problems, _ = read(good(乡镇="花鼓镇", 月救助金额="0", 认定日期="2027-01-01"))
    assert problems == [
        (
            2,
            "乡镇“花鼓镇”不在本县的乡镇（街道）中；月救助金额应为正数，实际为“0”；"
            "认定日期 2027-01-01 晚于今天（2026-12-07）",
        )
    ]


def test_duplicates_in_the_file_and_in_the_record_are_rejected_and_earlier_imports_skipped() -> None:
    reading = read_caseload(
        [HEADER, good(), good(户主姓名="张三二"), good(身份证号=pid(seq="105")), good(身份证号=pid(seq="107"))],
        places=PLACES,
        today=TODAY,
        imported={pid(seq="105")},
        in_record={pid(seq="107"): "案件 341822100-2026-0003（已批准）的家庭成员"},
    )
    assert [(p.row, p.reason) for p in reading.problems] == [
        (3, f"身份证号码 {pid()} 与第2行重复"),
        (5, f"身份证号码 {pid(seq='107')} 已在案件记录中：案件 341822100-2026-0003（已批准）的家庭成员"),
    ]
    assert [(p.row, p.id_number) for p in reading.present] == [(4, pid(seq="105"))]
    assert [r.row for r in reading.recipients] == [2]
    assert reading.summary()["present"] == 1 and reading.rows == 4
    assert reading.problems[0].message == f"第3行：身份证号码 {pid()} 与第2行重复"


CADENCES = [
    # (what, extra cells, scheme, expected cadence, expected due)
    ("低保, head of working age: half-yearly", {}, "低保", 6, date(2026, 9, 15)),
    ("低保, head 70: yearly", {"身份证号": pid("19560101")}, "低保", 12, date(2027, 3, 15)),
    ("低保, said nobody able to work", {"有劳动能力成员": "否"}, "低保", 12, date(2027, 3, 15)),
    ("低保, head 70, income unstable", {"身份证号": pid("19560101"), "收入稳定": "否"}, "低保", 6, date(2026, 9, 15)),
    ("特困: yearly", {}, "特困供养", 12, date(2027, 3, 15)),
    ("from the last re-check", {"最近复核日期": "2026/8/31", "有劳动能力成员": "是"}, "低保", 6, date(2027, 2, 28)),
]


@pytest.mark.parametrize(("what", "extra", "scheme", "months", "due"), CADENCES, ids=[c[0] for c in CADENCES])
def test_the_first_recheck_is_due_by_the_cadence_rule(
    what: str, extra: dict[str, str], scheme: str, months: int, due: date
) -> None:
    header = [*HEADER, *[h for h in extra if h not in HEADER]]
    cells = {h: v for h, v in zip(HEADER, good(救助类型=scheme), strict=True)} | extra
    reading = read_caseload([header, [cells.get(h, "") for h in header]], places=PLACES, today=TODAY)
    assert reading.problems == [], what
    (recipient,) = reading.recipients
    assert (recipient.cadence_months, recipient.next_recheck_due) == (months, due)


def test_overdue_rechecks_keep_their_date() -> None:
    _, (recipient,) = read(good(认定日期="2024-05-20"))
    assert recipient.next_recheck_due == date(2024, 11, 20)
    assert recipient.overdue(TODAY)


def test_header_variants_title_lines_and_spreadsheet_cells() -> None:
    header = [
        "序号",
        "户主",
        "身份证号码",
        "乡镇（街道）",
        "村（社区）",
        "村民小组",
        "保障类别",
        "保障人口",
        "月保障金额",
        "批准日期",
        "银行账号",
        "城乡",
    ]
    rows = [
        ["桃州镇2026年12月在保低保对象花名册"],
        [],
        header,
        [1, "李 四", pid("19800101", "102").lower(), "桃州镇", "东亭村", "三组", "城市低保", 2.0, 1510.5,
         datetime(2025, 1, 2), "6230 1234 5678 9012", ""],
        [2, "王五", pid("19500101", "104"), "341822100", "下庄", "", "特困人员", "1人", "¥1,200元",
         "2025年6月1日", "", "城市"],
        [3, "赵六", pid("19900101", "106"), "桃州镇", "太极社区", "", "农村低保", "4", "800", "20250701", "", ""],
    ]  # fmt: skip
    reading = read_caseload(rows, places=PLACES, today=TODAY)
    assert reading.problems == [] and reading.header_row == 3
    got = [
        (r.row, r.name, r.scheme, r.household_size, r.amount, r.approved_on, r.place_id, r.urban, r.bank_account)
        for r in reading.recipients
    ]
    assert got == [
        (4, "李四", Programme.DIBAO, 2, Decimal("1510.50"), date(2025, 1, 2), 111, True, "6230123456789012"),
        (5, "王五", Programme.TEKUN, 1, Decimal("1200.00"), date(2025, 6, 1), 112, True, None),
        (6, "赵六", Programme.DIBAO, 4, Decimal("800.00"), date(2025, 7, 1), 12, False, None),
    ]
    assert [r.address for r in reading.recipients] == ["桃州镇东亭村三组", "桃州镇东亭村下庄", "桃州镇太极社区"]


def test_a_county_header_mapped_to_a_documented_one() -> None:
    rows = [["保障户主", *HEADER[1:]], good()]
    with pytest.raises(PolicyError, match="缺少必填列：户主姓名"):
        read_caseload(rows, places=PLACES, today=TODAY)
    reading = read_caseload(rows, places=PLACES, today=TODAY, aliases={"保障户主": "户主姓名"})
    assert [r.name for r in reading.recipients] == ["张三"]
    with pytest.raises(PolicyError, match="没有“户主名”这一列"):
        read_caseload(rows, places=PLACES, today=TODAY, aliases={"保障户主": "户主名"})


def test_missing_headers_and_empty_files_are_refused_in_chinese() -> None:
    with pytest.raises(PolicyError, match="缺少必填列：保障人数、月救助金额、认定日期（按第1行为表头）"):
        read_caseload([HEADER[:5]], places=PLACES, today=TODAY)
    with pytest.raises(PolicyError, match="前10行中没有找到表头"):
        read_caseload([["甲", "乙"]], places=PLACES, today=TODAY)
    with pytest.raises(PolicyError, match="文件是空的"):
        read_caseload([], places=PLACES, today=TODAY)


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b"")], ids=["utf-8", "bom", "gbk"]
)
def test_csv_in_utf8_with_or_without_bom_and_gbk(encoding: str, bom: bytes) -> None:
    text = ",".join(HEADER) + "\r\n" + ",".join(str(c) for c in good()) + '\r\n"张,三",x\r\n'
    rows = decode_csv(bom + text.encode(encoding))
    assert rows[0] == HEADER and rows[1][0] == "张三" and rows[2] == ["张,三", "x"]


def test_template_starts_with_the_required_columns() -> None:
    assert TEMPLATE[:5] == ("户主姓名", "身份证号", "乡镇", "村", "组")
    assert "月救助金额" in TEMPLATE and "认定日期" in TEMPLATE


RULES = [
    # (income stable, member able to work, recipient died, months)
    (True, False, False, 12),
    (True, True, False, 6),
    (False, False, False, 6),
    (False, True, False, 6),
    (True, False, True, 3),
]


@pytest.mark.parametrize(("stable", "able", "died", "months"), RULES)
def test_recheck_cadence(stable: bool, able: bool, died: bool, months: int) -> None:
    assert recheck_cadence(income_stable=stable, member_able_to_work=able, recipient_died=died) == months


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_due_dates_clamp_to_the_months_end(start: date, months: int, due: date) -> None:
    assert next_recheck_due(start, months) == month_after(start, months) == due


MEMBER_HEADER = [*HEADER, "成员姓名", "成员身份证号", "与户主关系"]


def member_row(head: str, name: str, number: str, relationship: str, **changes: object) -> list[object]:
    return [*good(身份证号=head, **changes), name, number, relationship]


def test_one_row_per_member_groups_by_the_heads_id_number() -> None:
    head, wife = pid("19700101"), pid("19720101", "102")
    son, other_head = pid("20100101", "105"), pid("19400101", "107")
    rows = [
        MEMBER_HEADER,
        member_row(head, "张三", head, "户主"),
        member_row(head, "李梅", wife, "妻"),
        member_row(other_head, "王五", other_head, "本人", 救助类型="特困", 保障人数=""),
        member_row(head, "张小", son, "儿子"),
    ]
    reading = read_caseload(rows, places=PLACES, today=TODAY)
    assert reading.problems == [] and reading.rows == 4
    first, second = reading.recipients
    assert (first.row, first.id_number, first.household_size) == (2, head, 3)
    assert [(m.row, m.name, m.id_number, m.relationship) for m in first.members] == [
        (3, "李梅", wife, "配偶"),
        (5, "张小", son, "子女"),
    ]
    assert (first.member_able_to_work, first.cadence_months) == (True, 6)  # the head and his wife are 16–59
    assert (second.id_number, second.scheme, second.household_size, second.members) == (
        other_head,
        Programme.TEKUN,
        1,  # 保障人数 blank: the household's rows
        (),
    )


def test_a_bad_member_row_keeps_its_household_out_and_says_so_on_every_row() -> None:
    head, other = pid("19700101"), pid("19800101", "109")
    rows = [
        MEMBER_HEADER,
        member_row(head, "张三", head, "户主"),
        member_row(head, "李梅", "123", "配偶"),
        member_row(head, "张小", pid("20100101", "105"), "邻居"),
        member_row(other, "赵六", other, "本人"),
        member_row(other, "赵七", head, "子女"),
    ]
    reading = read_caseload(rows, places=PLACES, today=TODAY, imported=set())
    assert [(p.row, p.reason) for p in reading.problems] == [
        (2, "同户第3行、第4行有误，整户未导入"),
        (3, "成员身份证号码无效：身份证号码应为18位，实际为3位"),
        (4, "与户主关系“邻居”无法识别（应为配偶、子女、父母、孙子女、祖父母、兄弟姐妹或其他）"),
        (5, "同户第6行有误，整户未导入"),
        (6, f"成员身份证号码 {head} 与第2行重复"),
    ]
    assert reading.recipients == []


def test_member_rows_of_an_imported_household_are_present_and_members_in_the_record_rejected() -> None:
    head, other, known = pid("19700101"), pid("19800101", "109"), pid("19900101", "111")
    rows = [
        MEMBER_HEADER,
        member_row(head, "张三", head, "户主"),
        member_row(head, "李梅", pid("19720101", "102"), "配偶"),
        member_row(other, "赵六", other, "本人"),
        member_row(other, "赵八", known, "兄弟姐妹"),
    ]
    reading = read_caseload(
        rows, places=PLACES, today=TODAY, imported={head}, in_record={known: "已登记为家庭成员 赵八，无案件"}
    )
    assert [(p.row, p.id_number) for p in reading.present] == [(2, head)]
    assert [(p.row, p.reason) for p in reading.problems] == [
        (4, "同户第5行有误，整户未导入"),
        (5, f"成员身份证号码 {known} 已在案件记录中：已登记为家庭成员 赵八，无案件"),
    ]
