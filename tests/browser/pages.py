"""What people do on the pages, shared by the must-show path tests (issue 11): find a case's task in
the inbox, open and claim it, submit it, read the case file; and which demo households to apply for.

Only the pages: a task is found as a person finds it (the inbox, reloaded until the workers made it),
never through /v2, gRPC or the database.
"""

from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import Locator, Page, expect

from jiuzhu.demo import HOUSEHOLDS, NAMED_HOUSEHOLDS, DemoHousehold, history_plan
from jiuzhu.testing import LiveSystem
from tests.browser.test_intake_browser import CASE_NUMBER

WAIT_MS = 60_000


def free_households(now: datetime, township: str, village: str, expected: str) -> list[DemoHousehold]:
    """Demo households of that village whose registry data come out as ``expected`` and that have no
    case yet (neither seeded history nor the demo's applications in flight), fewest members first."""
    taken = {h.key for _, _, h in history_plan(now)} | {h.key for h in NAMED_HOUSEHOLDS}
    found = [
        h
        for h in HOUSEHOLDS
        if h.key not in taken
        and h.township == township
        and h.village[0] == village
        and h.expected == expected
        and all(m.in_registry for m in h.members)
    ]
    return sorted(found, key=lambda h: len(h.members))


def apply_for(page: Page, household: DemoHousehold, scheme: str) -> str:
    """一窗受理 / 帮办代办 for a demo household, every member typed as at the window; the case number."""
    page.get_by_label("救助类别").select_option(scheme)
    village = page.get_by_label("村（社区）")
    label = next(t for t in village.locator("option").all_inner_texts() if household.village[1] in t)
    village.select_option(label=label)
    page.get_by_label("家庭住址").fill(household.address)
    page.get_by_label("城乡类别").select_option(household.area.value)
    applicant, *others = household.members
    page.get_by_label("申请人姓名").fill(applicant.name)
    page.get_by_label("申请人身份证号码").fill(applicant.id_number)
    for i, member in enumerate(others, start=1):
        page.get_by_role("button", name="增加家庭成员").click()
        page.get_by_label(f"成员{i}姓名").fill(member.name)
        page.get_by_label(f"成员{i}身份证号码").fill(member.id_number)
        page.locator(f"#m{i}_relationship").select_option(member.relationship.value)
    page.get_by_label("申请人及家庭成员已签署家庭经济状况核对授权书").check()
    submit = page.get_by_role("button", name="受理并启动流程")
    submit.click()
    receipt = page.get_by_role("heading", name="申请已受理")
    if not receipt.is_visible(timeout=WAIT_MS) and page.get_by_text("请先核对上方一窗受理指引").count():
        submit.click()  # the window read the guidance the page showed first
    expect(receipt).to_be_visible(timeout=WAIT_MS)
    number = page.locator("#case-number").inner_text()
    assert CASE_NUMBER.fullmatch(number), number
    return number


def inbox_row(page: Page, live: LiveSystem, task: str, case_number: str) -> Locator:
    """The inbox row of the case's task called ``task``, reloading until the workers made it."""
    page.goto(f"{live.url}/")
    rows = page.locator("tr[data-task-key]", has=page.get_by_role("link", name=task, exact=True))
    row = rows.filter(has_text=case_number).first
    for _ in range(60):
        if row.count():
            return row
        page.wait_for_timeout(1000)
        page.reload()
    raise AssertionError(f"no task {task} of {case_number} in the inbox: {page.locator('main').inner_text()}")


def open_task(page: Page, live: LiveSystem, task: str, case_number: str) -> Locator:
    """From the inbox to the task page, claimed; the row it was opened from is returned as it was."""
    row = inbox_row(page, live, task, case_number)
    row_text = row.inner_text()
    row.get_by_role("link", name=task, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=task)).to_be_visible()
    expect(page.locator("#task-case")).to_contain_text(f"案件 {case_number}")
    claim = page.get_by_role("button", name="认领任务")
    if claim.count():
        claim.click()
    expect(page.locator("#task-form[data-ready=true]")).to_be_visible()
    expect(page.locator("#assignee")).not_to_have_text("待认领")
    assert case_number in row_text, row_text
    return page.locator("#task-form")


def submit_task(page: Page) -> None:
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status")).to_contain_text("任务已提交")


def case_file(page: Page, live: LiveSystem, case_number: str) -> None:
    page.goto(f"{live.url}/cases?q={case_number}")
    page.get_by_role("link", name=case_number).first.click()
    expect(page.get_by_role("heading", name=f"案件 {case_number}")).to_be_visible()


def until_shown(page: Page, locator: Locator, text: str | re.Pattern[str]) -> None:
    """Reload the page until ``locator`` shows ``text`` (the workers write it within seconds)."""
    for _ in range(60):
        shown = locator.first.inner_text() if locator.count() else ""
        if (text in shown) if isinstance(text, str) else text.search(shown):
            return
        page.wait_for_timeout(1000)
        page.reload()
    expect(locator.first).to_contain_text(text)
