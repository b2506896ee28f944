"""Issue 11, part B, in Chromium on `jiuzhu up --demo --clock controlled`, through the pages only:
a home-visit task says whose case it is; a visit record with the same visitor twice is refused next
to the field before the task closes, and the case goes on once it is put right (nothing stuck); the
inbox filters; the leader reassigns a task to a named colleague; 卡住的案件 for the township and county.

(A rule only a worker can check comes back on the task with its reason: tests/e2e/test_rejection_loops.py
drives each loop; the forms now stop at the page what a person could get wrong on the visit.)"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Locator, Page, expect

from jiuzhu.demo import REGISTRY_FILE, id_number
from jiuzhu.testing import LiveSystem
from tests.browser.conftest import SCREENSHOTS, SignIn
from tests.browser.test_forms_browser import choose, field, fill_when
from tests.browser.test_intake_browser import fill_household, submit

VISIT = "入户调查（至少两人）"
WAIT_MS = 60_000


def task_row(page: Page, name: str, case_number: str | None = None) -> Locator:
    """The inbox row of the first task called ``name`` (of that case, or whose row has that text),
    waiting (reloading) until the workers made it."""
    rows = page.locator("tr[data-task-key]", has=page.get_by_role("link", name=name, exact=True))
    row = (rows.filter(has_text=case_number) if case_number else rows).first
    for _ in range(60):
        if row.count():
            return row
        page.wait_for_timeout(1000)
        page.reload()
    raise AssertionError(f"no task {name} in the inbox: {page.locator('main').inner_text()}")


def settled_count(page: Page, name: str) -> int:
    """How many inbox rows name ``name`` once the number stops changing between two reloads."""
    last = -1
    for _ in range(30):
        page.reload()
        count = page.locator("tr[data-task-key]", has_text=name).count()
        if count == last:
            return count
        last = count
        page.wait_for_timeout(1000)
    raise AssertionError(f"the number of {name} tasks kept changing: {last}")


def fill_visit(page: Page, first: str, second: str, signatory: str) -> None:
    fill_when(page, "入户时间", "2026-03-02", "09:00")
    choose(page, "调查人员一", first)
    choose(page, "调查人员二", second)
    page.get_by_label("调查情况（居住、收入、财产、劳动能力等）").fill("住房为自建房，无车辆，家中无其他收入来源。")
    choose(page, "在场家庭成员签字", signatory)
    page.get_by_label("符合", exact=True).check()


def test_a_refused_visit_comes_back_with_the_reason_and_the_case_goes_on(live: LiveSystem, sign_in: SignIn) -> None:
    page = sign_in("taozhou.jingban")
    page.set_default_timeout(WAIT_MS)
    # 张建国's demo application (the seeded history's cases have visits open too, re-checks among them).
    row = task_row(page, VISIT, "张建国户")
    # The inbox row of a called process's task names the case, the household and the village.
    expect(row).to_contain_text(re.compile(r"341822100-2026-\d{4}"))
    expect(row.locator(".case-household")).to_contain_text(re.compile(r"\S+户 · \S+ · 低保"))
    expect(row).not_to_contain_text("流程 ")
    household = row.locator(".case-household").inner_text().split("户")[0]
    row.get_by_role("link", name=VISIT).click()
    expect(page.get_by_role("heading", name=VISIT)).to_be_visible()
    header = page.locator("#task-case")
    expect(header).to_contain_text(re.compile(r"案件 341822100-2026-\d{4}"))
    expect(page.locator("#task-household")).to_have_text(f"{household}户")
    case_link = page.locator("#task-case a")
    case_number = case_link.inner_text()
    expect(page.get_by_text("候选岗位")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("township-caseworker")
    page.screenshot(path=str(SCREENSHOTS / "flow-home-visit-task.png"), full_page=True)

    page.get_by_role("button", name="认领任务").click()
    expect(page.locator("#assignee")).to_have_text("王经办")
    expect(page.locator("#task-form[data-ready=true]")).to_be_visible()
    fill_visit(page, "王经办", "王经办", household)  # the same visitor twice
    page.get_by_role("button", name="提交").click()
    expect(field(page, "调查人员二").locator(".server-error")).to_have_text("“调查人员二”不能与“调查人员一”相同")
    expect(page.get_by_role("heading", name=VISIT)).to_be_visible()  # the task stays open
    page.screenshot(path=str(SCREENSHOTS / "flow-visit-sent-back.png"), full_page=True)

    choose(page, "调查人员二", "孙经办")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status")).to_contain_text("任务已提交")

    # The case goes on to the township assessment, and nothing is stuck.
    task_row(page, "乡镇审核（收入、财产核定）", case_number)
    page.goto(f"{live.url}/stuck")
    expect(page.get_by_role("heading", name="卡住的案件")).to_be_visible()
    expect(page.get_by_text("没有卡住的案件。")).to_be_visible()
    page.goto(f"{live.url}/")
    page.get_by_role("link", name=case_number).first.click()
    expect(page.locator("main")).not_to_contain_text("worker:")


def test_inbox_filters_and_the_leader_reassigns_to_a_named_colleague(live: LiveSystem, sign_in: SignIn) -> None:
    caseworker = sign_in("taozhou.jingban")
    caseworker.set_default_timeout(WAIT_MS)
    task_row(caseworker, VISIT)
    visits = settled_count(caseworker, VISIT)  # the workers open the demo cases' visits one by one
    assert visits >= 1
    caseworker.get_by_role("link", name="待认领").click()
    expect(caseworker.locator("tr[data-task-key]", has_text=VISIT)).to_have_count(visits)
    expect(caseworker.locator("tr[data-task-key]", has_text="王经办")).to_have_count(0)
    caseworker.get_by_role("link", name="我的", exact=True).click()
    expect(caseworker.get_by_text("暂无符合条件的待办任务。")).to_be_visible()
    caseworker.get_by_label("任务类型").select_option(VISIT)
    expect(caseworker.locator("tr[data-task-key]")).to_have_count(0)  # 我的 and this type: none yet

    leader = sign_in("taozhou.lingdao")
    leader.set_default_timeout(WAIT_MS)
    leader.get_by_role("link", name="本乡镇全部").click()
    first = leader.locator("tr[data-task-key]", has_text=VISIT).first
    case_number = first.locator("td[data-label='案件'] a").inner_text()
    first.get_by_role("link", name=VISIT).click()
    leader.get_by_label("改派给").select_option(label="孙经办（经办人）")
    leader.get_by_role("button", name="改派").click()
    expect(leader.get_by_role("status")).to_have_text("任务已改派给 孙经办。")
    expect(leader.locator("#assignee")).to_have_text("孙经办")
    leader.screenshot(path=str(SCREENSHOTS / "flow-leader-reassigned.png"), full_page=True)

    colleague = sign_in("taozhou.jingban2")
    colleague.get_by_role("link", name="我的", exact=True).click()
    mine = colleague.locator("tr[data-task-key]", has_text=VISIT)
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("孙经办")
    expect(mine).to_contain_text(case_number)
    colleague.screenshot(path=str(SCREENSHOTS / "flow-inbox-mine.png"), full_page=True)
    # On a phone the filter bar wraps and the row still names the case.
    phone = sign_in("taozhou.jingban2", phone=True)
    phone.get_by_role("link", name="我的", exact=True).click()
    expect(phone.locator("tr[data-task-key]", has_text=VISIT)).to_contain_text(case_number)
    phone.screenshot(path=str(SCREENSHOTS / "flow-inbox-phone.png"), full_page=True)
    # The case history says who did it, by name.
    mine.locator("td[data-label='案件'] a").click()
    expect(colleague.locator("main")).to_contain_text("周分管")
    expect(colleague.locator("main")).to_contain_text("改派给 孙经办")


def test_a_check_that_keeps_failing_shows_under_stuck_cases(live: LiveSystem, sign_in: SignIn) -> None:
    """The operator's registry extract goes missing (moved away on the server, as a failed upload
    would leave it); a new application's economic check then fails, is retried with back-off and,
    when the retries run out, the case is listed under 卡住的案件 for the township and the county."""
    page = sign_in("taozhou.jingban")
    page.set_default_timeout(WAIT_MS)
    registry = live.data_dir / REGISTRY_FILE
    registry.rename(registry.with_suffix(".moved"))  # the operator's side: no registry data on the server

    page.get_by_role("link", name="一窗受理").click()
    fill_household(page, "低保", "测试申请人", id_number("19700505", "331"), "安徽省广德市桃州镇东亭村五组7号")
    submit(page)

    # Three attempts, with the back-off between them on the county's (controlled) clock.
    page.goto(f"{live.url}/stuck")
    stuck = page.locator("#stuck-cases tr", has_text="测试申请人户")
    for _ in range(30):
        if stuck.count():
            break
        live.advance(timedelta(minutes=1))
        page.wait_for_timeout(1000)
        page.reload()
    expect(stuck).to_have_count(1)
    expect(stuck).to_contain_text("家庭经济状况核对")
    expect(stuck).to_contain_text("系统处理多次失败")
    expect(stuck).to_contain_text("没有登记数据")
    expect(stuck).to_contain_text(re.compile(r"341822100-2026-\d{4}"))
    case_number = stuck.locator("a").first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "flow-stuck-cases.png"), full_page=True)

    county = sign_in("county.minzheng")
    county.goto(f"{live.url}/stuck")
    expect(county.locator("#stuck-cases tr", has_text=case_number)).to_have_count(1)
    expect(county.locator("#stuck-cases tr", has_text=case_number)).to_contain_text(
        "测***人户"
    )  # masked for the county
    other = sign_in("xinhang.jingban")
    other.goto(f"{live.url}/stuck")
    expect(other.get_by_text(case_number)).to_have_count(0)
