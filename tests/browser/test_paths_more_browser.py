"""Issue 11, the must-show paths (part 2), in Chromium on `jiuzhu up --demo --clock controlled` with the
real processes and workers, through the pages only: 特困 with the self-care assessment, 支出型 临时救助
above the township limit (the county's 一事一议), a publicity objection, an SLA breach answered by the
county's 督办, and a re-check with a hearing and a stop. Each step asserts what the person sees."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from jiuzhu.demo import id_number
from jiuzhu.testing import LiveSystem
from tests.browser.casework_pages import (
    WAIT_MS,
    assess,
    case_page,
    open_step,
    record_visit,
    select_options,
    send,
    summary_figures,
)
from tests.browser.conftest import CST, SCREENSHOTS, SignIn
from tests.browser.test_flow_browser import task_row
from tests.browser.test_forms_browser import choose, field, fill_when
from tests.browser.test_intake_browser import fill_household, open_intake, submit

SUPERVISE = "超期督办"


def test_an_sla_breach_is_answered_by_the_countys_supervision(live: LiveSystem, sign_in: SignIn) -> None:
    """The demo's 赵小红 case was accepted 7 working days before today; nobody visits. Once working day 10
    has ended on the county's clock, the county supervisor finds 超期督办 with the case and its time limit."""
    county = sign_in("county.minzheng")
    county.set_default_timeout(WAIT_MS)
    county.goto(f"{live.url}/cases?q=赵小红")
    county.get_by_role("link", name=re.compile(r"341822100-2026-\d{4}")).first.click()
    number = county.get_by_role("heading", level=1).inner_text().removeprefix("案件 ")
    due = re.search(r"决定期限 (\d{4}-\d{2}-\d{2})", county.locator(".page-head").inner_text())
    assert due, county.locator(".page-head").inner_text()
    county.goto(f"{live.url}/")
    expect(county.locator("tr[data-task-key]", has_text=SUPERVISE)).to_have_count(0)

    live.advance(timedelta(days=4))  # Friday morning: working day 10 ended at midnight
    row = task_row(county, SUPERVISE, number)
    leader = sign_in("taozhou.lingdao")  # the township's leader in charge is told too
    task_row(leader, SUPERVISE, number)
    expect(row).to_contain_text("赵*红户")  # masked for the county
    row.get_by_role("link", name=SUPERVISE).click()
    expect(county.get_by_role("heading", level=1, name=SUPERVISE)).to_be_visible()
    county.get_by_role("button", name="认领任务").click()
    limit = county.locator(".fjs-form-field-text", has_text="办理时限")
    expect(limit).to_have_text(f"办理时限：{due.group(1)}（案件 {number}）")
    county.get_by_label("督办意见和处理措施").fill("限两个工作日内完成入户调查并报批，逾期约谈分管领导。")
    county.screenshot(path=str(SCREENSHOTS / "paths-supervision.png"), full_page=True)
    send(county)

    # The township's leader reads the county's answer on the case file, and who gave it when.
    leader.reload()
    expect(leader.locator("tr[data-task-key]", has_text=SUPERVISE)).to_have_count(0)  # answered: off the inbox
    case_page(leader, live, number)
    expect(leader.locator("#supervision")).to_have_text(
        "督办意见：限两个工作日内完成入户调查并报批，逾期约谈分管领导。"
    )
    case_page(county, live, number)
    timeline = county.locator("ol.timeline")
    expect(timeline).to_contain_text("超期上报")
    answered = timeline.locator("li", has_text=f"完成任务（{SUPERVISE}）")
    expect(answered).to_contain_text("沈督查")
    expect(answered.locator("time")).to_contain_text("2026-03-06")  # on the county's clock
    expect(
        county.locator("section[aria-labelledby=docs]").get_by_role("link", name="入户调查（至少两人）")
    ).to_be_visible()


def test_expenditure_relief_above_the_township_limit_goes_to_the_county(live: LiveSystem, sign_in: SignIn) -> None:
    """支出型: 38,000 元 of hospital bills; more than four months' 低保 standard, so the county decides
    (一事一议), and only county staff are offered as its approver."""
    township = sign_in("taozhou.jingban")
    township.set_default_timeout(WAIT_MS)
    open_intake(township)
    fill_household(township, "支出型临时救助", "钱秀芝", id_number("19690412", "271"), "桃州镇东亭村钱秀芝家")
    township.get_by_label("有医疗、教育等必需支出，超出家庭承受能力").check()
    township.get_by_role("button", name="查看一窗受理指引").click()
    expect(township.get_by_role("region", name="一窗受理指引：家庭情况指向的救助")).to_contain_text("支出型临时救助")
    number = submit(township)
    live.advance(timedelta(hours=2))
    open_step(township, live, number, "乡镇进一步核实")
    township.get_by_label("核实情况").fill("经村委会核实，户主常住本村，因病住院，无其他收入来源。")
    send(township)
    record_visit(township, live, number, "户主住院治疗，自付医疗费用约三万八千元，家中无存款。", "钱秀芝")
    assess(township, live, number, "乡镇审核（刚性支出、收入）", "医疗自付费用经医院票据核实。", essential=38000)

    county = sign_in("county.minzheng")
    county.set_default_timeout(WAIT_MS)
    open_step(county, live, number, "县级一事一议")
    text, figures = summary_figures(county)
    assert "支出型临时救助" in text, text
    proposed = figures[-1]
    assert float(proposed) > 4 * float(figures[1]), text  # beyond the township's four months' standard
    assert select_options(county, "审批人") == ["沈督查", "韩督查"]
    expect(field(county, "审批人").locator(".fjs-select-display")).to_have_text("沈督查")  # the signed-in approver
    county.get_by_label("批准", exact=True).check()
    county.get_by_label("批准救助金额（元）").fill(proposed)
    county.get_by_label("审批理由（不予批准时写明事实和依据）").fill("因病支出远超家庭承受能力，一事一议，予以救助。")
    county.screenshot(path=str(SCREENSHOTS / "paths-county-case-by-case.png"), full_page=True)
    send(county)

    case_page(county, live, number)
    decision = county.locator("section[aria-labelledby=review]")
    expect(decision).to_contain_text("沈督查：批准", timeout=WAIT_MS)
    expect(decision).to_contain_text(f"金额 ¥{float(proposed):,.2f}")


def test_tekun_with_the_self_care_assessment(live: LiveSystem, sign_in: SignIn) -> None:
    """特困: an old man living alone, no income, no one able to support him; he cannot bathe or use the
    toilet alone. The caseworker records the six activities and the supporters; the leader sees the
    care level and the amount it gives, and the case file keeps both."""
    township = sign_in("taozhou.jingban")
    township.set_default_timeout(WAIT_MS)
    open_intake(township)
    fill_household(township, "特困", "吴德福", id_number("19440918", "315"), "桃州镇东亭村吴德福家")
    township.locator("#m0_work_capacity").select_option("无劳动能力")
    township.get_by_role("button", name="查看一窗受理指引").click()
    expect(township.get_by_role("region", name="一窗受理指引：家庭情况指向的救助")).to_contain_text("特困")
    number = submit(township)
    live.advance(timedelta(hours=2))
    open_step(township, live, number, "乡镇进一步核实")
    township.get_by_label("核实情况").fill("经村委会核实，老人独居，无子女，无其他收入来源。")
    send(township)
    record_visit(township, live, number, "老人独居，行动不便，需邻居帮助洗澡、如厕。", "吴德福")

    open_step(township, live, number, "生活自理能力评估（六项）")
    for able in ("吃饭", "穿衣", "上下床", "室内行走"):
        township.get_by_label(able, exact=True).check()
    township.get_by_label("评估说明").fill("如厕、洗澡需他人协助。")
    township.screenshot(path=str(SCREENSHOTS / "paths-self-care-assessment.png"), full_page=True)
    send(township)
    open_step(township, live, number, "核查法定义务人履行能力")
    expect(township.get_by_label("有法定义务人且其具有履行义务能力")).not_to_be_checked()
    township.get_by_label("核查情况").fill("无配偶、子女，兄弟均已去世，无法定义务人。")
    send(township)
    assess(township, live, number, "乡镇审核（收入、财产核定）", "无收入，财产符合规定。")

    leader = sign_in("taozhou.lingdao")
    leader.set_default_timeout(WAIT_MS)
    open_step(leader, live, number, "分管领导审批")
    text, figures = summary_figures(leader)
    assert "特困" in text, text
    care = leader.locator(".fjs-form-field-text", has_text="生活自理能力")
    expect(care).to_have_text("生活自理能力：部分丧失生活自理能力（2项日常生活活动不能自主完成：如厕、洗澡）")
    proposed = figures[-1]
    leader.get_by_label("批准", exact=True).check()
    leader.get_by_label("批准救助金额（元）").fill(proposed)
    leader.get_by_label("审批理由（不予批准时写明事实和依据）").fill(
        "无劳动能力、无生活来源、无法定义务人，部分丧失生活自理能力。"
    )
    leader.screenshot(path=str(SCREENSHOTS / "paths-tekun-approval.png"), full_page=True)
    send(leader)

    case_page(leader, live, number)
    review = leader.locator("section[aria-labelledby=review]")
    expect(review).to_contain_text("生活自理能力评估：部分丧失生活自理能力（2项日常生活活动不能自主完成：如厕、洗澡）")
    decided = f"周分管：批准，金额 ¥{float(proposed):,.2f}，部分丧失生活自理能力，自 2026年04月 起"
    expect(review).to_contain_text(decided, timeout=WAIT_MS)


def approve_at_the_proposed_amount(page: Page, live: LiveSystem, number: str, reasons: str) -> str:
    """分管领导审批: 批准 at the amount the assessment proposed (read off the form); that amount."""
    open_step(page, live, number, "分管领导审批")
    _, figures = summary_figures(page)
    proposed = figures[-1]
    page.get_by_label("批准", exact=True).check()
    page.get_by_label("批准救助金额（元）").fill(proposed)
    page.get_by_label("审批理由（不予批准时写明事实和依据）").fill(reasons)
    send(page)
    return proposed


def test_a_publicity_objection_sends_the_case_back_to_a_new_visit_and_decision(
    live: LiveSystem, sign_in: SignIn
) -> None:
    """张建国's 低保 case (the demo's, at its home visit) is approved and published; a neighbour comes to
    the township office during the publicity: the son runs a shop. The caseworker registers the
    objection on the case page; when the publicity ends the case goes back to a new visit, the business
    income is counted, the leader decides again, the caseworker answers the objection (异议成立, with
    the reason), and the case file shows it all; the public notice says only the outcome."""
    township = sign_in("taozhou.jingban")
    township.set_default_timeout(WAIT_MS)
    township.goto(f"{live.url}/cases?q=张建国")
    township.get_by_role("link", name=re.compile(r"341822100-2026-\d{4}")).first.click()
    number = township.get_by_role("heading", level=1).inner_text().removeprefix("案件 ")
    live.advance(timedelta(hours=2))
    record_visit(township, live, number, "三口之家，丈夫务工收入低，住自建房，无车辆。", "张建国")
    assess(township, live, number, "乡镇审核（收入、财产核定）", "收入、财产经核对属实。", wages=900)
    leader = sign_in("taozhou.lingdao")
    leader.set_default_timeout(WAIT_MS)
    first = approve_at_the_proposed_amount(leader, live, number, "家庭月人均收入低于当地低保标准。")

    # During the publicity: the objection, registered on the case page.
    case_page(township, live, number)
    expect(township.locator(".page-head")).to_contain_text("公示中", timeout=WAIT_MS)
    publicity = township.locator("section[aria-labelledby=publicity]")
    for _ in range(WAIT_MS // 500):  # the publicity job posts the notice within seconds
        if publicity.get_by_role("heading", name="登记公示异议").count():
            break
        township.wait_for_timeout(500)
        township.reload()
    live.advance(timedelta(days=2))
    publicity.get_by_label("异议来源").select_option("来访")
    publicity.get_by_label("异议内容").fill("申请人儿子在县城经营门店，月收入约六百元，未申报。")
    township.screenshot(path=str(SCREENSHOTS / "paths-objection.png"), full_page=True)
    publicity.get_by_role("button", name="登记异议").click()
    expect(township.get_by_role("status")).to_have_text("异议已登记。公示期满后，该案件将重新入户调查、重新审批。")
    objection = township.locator("#objections p:not(.objection-answer)", has_text="门店")
    for _ in range(WAIT_MS // 500):  # the job records it
        if objection.count():
            break
        township.wait_for_timeout(500)
        township.reload()
    expect(objection).to_contain_text("异议（2026-03-04")
    expect(objection).to_contain_text("来访")
    expect(objection.locator(".badge")).to_have_text("已收到")
    expect(township.locator("ol.timeline")).to_contain_text("王经办 登记公示异议")

    # The publicity ends (the last day was 8 March): back to a new visit, and the objection is checked.
    live.advance(timedelta(days=5))
    record_visit(township, live, number, "核实：儿子经营门店，月净收入约600元，计入家庭收入。", "张建国")
    open_step(township, live, number, "乡镇审核（收入、财产核定）")
    township.get_by_label("家庭财产状况符合当地规定").check()
    field(township, "家庭收入").get_by_role("button", name="添加").click()
    choose(township, "收入类型", "经营净收入")
    field(township, "金额（元）").locator("input").fill("600")
    township.get_by_label("审核意见").fill("经重新调查，计入经营净收入。")
    send(township)
    second = approve_at_the_proposed_amount(leader, live, number, "计入经营收入后，家庭月人均收入仍低于低保标准。")
    assert float(second) < float(first), (first, second)
    case_page(township, live, number)
    expect(objection.locator(".badge")).to_have_text("核查中")

    # The new decision stands: the caseworker answers the objection, with what was objected in front of them.
    open_step(township, live, number, "答复公示异议")
    shown = township.locator(".fjs-form-field-text", has_text="公示期间收到的异议")
    expect(shown).to_contain_text("来访（2026-03-04）：申请人儿子在县城经营门店，月收入约六百元，未申报。")
    expect(township.locator(".fjs-form-field-text", has_text="重新入户调查后的审批决定")).to_contain_text("批准")
    township.get_by_label("异议成立", exact=True).check()
    reason = "重新入户调查核实，儿子经营收入属实，已计入家庭收入并重新核定金额。"
    township.get_by_label("核查理由（重新调查核实的事实）").fill(reason)
    township.screenshot(path=str(SCREENSHOTS / "paths-objection-answer.png"), full_page=True)
    send(township)
    case_page(township, live, number)
    expect(objection.locator(".badge")).to_have_text("异议成立", timeout=WAIT_MS)
    expect(township.locator("#objections .objection-answer")).to_have_text(
        re.compile(rf"核查结论（2026-03-09 \d\d:\d\d）：异议成立。{reason}")
    )
    decisions = township.locator("section[aria-labelledby=review]")
    expect(decisions).to_contain_text(f"金额 ¥{float(first):,.2f}")
    expect(decisions).to_contain_text(f"金额 ¥{float(second):,.2f}", timeout=WAIT_MS)
    expect(township.locator("#visit ~ p", has_text="门店")).to_have_count(1)
    expect(township.locator("section[aria-labelledby=publicity]")).to_contain_text(
        f"每月 ¥{float(second):,.2f}", timeout=WAIT_MS
    )

    # The new result publicity tells the public the outcome only: masked name, never the reason or who objected.
    township.goto(f"{live.url}/public/notices")
    answers = township.locator(".objection-answers li")
    expect(answers).to_have_count(1)
    expect(answers).to_contain_text(
        "张*国户：前次公示期间收到的异议经重新入户调查核实，异议成立（2026年03月09日答复）。"
    )
    public = township.locator("main").inner_text()
    assert "张建国" not in public and "经营收入属实" not in public and "门店" not in public


def deliver_notice(page: Page, live: LiveSystem, number: str, receipt: str) -> None:
    """送达: the notice handed over an hour ago, against a receipt (送达回证)."""
    open_step(page, live, number, "送达文书并取得送达回证")
    expect(page.locator(".fjs-form-field-text", has_text="文书编号")).to_contain_text(re.compile(r"〔2026〕\d+号"))
    when = live.now().astimezone(CST) - timedelta(hours=1)
    fill_when(page, "送达时间", when.strftime("%Y/%m/%d"), when.strftime("%H:%M"))
    page.get_by_label("送达回证编号").fill(receipt)
    send(page)


def test_a_recheck_hears_the_household_and_stops_the_assistance(live: LiveSystem, sign_in: SignIn) -> None:
    """张建国's 低保 (the demo's case) is approved, published and notified, with a re-check every half year
    (a member able to work). At the re-check the visit finds a stable job: the caseworker proposes to
    stop, hears the household, the leader approves, the change notice is delivered, and the case file
    shows the stop."""
    township = sign_in("taozhou.jingban")
    township.set_default_timeout(WAIT_MS)
    township.goto(f"{live.url}/cases?q=张建国")
    township.get_by_role("link", name=re.compile(r"341822100-2026-\d{4}")).first.click()
    number = township.get_by_role("heading", level=1).inner_text().removeprefix("案件 ")
    live.advance(timedelta(hours=2))
    record_visit(township, live, number, "三口之家，丈夫务工收入低，住自建房，无车辆。", "张建国")
    open_step(township, live, number, "乡镇审核（收入、财产核定）")
    township.get_by_label("家庭财产状况符合当地规定").check()
    field(township, "家庭收入").get_by_role("button", name="添加").click()
    choose(township, "收入类型", "工资性收入")
    township.get_by_label("金额（元）").fill("900")
    township.get_by_label("有劳动能力的家庭成员（每半年复核）").check()
    township.get_by_label("审核意见").fill("收入、财产经核对属实。")
    send(township)
    leader = sign_in("taozhou.lingdao")
    leader.set_default_timeout(WAIT_MS)
    approve_at_the_proposed_amount(leader, live, number, "家庭月人均收入低于当地低保标准。")
    live.advance(timedelta(days=7))  # the publicity (2–8 March) ends without objection
    deliver_notice(township, live, number, "送达回证-2026-031")
    case_page(township, live, number)
    expect(township.locator("#payments")).to_contain_text("2026-04", timeout=WAIT_MS)

    # Half a year on, the re-check is due: check, visit, and the caseworker's proposal.
    live.advance(timedelta(days=184))
    record_visit(township, live, number, "张建国已在县开发区企业稳定就业，月工资约4500元。", "张建国")
    open_step(township, live, number, "提出复核意见（维持/调整/渐退/停发）")
    choose(township, "复核意见", "停发")
    township.get_by_label("复核理由").fill("张建国稳定就业，家庭月人均收入约1500元，高于当地低保标准。")
    send(township)
    open_step(township, live, number, "听取家庭陈述申辩")
    expect(township.locator(".fjs-form-field-text", has_text="拟作复核意见")).to_have_text(
        "拟作复核意见：停发；理由：张建国稳定就业，家庭月人均收入约1500元，高于当地低保标准。"
    )  # what the household is to be heard on
    township.get_by_label("已听取家庭陈述和申辩").check()
    township.get_by_label("陈述申辩内容").fill("户主确认已就业，对停发无异议。")
    township.screenshot(path=str(SCREENSHOTS / "paths-recheck-hearing.png"), full_page=True)
    send(township)

    open_step(leader, live, number, "分管领导审批复核意见")
    expect(leader.locator(".fjs-form-field-text", has_text="理由：")).to_have_text(
        "复核意见：停发；理由：张建国稳定就业，家庭月人均收入约1500元，高于当地低保标准。"
    )
    expect(field(leader, "审批人").locator(".fjs-select-display")).to_have_text("周分管")
    leader.get_by_label("审批意见").fill("同意停发。")
    send(leader)
    deliver_notice(township, live, number, "送达回证-2026-032")

    case_page(township, live, number)
    expect(township.locator(".page-head")).to_contain_text("已停发", timeout=WAIT_MS)
    decisions = township.locator("section[aria-labelledby=review]")
    expect(decisions).to_contain_text("周分管：停发，自 2026年10月 起")
    expect(decisions).to_contain_text("复核停发：张建国稳定就业")
    documents = township.locator("section[aria-labelledby=docs]")
    expect(documents).to_contain_text("变更告知书")
    timeline = township.locator("ol.timeline")
    expect(timeline).to_contain_text("完成任务（听取家庭陈述申辩）")
    expect(timeline.locator("li", has_text="完成任务（分管领导审批复核意见）")).to_contain_text("周分管")
    township.screenshot(path=str(SCREENSHOTS / "paths-recheck-stopped.png"), full_page=True)
