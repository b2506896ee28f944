"""What a person does on the pages, step by step, for the longer casework paths (特困, 支出型, objections,
督办, re-checks): take in an application, open a case's current step from its case file, claim it, fill
the forms a caseworker and a leader fill. Everything goes through the pages; nothing reaches the engine."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Locator, Page, expect

from jiuzhu.testing import LiveSystem
from tests.browser.conftest import CST
from tests.browser.test_forms_browser import choose, field, fill_when
from tests.browser.test_intake_browser import fill_household, open_intake, submit

WAIT_MS = 60_000


def take_in(page: Page, scheme: str, applicant: str, id_number: str, address: str) -> str:
    """一窗受理 of a one-person household; the case number on the receipt."""
    open_intake(page)
    fill_household(page, scheme, applicant, id_number, address)
    return submit(page)


def case_page(page: Page, live: LiveSystem, number: str) -> None:
    page.goto(f"{live.url}/cases?q={number}")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name=f"案件 {number}")).to_be_visible()


def current_step(page: Page, live: LiveSystem, number: str, task: str) -> Locator:
    """The case file's link to its open step ``task``, once the workers have got there (reloading)."""
    case_page(page, live, number)
    link = page.locator("section[aria-labelledby=docs]").get_by_role("link", name=task, exact=True)
    for _ in range(WAIT_MS // 500):
        if link.count():
            return link.first
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError(f"案件 {number} 没有环节 {task}：{page.locator('main').inner_text()[-800:]}")


def open_step(page: Page, live: LiveSystem, number: str, task: str) -> None:
    """Open the case's step ``task`` from its case file and claim it; the form is ready to fill."""
    current_step(page, live, number, task).click()
    expect(page.get_by_role("heading", level=1, name=task)).to_be_visible()
    expect(page.locator("#task-case")).to_contain_text(number)
    page.get_by_role("button", name="认领任务").click()
    expect(page.locator("#task-form[data-ready=true]")).to_be_visible()


def send(page: Page) -> None:
    """提交, and the page says the task went in."""
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status")).to_contain_text("任务已提交", timeout=WAIT_MS)


def record_visit(page: Page, live: LiveSystem, number: str, findings: str, signatory: str) -> None:
    """入户调查 by 王经办 and 孙经办, earlier today on the county's clock, found eligible."""
    open_step(page, live, number, "入户调查（至少两人）")
    when = live.now().astimezone(CST) - timedelta(hours=1)  # an hour ago on the county's clock
    fill_when(page, "入户时间", when.strftime("%Y/%m/%d"), when.strftime("%H:%M"))
    choose(page, "调查人员一", "王经办")
    choose(page, "调查人员二", "孙经办")
    page.get_by_label("调查情况（居住、收入、财产、劳动能力等）").fill(findings)
    choose(page, "在场家庭成员签字", signatory)  # one of the household
    page.get_by_label("符合", exact=True).check()
    send(page)


def assess(page: Page, live: LiveSystem, number: str, task: str, notes: str, *, wages: int | None = None,
           essential: int | None = None) -> None:  # fmt: skip
    """乡镇审核: property within limits, the income (wages) and, for 支出型, the necessary spending."""
    open_step(page, live, number, task)
    page.get_by_label("家庭财产状况符合当地规定").check()
    if wages is not None:
        field(page, "家庭收入").get_by_role("button", name="添加").click()
        choose(page, "收入类型", "工资性收入")
        page.get_by_label("金额（元）").fill(str(wages))
    if essential is not None:
        page.get_by_label("支出型临时救助：医疗、教育等必需支出（元）").fill(str(essential))
    page.get_by_label("审核意见").fill(notes)
    send(page)


def summary_figures(page: Page) -> tuple[str, list[str]]:
    """An approval form's summary line and the amounts (元) in it, as the approver reads them."""
    summary = page.locator(".fjs-form-field-text", has_text="认定结果")
    expect(summary).to_contain_text(re.compile(r"拟救助金额 \d"))
    text = summary.inner_text()
    return text, re.findall(r"(\d+(?:\.\d+)?) 元", text)


def select_options(page: Page, label: str) -> list[str]:
    """The names a form-js select offers (its dropdown opened and closed again)."""
    box = field(page, label)
    box.locator(".fjs-input-group").click()
    items = box.locator(".fjs-dropdownlist-item")
    expect(items.first).to_be_visible()
    names = [t.strip() for t in items.all_inner_texts()]
    page.keyboard.press("Escape")
    return names
