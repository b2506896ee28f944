"""What the workers publish and notify, read back from the rendered HTML (SQLite and PostgreSQL): the
书面告知书 quotes the findings, names its legal basis and the redress; the 公示 shows only masked
fields, and no ID number, phone or full name of anybody in the county."""

from __future__ import annotations

import re
from typing import Any

import pytest

from jiuzhu.demo import HOUSEHOLDS
from schemas.tables import WrittenNotice
from tests.workers.harness import START, World, accept_vars, approval_vars

pytestmark = [pytest.mark.component, pytest.mark.workers]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_no_personal_data(html: str, *, except_names: tuple[str, ...] = ()) -> None:
    for household in HOUSEHOLDS:
        for member in household.members:
            assert member.id_number not in html, member.id_number
            assert member.id_number[:-1] not in html  # not even without its check character
            assert member.phone is None or member.phone not in html, member.phone
            if member.name not in except_names:
                assert member.name not in html, member.name


INSTANCES = {"wang": 7_001, "zhang": 7_002, "zhao": 7_003}


def accept(world: World, key: str) -> dict[str, Any]:
    return world.ok("application.accept", accept_vars(world.county, key), instance=INSTANCES[key])


def test_the_written_rejection_notice_quotes_the_findings_basis_and_redress(world: World) -> None:
    case = accept(world, "wang")
    household = world.county.household("wang")
    failed = world.thrown(
        "verification.check-economic-status",
        {
            "caseId": case["caseId"],
            "householdId": case["householdId"],
            "memberIdNumbers": [m.id_number for m in household.members],
            "checkAuthorised": True,
        },
    )
    assert failed.code == "ECONOMIC_CHECK_FAILED"
    # The facts as the process maps them: every finding that did not meet the conditions.
    facts = [f["finding"] for f in failed.variables["findings"] if f["outcome"] == "不符合"]
    out = world.ok(
        "notice.issue-rejection",
        {
            "caseId": case["caseId"],
            "facts": facts,
            "checkReportId": failed.variables["checkReportId"],
            "decidedAt": START.isoformat(),
        },
    )
    [notice] = world.all(WrittenNotice)
    path = world.data_dir / "notices" / f"case-{case['caseId']}" / f"notice-{notice.id}.html"
    html = path.read_text("utf-8")
    page = text_of(html)
    assert out["noticeNumber"] == "桃州镇民救告〔2026〕1号" and out["noticeNumber"] in page
    for expected in (
        "桃州镇人民政府",
        "低保不予批准书面告知书",
        "王富贵",  # addressed to the applicant (not published)
        "2026年3月2日提出的低保申请",
        "经家庭经济状况核对，你户不符合低保条件，决定不予批准。",
        # the reasons, quoted
        "核对显示家庭月人均收入 ¥2,250，高于当地低保标准 ¥755",
        "王富贵名下有小型轿车一辆（2023年登记）",
        # legal basis
        "三、法律依据",
        "《社会救助暂行办法》第十一条",
        "《最低生活保障审核确认办法》（民政部2021年）第二十一条",
        # redress: reconsideration within 60 days, litigation within 6 months
        "四、救济途径",
        "自收到本文书之日起六十日内向广德市人民政府申请行政复议",
        "自收到本文书之日起六个月内依法向人民法院提起行政诉讼",
        "申请复核",
        "送达回证",
    ):
        assert expected in page, expected
    # The delivery deadline is an instruction to staff: on the kept receipt, not the applicant's copy.
    applicant_copy, receipt = html.split('<section class="receipt"', 1)
    assert "送达" not in text_of(applicant_copy).split("四、救济途径")[1].replace("送达回证", "")
    assert "应于2026年3月5日前送达（留存联，不交申请人）" in text_of(receipt)
    # every source of the check is listed, with its result
    for source in ("户籍", "税务", "社会保险", "不动产", "市场主体登记", "住房公积金", "车辆", "银行存款", "证券"):
        assert f"<td>{source}</td>" in html
    assert page.count("不符合") >= 3
    assert_no_personal_data(html, except_names=("王富贵",))  # nobody's ID number or phone, no other member named
    [entry] = world.audit("notice.issue-rejection")
    assert entry.details["document"]["html"] == html


def test_the_publicity_page_shows_masked_fields_only(world: World) -> None:
    case = accept(world, "zhang")
    decision = world.ok(
        "approval.record",
        approval_vars(world, case["caseId"], 1516, reasons="家庭月人均收入 ¥300，低于当地低保标准 ¥755。"),
    )
    out = world.ok(
        "publicity.publish",
        {
            "caseId": case["caseId"],
            "decisionId": decision["decisionId"],
            "villageId": world.county.villages["东亭村/三组"],
            "startDate": "2026-03-02",
        },
    )
    html = (world.data_dir / "publicity" / f"publicity-{out['publicityId']}.html").read_text("utf-8")
    page = text_of(html)
    row = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    assert cells == ["东亭村三组", "张*国", "3人", "低保", "¥1,516"]  # masked name, household size, category, amount
    for expected in (
        "社会救助审批结果公示",
        "公示期自2026年3月2日起至2026年3月8日止",
        "12349",
        "0563-6012349",
        "桃州镇人民政府",
        "不公布身份证号码、银行账户、详细住址和健康状况",
    ):
        assert expected in page, expected
    assert "18号" not in html and "安徽省" not in html  # no house address
    assert_no_personal_data(html)  # every member of every household: ID number, phone, full name


def test_notices_render_to_the_data_dir(world: World) -> None:
    case = accept(world, "zhao")
    out = world.ok(
        "notice.issue-rejection",
        {"caseId": case["caseId"], "facts": ["经入户调查，家庭财产状况不符合规定"], "decidedAt": START.isoformat()},
    )
    files = list((world.data_dir / "notices").rglob("*.html"))
    assert [f.name for f in files] == [f"notice-{out['noticeId']}.html"]
    assert "经入户调查，家庭财产状况不符合规定" in files[0].read_text("utf-8")
