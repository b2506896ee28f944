"""Issue 19, the supervisor's desk (督办台), in Chromium on `jiuzhu up --demo --clock controlled`: 赵's
case (accepted 7 working days before START) enters the warning days, then passes its limit, and the
county sees it move from 临近超期 to 已超期 with its township's name; each caseworker's load is listed,
and so are the notifications that could not go out."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from jiuzhu.testing import LiveSystem
from tests.browser.conftest import SignIn

ZHAO = "赵*红"  # the county reads names masked


def test_the_desk_follows_a_case_into_the_warning_days_and_past_its_limit(live: LiveSystem, sign_in: SignIn) -> None:
    page = sign_in("county.minzheng")
    page.get_by_role("link", name="督办台").click()
    expect(page.get_by_role("heading", name="督办台")).to_be_visible()
    expect(page.locator("#at-risk-cases tr", has_text=ZHAO)).to_have_count(0)  # day 7: not yet
    workload = page.locator("#workload")
    for name, township in (("王经办", "桃州镇"), ("孙经办", "桃州镇"), ("吴经办", "新杭镇"), ("郑经办", "新杭镇")):
        expect(workload.locator(f"tr[data-caseworker='{name}']")).to_contain_text(township)

    live.advance(timedelta(days=1))  # working day 8
    page.reload()
    row = page.locator("#at-risk-cases tr", has_text=ZHAO)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("桃州镇")
    expect(page.locator("#overdue-cases tr", has_text=ZHAO)).to_have_count(0)

    live.advance(timedelta(days=4))  # Saturday: the 10 working days ended on Friday
    page.reload()
    expect(page.locator("#at-risk-cases tr", has_text=ZHAO)).to_have_count(0)
    late = page.locator("#overdue-cases tr", has_text=ZHAO)
    expect(late).to_have_count(1)
    # The demo's staff have no e-mail addresses: the mails that could not go out are said, not dropped.
    expect(page.locator("#undelivered")).to_contain_text("沈督查未登记电子邮箱，无法发送")
    number = late.get_by_role("link").inner_text()
    late.get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"案件 {number}")).to_be_visible()

    leader = sign_in("xinhang.lingdao")  # a township leader sees their own township only
    leader.get_by_role("link", name="督办台").click()
    expect(leader.locator("#overdue-cases tr", has_text="赵")).to_have_count(0)
    expect(leader.locator("#workload")).not_to_contain_text("桃州镇")
