"""一窗受理 on the live system, through the pages only: the emergency path, a large household with a
severely disabled member, one case per submission, duplicates, and a draft that survives an
expired session."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pypdf
from playwright.sync_api import Page, expect

from jiuzhu.demo import DEFAULT_PASSWORD
from jiuzhu.policy.ids import compute_check_char
from jiuzhu.testing import LiveSystem
from tests.browser.conftest import SCREENSHOTS, SignIn
from tests.browser.test_forms_browser import choose, field, fill_when

CASE_NUMBER = re.compile(r"341822100-2026-\d{4}")


def id_number(birth: str, seq: str) -> str:
    body = f"341822{birth}{seq}"
    return body + compute_check_char(body)


def open_intake(page: Page) -> None:
    page.get_by_role("link", name="一窗受理").click()
    expect(page.get_by_role("heading", name="一窗受理：新申请")).to_be_visible()


def fill_household(page: Page, scheme: str, applicant: str, applicant_id: str, address: str) -> None:
    page.get_by_label("救助类别").select_option(scheme)
    page.get_by_label("村（社区）").select_option(index=1)
    page.get_by_label("家庭住址").fill(address)
    page.get_by_label("城乡类别").select_option(label="农村")
    page.get_by_label("申请人姓名").fill(applicant)
    page.get_by_label("申请人身份证号码").fill(applicant_id)
    page.get_by_label("申请人及家庭成员已签署家庭经济状况核对授权书").check()


def submit(page: Page) -> str:
    """Submit and wait for the receipt; the case number it shows."""
    page.get_by_role("button", name="受理并启动流程").click()
    expect(page.get_by_role("heading", name="申请已受理")).to_be_visible(timeout=60_000)
    number = page.locator("#case-number").inner_text()
    assert CASE_NUMBER.fullmatch(number), number
    return number


def test_an_emergency_at_the_window_reaches_the_leader_at_once_and_is_paid_within_24_hours(
    live: LiveSystem, sign_in: SignIn
) -> None:
    window = sign_in("taozhou.jingban")
    open_intake(window)
    fill_household(window, "急难型临时救助", "火灾户", id_number("19770312", "517"), "桃州镇东亭村火灾户家")
    window.get_by_label("急难原因（急难型临时救助必填）").select_option("火灾")
    window.get_by_label("事发地点（急难型临时救助必填）").fill("桃州镇东亭村后山组7号")
    window.get_by_role("button", name="查看一窗受理指引").click()
    expect(window.get_by_text("24小时内先行救助")).to_be_visible()
    window.screenshot(path=str(SCREENSHOTS / "intake-emergency.png"), full_page=True)
    number = submit(window)
    expect(window.get_by_text("火灾，事发地点：桃州镇东亭村后山组7号")).to_be_visible()
    window.screenshot(path=str(SCREENSHOTS / "intake-receipt.png"), full_page=True)

    leader = sign_in("taozhou.lingdao")
    row = leader.locator("tr", has_text=number)
    expect(row.get_by_role("link", name="乡镇审批先行救助金额")).to_be_visible()
    expect(row).to_contain_text("2026-03-03 09:")  # the 24-hour clock, as the task's due date
    live.advance(timedelta(hours=3))
    row.get_by_role("link", name="乡镇审批先行救助金额").click()
    leader.get_by_role("button", name="认领任务").click()
    # the leader sees at once what happened and where (the form gets the case's variables)
    expect(leader.locator("#task-form")).to_contain_text("急难原因：火灾；发生地：桃州镇东亭村后山组7号")
    leader.get_by_label("先行救助金额（元）").fill("1500")
    leader.get_by_label("救助理由").fill("房屋失火，基本生活暂时出现严重困难，先行救助。")
    leader.screenshot(path=str(SCREENSHOTS / "intake-emergency-approval.png"), full_page=True)
    expect(field(leader, "审批人")).to_contain_text("周分管")  # the signed-in leader, preselected
    leader.get_by_role("button", name="提交").click()
    expect(leader.get_by_role("status")).to_contain_text("任务已提交")

    # The relief is paid by the worker; the case file shows when, against the 24 hours.
    case_page = leader
    case_page.goto(f"{live.url}/cases")
    case_page.get_by_role("link", name=number).click()
    expect(case_page.get_by_role("heading", name=f"案件 {number}")).to_be_visible()
    payments = case_page.locator("#payments")
    expect(payments).to_contain_text("1,500.00", timeout=60_000)
    expect(payments).to_contain_text("2026-03-02 12:")  # paid 3 hours after acceptance, within 24 h
    case_page.screenshot(path=str(SCREENSHOTS / "intake-case-file.png"), full_page=True)


def cases_with(page: Page, live: LiveSystem, applicant: str) -> int:
    """How many rows of the township's case list name this applicant."""
    page.goto(f"{live.url}/cases?q={applicant}")
    return page.locator("table.cases tbody tr", has_text=applicant).count()


def test_reload_and_double_submit_give_one_case(live: LiveSystem, sign_in: SignIn) -> None:
    window = sign_in("taozhou.jingban")
    open_intake(window)
    fill_household(window, "低保", "重交户", id_number("19660708", "731"), "桃州镇东亭村重交户家")
    submit_button = window.get_by_role("button", name="受理并启动流程")
    submit_button.dblclick()  # a double click sends the form twice
    expect(window.get_by_role("heading", name="申请已受理")).to_be_visible(timeout=60_000)
    number = window.locator("#case-number").inner_text()
    window.reload()  # the receipt is a GET: reloading shows it again, submits nothing
    expect(window.locator("#case-number")).to_have_text(number)
    assert cases_with(window, live, "重交户") == 1


def test_a_duplicate_application_shows_the_existing_case(live: LiveSystem, sign_in: SignIn) -> None:
    from jiuzhu.demo import HOUSEHOLDS

    zhang = next(h for h in HOUSEHOLDS if h.key == "zhang")  # already has a 低保 case in flight
    window = sign_in("taozhou.jingban")
    open_intake(window)
    fill_household(window, "低保", zhang.members[0].name, zhang.members[0].id_number, zhang.address)
    window.get_by_role("button", name="受理并启动流程").click()
    expect(window.get_by_role("heading", name="本次申请未重复受理")).to_be_visible(timeout=60_000)
    expect(window.get_by_role("alert")).to_contain_text("该家庭已有同类在办或在保案件")
    existing = window.locator("#existing-case")
    expect(existing).to_have_text(CASE_NUMBER)
    window.screenshot(path=str(SCREENSHOTS / "intake-duplicate.png"), full_page=True)
    existing.click()
    expect(window.get_by_role("heading", name=re.compile("^案件 341822100-"))).to_be_visible()
    expect(window.get_by_text(zhang.members[0].name).first).to_be_visible()


def test_an_expired_session_keeps_the_draft(live: LiveSystem, sign_in: SignIn) -> None:
    window = sign_in("taozhou.jingban", phone=True)
    open_intake(window)
    fill_household(window, "低保", "过期户", id_number("19710203", "845"), "桃州镇东亭村过期户家")
    window.get_by_role("button", name="增加家庭成员").click()
    window.get_by_label("成员1姓名").fill("过期户之子")
    window.get_by_label("成员1身份证号码").fill(id_number("20050607", "853"))
    window.get_by_label("与申请人关系").nth(1).select_option("子女")
    window.screenshot(path=str(SCREENSHOTS / "intake-phone.png"), full_page=True)
    window.context.clear_cookies()  # the session expires while the form is open
    window.get_by_role("button", name="受理并启动流程").click()
    expect(window.get_by_label("用户名")).to_be_visible()
    window.get_by_label("用户名").fill("taozhou.jingban")
    window.get_by_label("密码").fill(DEFAULT_PASSWORD)
    window.get_by_role("button", name="登录").click()
    expect(window.get_by_text("已恢复您此前填写的申请内容")).to_be_visible()
    expect(window.get_by_label("申请人姓名")).to_have_value("过期户")
    expect(window.get_by_label("成员1姓名")).to_have_value("过期户之子")
    number = submit(window)
    assert cases_with(window, live, "过期户") == 1, number


def test_a_notice_downloads_as_a_pdf_in_chinese(live: LiveSystem, sign_in: SignIn) -> None:
    page = sign_in("taozhou.jingban")
    page.get_by_role("link", name="案件", exact=True).click()
    page.get_by_label("状态").select_option("不予批准")
    page.get_by_role("button", name="查找").click()
    documents = page.locator("section[aria-labelledby=docs]")
    for href in [a.get_attribute("href") for a in page.locator("table.cases tbody tr a").all()]:
        page.goto(f"{live.url}{href}")  # the first rejected case whose notice has been issued
        if documents.get_by_role("link", name="下载 PDF").count():
            break
    expect(documents.get_by_role("link", name="下载 PDF").first).to_be_visible()
    applicant = page.locator("table.members tbody tr").first.locator("td").first.inner_text()
    with page.expect_download() as download:
        documents.get_by_role("link", name="下载 PDF").first.click()
    pdf = Path(download.value.path()).read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    assert applicant in text and "告知书" in text, text[:300]
    assert "六十日内" in text and "六个月内" in text
    resources: list[Any] = [p["/Resources"] for p in reader.pages]
    fonts = {str(f.get_object()["/BaseFont"]) for r in resources for f in r["/Font"].values()}
    assert all("Jiuzhu-Serif-SC" in f for f in fonts), fonts


def open_task(page: Page, live: LiveSystem, number: str, task: str) -> None:
    """From the case file's current steps: the case's task of that name, claimed."""
    page.goto(f"{live.url}/cases?q={number}")
    page.get_by_role("link", name=number).click()
    link = page.locator("section[aria-labelledby=docs]").get_by_role("link", name=task)
    for _ in range(20):  # the workers move the case on within seconds
        if link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    link.click()
    page.get_by_role("button", name="认领任务").click()
    expect(page.get_by_role("button", name="提交")).to_be_visible()


def complete(page: Page) -> None:
    page.get_by_role("button", name="提交").click()
    try:
        expect(page.get_by_role("status")).to_contain_text("任务已提交")
    except AssertionError:
        page.screenshot(path="/tmp/intake-failed-task.png", full_page=True)
        raise


EIGHT = [  # (name, birth, sequence, relationship) — all adults of working age: no age add-ons
    ("八口户", "19700101", "911", None),
    ("八口妻", "19720202", "922", "配偶"),
    ("八口长子", "19950303", "931", "子女"),
    ("八口次子", "19970404", "941", "子女"),
    ("八口三女", "19990505", "952", "子女"),
    ("八口弟", "19750606", "961", "兄弟姐妹"),
    ("八口妹", "19780707", "972", "兄弟姐妹"),
    ("八口侄", "20000808", "981", "其他"),
]


def test_a_household_of_eight_with_a_severely_disabled_member_gets_the_add_on(
    live: LiveSystem, sign_in: SignIn
) -> None:
    window = sign_in("taozhou.jingban")
    open_intake(window)
    name, birth, seq, _ = EIGHT[0]
    fill_household(window, "低保", name, id_number(birth, seq), "桃州镇东亭村八口户家")
    for i, (member, birth, seq, relation) in enumerate(EIGHT[1:], start=1):
        window.get_by_role("button", name="增加家庭成员").click()
        window.get_by_label(f"成员{i}姓名").fill(member)
        window.get_by_label(f"成员{i}身份证号码").fill(id_number(birth, seq))
        window.locator(f"#m{i}_relationship").select_option(relation)
    window.locator("#m3_disability_kind").select_option("肢体")
    window.locator("#m3_disability_grade").select_option("1")
    window.get_by_role("button", name="查看一窗受理指引").click()
    expect(window.get_by_text("八口次子为重度残疾人或重病患者")).to_be_visible()
    expect(window.get_by_role("group", name="成员7")).to_be_visible()
    window.screenshot(path=str(SCREENSHOTS / "intake-household-of-8.png"), full_page=True)
    number = submit(window)
    expect(window.get_by_text("家庭成员共 8 人")).to_be_visible()

    # The platform does not know these people: the township verifies, visits and assesses.
    open_task(window, live, number, "乡镇进一步核实")
    window.get_by_label("核实情况").fill("经村委会核实，八口之家常住本村，无其他收入来源。")
    complete(window)
    open_task(window, live, number, "入户调查（至少两人）")
    expect(window.locator("#task-form[data-ready=true]")).to_be_visible()
    fill_when(window, "入户时间", live.now().astimezone().strftime("%Y/%m/%d"), "08:00")  # not in the future
    choose(window, "调查人员一", "王经办")
    choose(window, "调查人员二", "孙经办")
    window.get_by_label("调查情况（居住、收入、财产、劳动能力等）").fill("八口同住，次子肢体一级残疾，全家无稳定收入。")
    choose(window, "在场家庭成员签字", "八口户（本人）")  # one of the household, not typed
    window.get_by_label("符合", exact=True).check()
    expect(field(window, "在场家庭成员签字").locator(".fjs-select-display")).to_have_text("八口户（本人）")
    complete(window)
    open_task(window, live, number, "乡镇审核（收入、财产核定）")
    window.get_by_label("家庭财产状况符合当地规定").check()
    window.get_by_label("审核意见").fill("家庭无收入，财产符合规定。")
    complete(window)

    # The leader sees the proposed amount with the add-on on the case file, and approves it.
    leader = sign_in("taozhou.lingdao")
    leader.goto(f"{live.url}/cases?q={number}")
    leader.get_by_role("link", name=number).click()
    review = leader.locator("section[aria-labelledby=review]")
    # (755 − 0) × 8 = 6,040.00, plus 30 % of 755 for the severely disabled son = 226.50
    expect(review).to_contain_text("拟救助金额 ¥6,266.50", timeout=60_000)
    expect(review).to_contain_text("含分类施保 八口次子（重度残疾人）¥226.50")
    open_task(leader, live, number, "分管领导审批")
    leader.get_by_label("批准", exact=True).check()
    leader.get_by_label("批准救助金额（元）").fill("6266.50")
    leader.get_by_label("审批理由（不予批准时写明事实和依据）").fill(
        "家庭无收入，符合低保条件；次子重度残疾，分类施保。"
    )
    expect(field(leader, "审批人")).to_contain_text("周分管")
    complete(leader)
    leader.goto(f"{live.url}/cases?q={number}")
    leader.get_by_role("link", name=number).click()
    decision = leader.locator("section[aria-labelledby=review]")
    expect(decision).to_contain_text("金额 ¥6,266.50", timeout=60_000)
    leader.screenshot(path=str(SCREENSHOTS / "intake-case-file-household-of-8.png"), full_page=True)
