"""一窗受理 on the live system, through the pages only: the emergency path, a large household with a
severely disabled member, one case per submission, duplicates, and a draft that survives an
expired session."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

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
