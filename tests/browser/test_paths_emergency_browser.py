"""Issue 11, must show: 急难型 临时救助 paid first and reviewed after, through the pages only, on
`jiuzhu up --demo --clock controlled` with the real processes and workers.

The window accepts a fire victim's application, the leader approves the relief seeing the cause and
place, the worker pays it; afterwards the caseworker writes the follow-up (事后补充说明与审核) seeing
what was paid and why, refers the household on, and the case file shows the review, the referrals
and the closed case."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from jiuzhu.demo import id_number
from jiuzhu.testing import LiveSystem
from tests.browser.conftest import SignIn
from tests.browser.pages import case_file, open_task, submit_task, until_shown
from tests.browser.test_forms_browser import field
from tests.browser.test_intake_browser import fill_household, open_intake, submit

RELIEF = "乡镇审批先行救助金额"
FOLLOW_UP = "事后补充说明与审核"


def test_an_emergency_is_paid_first_and_reviewed_after_in_the_browser(live: LiveSystem, sign_in: SignIn) -> None:
    window = sign_in("taozhou.jingban")
    open_intake(window)
    fill_household(window, "急难型临时救助", "雷雨户", id_number("19690422", "315"), "桃州镇东亭村雷雨户家")
    window.get_by_label("急难原因（急难型临时救助必填）").select_option("火灾")
    window.get_by_label("事发地点（急难型临时救助必填）").fill("桃州镇东亭村五组12号")
    window.get_by_role("button", name="查看一窗受理指引").click()
    number = submit(window)

    # The leader approves the relief within the hour, seeing what happened and where.
    live.advance(timedelta(hours=1))
    leader = sign_in("taozhou.lingdao")
    form = open_task(leader, live, RELIEF, number)
    expect(form).to_contain_text("急难原因：火灾；发生地：桃州镇东亭村五组12号")
    leader.get_by_label("先行救助金额（元）").fill("1200")
    leader.get_by_label("救助理由").fill("雷击起火，房屋和口粮烧毁，先行救助。")
    expect(field(leader, "审批人")).to_contain_text("周分管")
    submit_task(leader)

    # Paid by the worker within the 24 hours; the case waits for the paperwork.
    case_file(leader, live, number)
    until_shown(leader, leader.locator("#payments"), "1,200.00")
    expect(leader.locator(".page-head")).to_contain_text("已先行救助")

    # Afterwards: the caseworker's follow-up shows what was paid and why, and refers the household on.
    form = open_task(window, live, FOLLOW_UP, number)
    expect(form).to_contain_text("先行救助 1200 元（火灾，桃州镇东亭村五组12号）")
    window.get_by_label("补充说明（救助对象、原因、金额及核实情况）").fill(
        "经核实，雷雨户家房屋因雷击起火，先行救助1200元已发放到户。户主烧伤需住院，家庭无稳定收入。"
    )
    window.get_by_label("医疗救助").check()
    window.get_by_label("低保", exact=True).check()
    submit_task(window)

    # The case file: the review by name, its notes, both referrals, and the case closed.
    case_file(window, live, number)
    until_shown(window, window.locator(".page-head"), "已结案")
    review = window.locator("section[aria-labelledby=review]")
    expect(review).to_contain_text(f"王经办：完成任务（{FOLLOW_UP}）")
    referrals = window.locator("#referrals")
    expect(referrals).to_contain_text("医疗救助")
    expect(referrals).to_contain_text("低保")
    expect(referrals).to_contain_text("已转介")
    expect(referrals).to_contain_text("户主烧伤需住院")  # the follow-up notes are the referrals' reason
    expect(window.locator("#payments")).to_contain_text("1,200.00")
