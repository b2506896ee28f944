"""一窗受理 on the live system, through the pages only: the emergency path, a large household with a
severely disabled member, one case per submission, duplicates, and a draft that survives an
expired session."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pypdf

from playwright.sync_api import Page, expect

from jiuzhu.demo import DEFAULT_PASSWORD
from jiuzhu.policy.ids import compute_check_char
from jiuzhu.testing import LiveSystem
from tests.browser.conftest import SCREENSHOTS, SignIn

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
    expect(page.get_by_role("heading", name="申请已受理")).to_be_visible(timeout=20_000)
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
    leader.get_by_label("先行救助金额（元）").fill("1500")
    leader.get_by_label("救助理由").fill("房屋失火，基本生活暂时出现严重困难，先行救助。")
    leader.screenshot(path=str(SCREENSHOTS / "intake-emergency-approval.png"), full_page=True)
    staff_id = leader.locator("#my-staff-id").inner_text()
    leader.get_by_label("审批人工作人员编号").fill(staff_id)
    leader.get_by_role("button", name="提交").click()
    expect(leader.get_by_role("status")).to_have_text("任务已提交。")

    # The relief is paid by the worker; the case file shows when, against the 24 hours.
    case_page = leader
    case_page.goto(f"{live.url}/cases")
    case_page.get_by_role("link", name=number).click()
    expect(case_page.get_by_role("heading", name=f"案件 {number}")).to_be_visible()
    payments = case_page.locator("#payments")
    expect(payments).to_contain_text("1,500.00", timeout=20_000)
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
    expect(window.get_by_role("heading", name="申请已受理")).to_be_visible(timeout=20_000)
    number = window.locator("#case-number").inner_text()
    window.reload()  # the receipt is a GET: reloading shows it again, submits nothing
    expect(window.locator("#case-number")).to_have_text(number)
    window.go_back()  # back to the filled-in form, and send it once more
    window.get_by_role("button", name="受理并启动流程").click()
    expect(window.locator("#case-number")).to_have_text(number, timeout=20_000)
    assert cases_with(window, live, "重交户") == 1


def test_a_duplicate_application_shows_the_existing_case(live: LiveSystem, sign_in: SignIn) -> None:
    from jiuzhu.demo import HOUSEHOLDS

    zhang = next(h for h in HOUSEHOLDS if h.key == "zhang")  # already has a 低保 case in flight
    window = sign_in("taozhou.jingban")
    open_intake(window)
    fill_household(window, "低保", zhang.members[0].name, zhang.members[0].id_number, zhang.address)
    window.get_by_role("button", name="受理并启动流程").click()
    expect(window.get_by_role("heading", name="本次申请未重复受理")).to_be_visible(timeout=20_000)
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
    page.goto(f"{live.url}/cases")
    page.get_by_role("link", name=CASE_NUMBER).first.wait_for()
    for link in page.get_by_role("link", name=CASE_NUMBER).all():
        href = link.get_attribute("href")
        page.goto(f"{live.url}{href}")
        if page.get_by_role("link", name="下载 PDF").count():
            break
        page.go_back()
    notice_title = page.locator("#docs ~ ul li a, section[aria-labelledby=docs] li a").first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").first.click()
    pdf = download.value.path().read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "告知书" in text or "决定书" in text, (notice_title, text[:200])
    assert "救济途径" in text or "行政复议" in text
