"""Forms a person fills and submits, with their context, in Chinese — on the live demo county.

A demo 低保 case open at the home visit is driven through the pages only: the
caseworker records the visit choosing the visitors by name, submits 乡镇审核 with no 刚性支出 row,
and the leader sees the real figures on 分管领导审批. Errors of an empty or a wrong submission are
Chinese and stand next to their fields; the date picker speaks Chinese; the phone layout is readable.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import Locator, Page, expect

from jiuzhu.testing import LiveSystem
from tests.browser.conftest import SCREENSHOTS, SignIn

ENGLISH = re.compile(r"\b(Field|required|Select|Add new|Search|Value|must|Collapse|Expand|Remove)\b")
WAIT_MS = 60_000


def open_task(page: Page, task_name: str, household: str = "张建国户") -> None:
    """From the inbox: the task of that name of the household's demo application (it appears once the
    workers got there; the seeded history's cases have tasks of the same names open)."""
    row = (
        page.locator("table.tasks tbody tr")
        .filter(has=page.get_by_role("link", name=task_name, exact=True))
        .filter(has_text=household)
    )
    deadline = time.monotonic() + WAIT_MS / 1000
    while row.count() == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        page.reload()
    row.first.get_by_role("link", name=task_name, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=task_name)).to_be_visible()


def claim(page: Page, name: str) -> None:
    page.get_by_role("button", name="认领任务").click()
    expect(page.locator("#task-form[data-ready=true]")).to_be_visible()
    expect(page.locator("#assignee")).not_to_have_text("待认领")


def field(page: Page, label: str) -> Locator:
    """A form-js field by its label (the innermost wrapper holding label, input and error line: a
    list's wrapper holds its rows' fields too; in a list, the last row's)."""
    return (
        page.locator(".fjs-form-field")
        .filter(has=page.locator(".fjs-form-field-label", has_text=re.compile(f"^{re.escape(label)}\\*?$")))
        .last
    )


def choose(page: Page, label: str, option: str) -> None:
    """form-js' own dropdown: open it, pick the option by its text."""
    field(page, label).locator(".fjs-input-group").click()
    field(page, label).locator(".fjs-dropdownlist-item", has_text=option).first.click()


def fill_when(page: Page, label: str, date: str, clock: str) -> None:
    """Date and time as a person types them; form-js re-renders when a picker changes, so each value
    is checked to have stayed (and typed again if the re-render swallowed it)."""
    for part, value, key in ((f"{label}（日期）", date, "Enter"), (f"{label}（时间）", clock, "Tab")):
        box = page.get_by_label(part)
        for _ in range(3):
            box.fill(value)
            box.press(key)
            page.wait_for_timeout(200)
            if box.input_value():
                break
        expect(box).not_to_have_value("")


def no_english(page: Page) -> None:
    text = page.locator("main").inner_text()
    assert not ENGLISH.search(text), ENGLISH.search(text)


def submit(page: Page) -> None:
    page.get_by_role("button", name="提交").click()


def record_visit(page: Page, live: LiveSystem, signatory: str) -> None:
    open_task(page, "入户调查（至少两人）")
    claim(page, "王经办")
    when = live.now().astimezone()  # the visit happened an hour ago, on the county's clock
    fill_when(page, "入户时间", (when - timedelta(hours=1)).strftime("%Y/%m/%d"), "09:00")
    choose(page, "调查人员一", "王经办")
    choose(page, "调查人员二", "孙经办")
    page.get_by_label("调查情况（居住、收入、财产、劳动能力等）").fill("三口之家，丈夫务工收入低，住自建房，无车辆。")
    page.get_by_label("符合", exact=True).check()
    choose(page, "在场家庭成员签字", signatory)
    submit(page)
    expect(page.get_by_role("status")).to_contain_text("任务已提交")


def test_visit_assessment_with_no_rigid_spending_and_the_leader_sees_the_figures(
    live: LiveSystem, sign_in: SignIn
) -> None:
    caseworker = sign_in("taozhou.jingban")
    errors: list[str] = []
    caseworker.on("pageerror", lambda e: errors.append(str(e)))
    live.advance(timedelta(hours=2))  # the visit is planned for the morning after acceptance
    record_visit(caseworker, live, "本人")  # the applicant, chosen from the household

    # 乡镇审核: one income row, the 刚性支出 list left empty — it submits.
    open_task(caseworker, "乡镇审核（收入、财产核定）")
    claim(caseworker, "王经办")
    no_english(caseworker)
    caseworker.get_by_label("家庭财产状况符合当地规定").check()
    field(caseworker, "家庭收入").get_by_role("button", name="添加").click()
    choose(caseworker, "收入类型", "工资性收入")
    caseworker.get_by_label("金额（元）").fill("900")
    caseworker.get_by_label("审核意见").fill("收入、财产经核对属实，符合低保条件。")
    expect(field(caseworker, "刚性支出（可扣减）").locator(".fjs-repeat-row-container")).to_have_count(0)
    submit(caseworker)
    expect(caseworker.get_by_role("status")).to_contain_text("任务已提交")

    # 分管领导审批: the figures of this case, not blanks.
    leader = sign_in("taozhou.lingdao")
    open_task(leader, "分管领导审批")
    claim(leader, "周分管")
    summary = leader.locator(".fjs-form-field-text", has_text="认定结果")
    expect(summary).to_contain_text("低保")
    text = summary.inner_text()
    figures = [Decimal(n) for n in re.findall(r"(\d+(?:\.\d+)?) 元", text)]
    assert len(figures) == 3, text
    per_capita, standard, proposed = figures
    leader.locator("dl.facts a[href^='/cases/']").click()  # the case: how many people share the income
    caption = leader.locator("table.members caption").inner_text()
    members = int(re.findall(r"(\d+) 人", caption)[0])
    assert abs(per_capita * members - 900) < 1, (text, caption)  # the 900 元 wages entered at 乡镇审核
    leader.go_back()
    expect(leader.locator("#task-form[data-ready=true]")).to_be_visible()
    assert standard > per_capita and proposed > 0, text
    expect(field(leader, "审批人").locator(".fjs-select-display")).to_have_text("周分管")
    leader.get_by_label("批准", exact=True).check()
    leader.screenshot(path=str(SCREENSHOTS / "forms-leader-approval.png"), full_page=True)

    # 批准 without an amount: Chinese, next to the field, and the task stays open.
    leader.get_by_label("审批理由（不予批准时写明事实和依据）").fill("家庭月人均收入低于当地低保标准。")
    submit(leader)
    expect(field(leader, "批准救助金额（元）").locator(".fjs-form-field-error")).to_have_text("此项为必填项")
    expect(leader.locator("#form-errors")).to_contain_text("“批准救助金额（元）”：此项为必填项")
    no_english(leader)
    leader.get_by_label("批准救助金额（元）").fill(str(proposed))
    submit(leader)
    expect(leader.get_by_role("status")).to_contain_text("任务已提交")
    assert not errors, errors


def test_empty_submit_chinese_errors_date_picker_and_phone_layout(live: LiveSystem, sign_in: SignIn) -> None:
    live.advance(timedelta(hours=2))
    page = sign_in("taozhou.jingban2")
    open_task(page, "入户调查（至少两人）")
    claim(page, "孙经办")
    submit(page)
    for label in ("调查人员一", "调查人员二", "调查情况（居住、收入、财产、劳动能力等）", "在场家庭成员签字"):
        expect(field(page, label).locator(".fjs-form-field-error")).to_have_text("此项为必填项")
    expect(page.locator("#form-errors")).to_contain_text("请先更正表单中的错误")
    no_english(page)
    page.screenshot(path=str(SCREENSHOTS / "forms-error.png"), full_page=True)

    # The date picker: Chinese month and weekday names.
    page.get_by_label("入户时间（日期）").click()
    calendar = page.locator(".flatpickr-calendar.open")
    expect(calendar).to_be_visible()
    expect(calendar.locator(".flatpickr-weekdays")).to_contain_text("周一")
    expect(calendar.locator(".flatpickr-current-month")).to_contain_text("月")
    expect(page.get_by_label("入户时间（日期）")).to_have_attribute("placeholder", "年/月/日")
    calendar.evaluate("el => Promise.all(el.getAnimations().map((a) => a.finished))")  # opened fully
    page.screenshot(path=str(SCREENSHOTS / "forms-date-picker.png"))
    page.keyboard.press("Escape")
    page.get_by_role("heading", level=1).click()  # away from the picker
    expect(calendar).to_have_count(0)

    # The same visitor twice, a visit tomorrow: refused before the task closes, next to the fields.
    # the date and time first: form-js re-renders the form when they change
    fill_when(page, "入户时间", (live.now() + timedelta(days=1)).astimezone().strftime("%Y/%m/%d"), "09:00")
    page.get_by_label("符合", exact=True).check()
    choose(page, "调查人员一", "孙经办")
    choose(page, "调查人员二", "孙经办")
    page.get_by_label("调查情况（居住、收入、财产、劳动能力等）").fill("家中三口。")
    choose(page, "在场家庭成员签字", "本人")
    submit(page)
    expect(field(page, "调查人员二").locator(".server-error")).to_have_text("“调查人员二”不能与“调查人员一”相同")
    expect(page.locator("#form-errors")).to_contain_text("“入户时间（日期）”不能晚于当前时间")
    expect(page.get_by_role("heading", level=1, name="入户调查（至少两人）")).to_be_visible()

    # A phone: every option label readable in full, nothing wider than the screen.
    phone = sign_in("taozhou.jingban2", phone=True)
    open_task(phone, "入户调查（至少两人）")
    expect(phone.locator("#task-form[data-ready=true]")).to_be_visible()
    for option in ("符合", "不符合"):
        option_label = phone.locator(".fjs-form-field-radio label", has_text=re.compile(f"^{option}$"))
        box = option_label.bounding_box()
        assert box is not None and box["width"] > 0 and box["x"] + box["width"] <= 390, (option, box)
        assert option_label.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), option
    radio = phone.locator(".fjs-form-field-radio input[type=radio]").first.bounding_box()
    assert radio is not None and radio["width"] <= 24 and radio["height"] <= 24, radio
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SCREENSHOTS / "forms-phone.png"), full_page=True)
