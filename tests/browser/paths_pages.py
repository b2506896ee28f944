"""What a person does on the pages along a whole case path: file an application for a household the
county's registry knows, find the case's next task, claim it, submit it, read the case file.

Only the pages: the helpers click and read what a person would, and wait (reloading) while the workers
move the case on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect

from jiuzhu.demo import HOUSEHOLDS, STAFF, DemoHousehold
from jiuzhu.testing import LiveSystem

CASE_NUMBER = re.compile(r"341822100-2026-\d{4}")
WAIT_MS = 60_000


@dataclass(frozen=True)
class Applicant:
    """A household of the demo county that has no case yet, and the assistant of its village."""

    household: DemoHousehold
    assistant: str  # login

    @property
    def name(self) -> str:
        return self.household.members[0].name


def applicant(key: str) -> Applicant:
    household = next(h for h in HOUSEHOLDS if h.key == key)
    assistant = next(
        login
        for login, _, role, code, village in STAFF
        if role.name == "VILLAGE_ASSISTANT" and code == household.township and village == household.village[0]
    )
    return Applicant(household, assistant)


def apply_for(page: Page, who: Applicant, scheme: str, *, channel: str) -> str:
    """The application form filled for the whole household, submitted; the case number on the receipt.
    ``channel``: the menu link, 一窗受理 at the window or 帮办代办 by the village assistant."""
    household = who.household
    page.get_by_role("link", name=channel, exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("：新申请$"))).to_be_visible()
    page.get_by_label("救助类别").select_option(scheme)
    page.get_by_label("村（社区）").select_option(label="".join(household.village))  # 桐川村上桐
    page.get_by_label("家庭住址").fill(household.address)
    page.get_by_label("城乡类别").select_option(label=household.area.label)
    for i, member in enumerate(household.members):
        if i:
            page.get_by_role("button", name="增加家庭成员").click()
            page.locator(f"#m{i}_relationship").select_option(member.relationship.value)
        page.locator(f"#m{i}_name").fill(member.name)
        page.locator(f"#m{i}_id_number").fill(member.id_number)
        page.locator(f"#m{i}_work_capacity").select_option(member.work_capacity.value)
    page.get_by_label("申请人及家庭成员已签署家庭经济状况核对授权书").check()
    page.get_by_role("button", name="受理并启动流程").click()
    done = page.get_by_role("heading", name="申请已受理")
    guidance = page.get_by_text("请先核对上方一窗受理指引")
    expect(done.or_(guidance)).to_be_visible(timeout=WAIT_MS)
    if guidance.is_visible():  # the facts point somewhere: read the guidance, then confirm
        page.get_by_role("button", name="受理并启动流程").click()
    expect(done).to_be_visible(timeout=WAIT_MS)
    number = page.locator("#case-number").inner_text()
    assert CASE_NUMBER.fullmatch(number), number
    return number


def open_case(page: Page, live: LiveSystem, number: str) -> None:
    page.goto(f"{live.url}/cases?q={number}")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name=f"案件 {number}")).to_be_visible()


def task_of(page: Page, live: LiveSystem, number: str, task: str) -> None:
    """From the case file's 当前环节: the case's task of that name (once the workers made it), opened."""
    open_case(page, live, number)
    link = page.locator("section[aria-labelledby=docs]").get_by_role("link", name=task, exact=True)
    for _ in range(60):
        if link.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    link.click()
    expect(page.get_by_role("heading", level=1, name=task)).to_be_visible()
    expect(page.locator("#task-case")).to_contain_text(f"案件 {number}")


def inbox_row(page: Page, live: LiveSystem, number: str, task: str) -> Locator:
    """The inbox row of this case's task, the list filtered by the task's type as a person would."""
    page.goto(f"{live.url}/")
    page.get_by_label("任务类型").select_option(task)
    row = page.locator("tr[data-task-key]", has_text=number)
    expect(row.get_by_role("link", name=task, exact=True)).to_be_visible()
    return row


def claim(page: Page, name: str) -> None:
    page.get_by_role("button", name="认领任务").click()
    expect(page.locator("#assignee")).to_have_text(name)
    expect(page.locator("#task-form[data-ready=true]")).to_be_visible()


def complete(page: Page) -> None:
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status")).to_contain_text("任务已提交")


def status_becomes(page: Page, status: str) -> None:
    """On the case file: the case's status, once the workers got it there (reloading)."""
    shown = page.locator(".page-head p.muted")  # 低保 · 已批准 · 桃州镇 · 帮办代办
    for _ in range(60):
        if f" · {status} · " in shown.inner_text():
            return
        page.wait_for_timeout(1000)
        page.reload()
    expect(shown).to_contain_text(f" · {status} · ")
