"""Issue 11, must show: whole case paths done by people through the pages only, in Chromium on
`jiuzhu up --demo --clock controlled` with the real processes and workers; every step asserts what
the person sees.

- the reformed 低保 path: the village assistant's 帮办代办 → the economic check → the home visit by two
  named visitors → the township assessment → the leader's approval with the figures → the result
  publicity in the applicant's village, masked on the public page → the decision notice delivered;
- a rejection at the check: the notice task names the case and the reasons, the notice PDF lists them,
  and the case closes as 不予批准;
- a rejection at the visit: the visitors find what the check could not; the leader reads their findings
  and the township's assessment on her form, refuses with reasons, the notice quoting them is delivered
  and the case closes as 不予批准.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from jiuzhu.testing import LiveSystem
from tests.browser.conftest import CST, SCREENSHOTS, SignIn
from tests.browser.paths_pages import (
    applicant,
    apply_for,
    claim,
    complete,
    inbox_row,
    open_case,
    status_becomes,
    task_of,
)
from tests.browser.test_forms_browser import choose, field, fill_when

VISIT = "入户调查（至少两人）"
ASSESSMENT = "乡镇审核（收入、财产核定）"
APPROVAL = "分管领导审批"
DELIVERY = "送达文书并取得送达回证"


def deliver(page: Page, day: str, clock: str, receipt: str) -> None:
    fill_when(page, "送达时间", day, clock)
    page.get_by_label("送达回证编号").fill(receipt)
    complete(page)


def test_reformed_dibao_from_the_assistants_application_to_the_masked_publicity_and_the_notice(
    live: LiveSystem, sign_in: SignIn, browser: Browser
) -> None:
    mother = applicant("h168")  # 杨春花 and her son, 桐川村上桐: the registry finds wages of ¥1,110
    assistant = sign_in(mother.assistant)
    number = apply_for(assistant, mother, "低保", channel="帮办代办")
    expect(assistant.locator("main")).to_contain_text("已通过“帮办代办”受理")
    live.advance(timedelta(hours=2))  # the visit is made later that morning

    # The economic check ran at once; the case is at the home visit, and the inbox row says whose.
    caseworker = sign_in("taozhou.jingban")
    open_case(caseworker, live, number)
    expect(caseworker.locator("section[aria-labelledby=checks]")).to_contain_text("符合 （家庭月人均收入 ¥555.00）")
    expect(caseworker.locator("section[aria-labelledby=application]")).to_contain_text("帮办代办（代办：何协理）")
    row = inbox_row(caseworker, live, number, VISIT)
    expect(row).to_contain_text("杨春花户 · 桐川村上桐 · 低保")
    task_of(caseworker, live, number, VISIT)
    expect(caseworker.locator("#task-household")).to_have_text("杨春花户")
    caseworker.screenshot(path=str(SCREENSHOTS / "paths-home-visit-task.png"), full_page=True)
    claim(caseworker, "王经办")
    fill_when(caseworker, "入户时间", "2026/03/02", "10:00")
    choose(caseworker, "调查人员一", "王经办")
    choose(caseworker, "调查人员二", "孙经办")
    caseworker.get_by_label("调查情况（居住、收入、财产、劳动能力等）").fill(
        "母子二人，母亲务工收入低，住自建房，无车辆。"
    )
    choose(caseworker, "在场家庭成员签字", "杨春花")  # chosen from the household
    caseworker.get_by_label("符合", exact=True).check()
    complete(caseworker)

    # 乡镇审核: the wages the check found, no 刚性支出.
    task_of(caseworker, live, number, ASSESSMENT)
    claim(caseworker, "王经办")
    caseworker.get_by_label("家庭财产状况符合当地规定").check()
    field(caseworker, "家庭收入").get_by_role("button", name="添加").click()
    choose(caseworker, "收入类型", "工资性收入")
    caseworker.get_by_label("金额（元）").fill("1110")
    caseworker.get_by_label("审核意见").fill("收入、财产经核对属实，符合低保条件。")
    complete(caseworker)
    open_case(caseworker, live, number)
    expect(caseworker.locator("section[aria-labelledby=checks]")).to_contain_text("调查人员：王经办、孙经办")

    # The leader approves with the figures in front of her: (755 − 555) × 2 + 20 % of 755 for the son.
    leader = sign_in("taozhou.lingdao")
    task_of(leader, live, number, APPROVAL)
    claim(leader, "周分管")
    expect(leader.locator("#task-form")).to_contain_text(
        "认定结果：低保；家庭月人均收入 555 元，标准 755 元；拟救助金额 551 元。"
    )
    leader.get_by_label("批准", exact=True).check()
    leader.get_by_label("批准救助金额（元）").fill("551")
    leader.get_by_label("审批理由（不予批准时写明事实和依据）").fill("家庭月人均收入低于当地低保标准，符合条件。")
    # The diagram opens on her step at a size she can read, and switches to the whole process.
    diagram = leader.locator("[data-bpmn-diagram]")
    expect(diagram).to_have_attribute("data-ready", "true")
    step, frame = diagram.locator(".djs-element.current-step").first.bounding_box(), diagram.bounding_box()
    assert step and frame and step["width"] >= 80  # a task box at full size (100 px wide), not a speck
    assert frame["x"] <= step["x"] and step["x"] + step["width"] <= frame["x"] + frame["width"]
    leader.get_by_role("button", name="全图").click()
    whole = diagram.locator(".djs-element.current-step").first.bounding_box()
    assert whole and whole["width"] < step["width"]
    leader.get_by_role("button", name="当前环节").click()
    leader.screenshot(path=str(SCREENSHOTS / "paths-leader-approval.png"), full_page=True)
    complete(leader)

    # The result is published in 桐川村上桐 for 7 days: masked on the public page.
    open_case(leader, live, number)
    status_becomes(leader, "公示中")
    expect(leader.locator("section[aria-labelledby=publicity]")).to_contain_text(
        "（桐川村上桐，杨*花，2 人，每月 ¥551.00）"
    )
    public = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()  # anyone, not signed in
    public.goto(f"{live.url}/public/notices")
    notice = public.locator("section.card", has_text="杨*花")
    expect(notice.get_by_role("heading")).to_have_text("桐川村上桐：审批结果公示")
    expect(notice).to_contain_text("公示期：2026年03月02日 至 2026年03月08日")
    published = notice.locator("tr", has_text="杨*花")
    for cell, value in (
        ("村（组）", "桐川村上桐"),
        ("家庭人口", "2"),
        ("类别", "低保"),
        ("月救助金额（元）", "551.00"),
    ):
        expect(published.locator(f"td[data-label='{cell}']")).to_have_text(value)
    page_text = public.locator("main").inner_text()
    assert "杨春花" not in page_text and mother.household.members[0].id_number not in page_text
    assert not re.search(r"\d{17}[\dX]", page_text)  # no ID number of anyone
    expect(notice).to_contain_text("拨打 12349；0563-6012349 反映")
    public.screenshot(path=str(SCREENSHOTS / "paths-public-notices.png"), full_page=True)
    public.context.close()

    # The period ends with 8 March; then the approval notice is issued and delivered.
    live.advance(datetime(2026, 3, 9, 9, 0, tzinfo=CST) - live.now())
    task_of(caseworker, live, number, DELIVERY)
    claim(caseworker, "王经办")
    expect(caseworker.locator("#task-form")).to_contain_text(re.compile(r"文书编号：桃州镇民救批〔2026〕\d+号"))
    expect(caseworker.locator("#task-form")).to_contain_text("批准或变更决定，详见通知书")
    deliver(caseworker, "2026/03/09", "08:30", "送达回证-2026-101")  # before now: 09:00
    open_case(caseworker, live, number)
    status_becomes(caseworker, "已批准")
    documents = caseworker.locator("section[aria-labelledby=docs]")
    expect(documents).to_contain_text(re.compile(r"批准通知书 桃州镇民救批〔2026〕\d+号"))
    expect(documents).to_contain_text("已送达")
    expect(caseworker.locator("#payments")).to_contain_text("2026-04")
    expect(caseworker.locator("#payments")).to_contain_text("¥551.00")


def test_rejected_at_the_check_the_notice_names_the_reasons_and_the_case_closes(
    live: LiveSystem, sign_in: SignIn, tmp_path: Path
) -> None:
    father = applicant("h061")  # 姚海林 and his daughter, 东亭村三组: wages above the standard
    window = sign_in("taozhou.jingban")
    number = apply_for(window, father, "低保", channel="一窗受理")

    task_of(window, live, number, DELIVERY)
    expect(window.locator("#task-household")).to_have_text("姚海林户")
    claim(window, "王经办")
    form = window.locator("#task-form")
    expect(form).to_contain_text(re.compile(r"文书编号：桃州镇民救告〔2026〕\d+号"))
    expect(form).to_contain_text("不予批准的理由：")
    expect(form).to_contain_text("高于当地低保标准 ¥755")
    reasons = form.locator(".fjs-form-field-text", has_text="不予批准的理由").inner_text()
    live.advance(timedelta(hours=2))  # delivered in person later that morning
    deliver(window, "2026/03/02", "10:00", "送达回证-2026-102")

    open_case(window, live, number)
    expect(window.locator("section[aria-labelledby=checks]")).to_contain_text("不符合")
    documents = window.locator("section[aria-labelledby=docs]")
    expect(documents).to_contain_text("已送达")
    with window.expect_download() as download:
        documents.get_by_role("link", name="下载 PDF").first.click()
    pdf = tmp_path / "notice.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for reason in reasons.removeprefix("不予批准的理由：").split("；"):
        assert re.sub(r"\s+", "", reason) in flat, (reason, text[:1500])
    assert "姚海林" in flat and "六十日内" in flat

    # The dispute window (15 days) passes without an objection: the case is closed as 不予批准.
    live.advance(timedelta(days=15, minutes=5))
    status_becomes(window, "不予批准")
    expect(window.locator("section[aria-labelledby=docs]")).to_contain_text("没有待办环节。")


def test_rejected_at_the_visit_the_leader_reads_the_findings_and_the_notice_gives_her_reasons(
    live: LiveSystem, sign_in: SignIn, tmp_path: Path
) -> None:
    mother = applicant("h168")  # 杨春花 and her son: the registry's check passes (wages of ¥1,110)
    window = sign_in("taozhou.jingban")
    number = apply_for(window, mother, "低保", channel="一窗受理")
    live.advance(timedelta(hours=2))

    # The visitors find a shop let out that no register knows of: 不符合.
    task_of(window, live, number, VISIT)
    claim(window, "王经办")
    fill_when(window, "入户时间", "2026/03/02", "10:00")
    choose(window, "调查人员一", "王经办")
    choose(window, "调查人员二", "孙经办")
    findings = "入户发现临街门面一间出租，月租金约两千元，未申报。"
    window.get_by_label("调查情况（居住、收入、财产、劳动能力等）").fill(findings)
    choose(window, "在场家庭成员签字", "杨春花")
    window.get_by_label("不符合", exact=True).check()
    complete(window)

    # 乡镇审核: the property is not within the local rules.
    task_of(window, live, number, ASSESSMENT)
    claim(window, "王经办")
    expect(window.get_by_label("家庭财产状况符合当地规定")).not_to_be_checked()
    field(window, "家庭收入").get_by_role("button", name="添加").click()
    choose(window, "收入类型", "工资性收入")
    window.get_by_label("金额（元）").fill("1110")
    notes = "门面出租收入未申报，家庭财产状况不符合当地规定。"
    window.get_by_label("审核意见").fill(notes)
    complete(window)

    # The leader reads what the visitors found and what the township concluded, and refuses.
    leader = sign_in("taozhou.lingdao")
    task_of(leader, live, number, APPROVAL)
    claim(leader, "周分管")
    form = leader.locator("#task-form")
    expect(form.locator(".fjs-form-field-text", has_text="入户调查结论")).to_have_text(
        f"入户调查结论：不符合；调查情况：{findings}"
    )
    expect(form.locator(".fjs-form-field-text", has_text="乡镇审核意见")).to_have_text(f"乡镇审核意见：{notes}")
    expect(form).to_contain_text("拟救助金额 未核算")
    leader.get_by_label("不予批准", exact=True).check()
    expect(leader.get_by_label("批准救助金额（元）")).to_be_hidden()
    reasons = "入户调查发现家庭有门面出租收入未申报，家庭财产状况不符合低保条件。"
    leader.get_by_label("审批理由（不予批准时写明事实和依据）").fill(reasons)
    complete(leader)

    # The written notice quotes her reasons; delivered within the hour, the case closes as 不予批准.
    task_of(window, live, number, DELIVERY)
    expect(window.locator("#task-household")).to_have_text("杨春花户")
    claim(window, "王经办")
    notice = window.locator("#task-form")
    expect(notice).to_contain_text(re.compile(r"文书编号：桃州镇民救告〔2026〕\d+号"))
    expect(notice.locator(".fjs-form-field-text", has_text="不予批准的理由")).to_contain_text(reasons)
    live.advance(timedelta(hours=1))
    deliver(window, "2026/03/02", "11:30", "送达回证-2026-103")

    open_case(window, live, number)
    status_becomes(window, "不予批准")
    documents = window.locator("section[aria-labelledby=docs]")
    expect(documents).to_contain_text("已送达")
    expect(documents).to_contain_text("没有待办环节。")
    with window.expect_download() as download:
        documents.get_by_role("link", name="下载 PDF").first.click()
    pdf = tmp_path / "notice.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert reasons in flat and "杨春花" in flat and "六十日内" in flat, text[:1500]
