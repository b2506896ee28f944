"""Issue 19, complaints, in Chromium on `jiuzhu up --demo --clock controlled`: the township caseworker
takes a 12349 complaint on 投诉举报 and sees its 60-day limit; left unanswered past it, the county's
督办台 lists it; the caseworker answers it and it leaves the desk."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from jiuzhu.testing import LiveSystem
from tests.browser.casework_pages import WAIT_MS
from tests.browser.conftest import SCREENSHOTS, SignIn


def test_a_hotline_complaint_is_taken_escalates_when_late_and_is_answered(live: LiveSystem, sign_in: SignIn) -> None:
    township = sign_in("taozhou.jingban")
    township.set_default_timeout(WAIT_MS)
    township.get_by_role("link", name="投诉举报").click()
    expect(township.get_by_role("heading", level=1, name="投诉举报")).to_be_visible()
    form = township.locator("#complaint-form")
    expect(form.get_by_label("负责答复的乡镇").locator("option:checked")).to_have_text("桃州镇")  # their own only
    form.get_by_label("投诉来源").select_option("12349热线")
    form.get_by_label("投诉人姓名（匿名的填写“匿名”）").fill("匿名")
    form.get_by_label("联系电话（选填）").fill("13912345678")
    form.get_by_label("投诉内容").fill("东亭村有低保户常年在外经商，家中有轿车。")
    form.get_by_role("button", name="登记投诉").click()
    expect(township.get_by_role("status")).to_have_text("投诉已登记，已计算答复期限。")
    row = township.locator("#complaints tbody tr", has_text="常年在外经商")
    expect(row).to_contain_text("12349热线")
    expect(row).to_contain_text("139****5678")
    expect(row).to_contain_text("2026-05-01")  # received 2 March: 60 days
    township.screenshot(path=str(SCREENSHOTS / "complaints.png"), full_page=True)

    county = sign_in("county.minzheng")
    county.set_default_timeout(WAIT_MS)
    county.get_by_role("link", name="督办台").click()
    expect(county.locator("#overdue-complaints")).to_have_count(0)
    expect(county.get_by_text("没有逾期未答复的投诉举报。")).to_be_visible()

    live.advance(timedelta(days=61))  # 2 May: the last day (1 May) has passed
    county.reload()
    expect(county.get_by_role("heading", name="投诉举报逾期未答复（1）")).to_be_visible()
    late = county.locator("#overdue-complaints tr", has_text="常年在外经商")
    expect(late).to_contain_text("桃州镇")
    expect(late).to_contain_text("2026-05-01")

    township.reload()
    row = township.locator("#complaints tbody tr", has_text="常年在外经商")
    expect(row.locator(".badge")).to_have_text("已逾期")
    row.get_by_label("答复意见").fill("经入户核查，该户已于2026年4月停发低保；已电话告知投诉人。")
    row.get_by_role("button", name="保存答复").click()
    expect(township.get_by_role("status")).to_have_text("答复已保存。")
    row = township.locator("#complaints tbody tr", has_text="常年在外经商")
    expect(row).to_contain_text("已答复")
    expect(row).to_contain_text("已于2026年4月停发低保")
    county.reload()
    expect(county.get_by_text("没有逾期未答复的投诉举报。")).to_be_visible()
