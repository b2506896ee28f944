"""Issue 19, staffing and training, in Chromium on `jiuzhu up --demo`: the county supervisor's
配备与培训 page names the townships, gives each the staff its population requires against the
caseworkers registered, flags a township without training this year, and records a session."""

from __future__ import annotations

from playwright.sync_api import expect

from jiuzhu.testing import LiveSystem
from tests.browser.conftest import SignIn


def test_the_county_sees_staffing_and_records_a_training(live: LiveSystem, sign_in: SignIn) -> None:
    page = sign_in("county.minzheng")
    page.get_by_role("link", name="配备与培训").click()
    expect(page.get_by_role("heading", name="乡镇人员配备与培训（2026 年）")).to_be_visible()
    taozhou, xinhang = page.locator("tr[data-township='桃州镇']"), page.locator("tr[data-township='新杭镇']")
    # 桃州镇 120,000 people: 3 + 3 (above the usual 3–5); 新杭镇 60,000: 3. Two caseworkers each.
    expect(taozhou.locator(".required")).to_contain_text("6 人")
    expect(taozhou.locator(".required")).to_contain_text("超出常规")
    expect(taozhou.locator(".shortfall")).to_have_text("缺 4 人")
    expect(xinhang.locator(".required")).to_have_text("3 人")
    expect(xinhang.locator(".shortfall")).to_have_text("缺 1 人")
    for row in (taozhou, xinhang):
        expect(row.locator(".training")).to_contain_text("本年度未完成培训")

    form = page.locator("#training-form")
    form.get_by_label("培训日期").fill("2026-12-01")  # dates first
    form.get_by_label("乡镇").select_option(label="新杭镇")
    form.get_by_label("培训主题").fill("低保审核确认办法")
    form.get_by_label("参训人员（每行一人）").fill("吴经办\n郑经办\n冯分管")
    form.get_by_role("button", name="保存培训记录").click()
    expect(page.get_by_role("alert")).to_have_text("培训日期不能晚于今天")  # the county's clock: 2 March
    form = page.locator("#training-form")
    expect(form.get_by_label("培训主题")).to_have_value("低保审核确认办法")  # what was typed is kept
    expect(form.get_by_label("乡镇").locator("option:checked")).to_have_text("新杭镇")
    form.get_by_label("培训日期").fill("2026-02-26")
    form.get_by_role("button", name="保存培训记录").click()
    expect(page.get_by_role("status")).to_have_text("培训记录已保存。")
    expect(xinhang.locator(".training")).not_to_contain_text("本年度未完成培训")
    expect(xinhang.locator(".training")).to_contain_text("2026-02-26 低保审核确认办法（3 人）")
    expect(taozhou.locator(".training")).to_contain_text("本年度未完成培训")

    caseworker = sign_in("taozhou.jingban")
    expect(caseworker.get_by_role("link", name="配备与培训")).to_have_count(0)
    caseworker.goto(f"{live.url}/supervision/staffing")
    expect(caseworker.get_by_text("页面不存在，或不在您的办理范围内")).to_be_visible()
