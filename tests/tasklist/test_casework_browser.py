"""One 低保 case through the real processes (workflows/*.bpmn, *.dmn, forms) in headless Chromium:
a township caseworker claims and records the home visit, the leader in charge approves, the jobs
run to the result publicity and the decision, and the public page lists the household — masked.

Service-task jobs are completed through the engine API with contract-shaped outputs (the
``Case`` helper of tests/workflows), never by the job workers in ``workers/``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session, select

from jiuzhu.engine.feel import set_clock
from jiuzhu.engine_rest import build_v2_router
from jiuzhu.policy import CST
from jiuzhu.tasklist import V2Client, build_tasklist_app
from jiuzhu.testing import free_port
from schemas.enums import Area, CasePath, CaseStatus, Channel, DecisionOutcome, Programme, Relationship, WorkCapacity
from schemas.tables import Case as CaseRow
from schemas.tables import Decision, Household, Member
from tests.tasklist.conftest import settings
from tests.tasklist.test_browser import CHROMIUM_ARGS, browser  # noqa: F401  (the module-scoped fixture)
from tests.tasklist.world import PASSWORD, TOWNSHIP_A, World, id_number
from tests.workflows.conftest import FORMS, Case, application, assessment_form, new_engine

pytestmark = pytest.mark.tasklist
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
APPLICANT = "钱真名"  # unique: must never reach a public page unmasked
SPOUSE = "孙配偶"
APPLICANT_ID = id_number("341821", "19580506", "771")
APPLICANT_PHONE = "13800771234"


def _serve(world: World) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = FastAPI()
    app.include_router(build_v2_router(world.engine, forms_dir=FORMS))
    now = world.engine.clock.now
    app.mount("/", build_tasklist_app(settings(), client=V2Client(url), db=world.db, now=now))
    http = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=http.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not http.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert http.started
    yield url
    http.should_exit = True
    thread.join(5)


@pytest.fixture
def casework(world: World, tmp_path: Path) -> Iterator[tuple[World, str]]:
    """The seeded county (staff, townships, villages) with an engine running the real processes."""
    (tmp_path / "real").mkdir()
    engine = new_engine(tmp_path / "real")
    set_clock(engine.clock.now)
    with Session(world.db) as s:  # the seed's in-flight cases belong to the small test engine
        for row in s.exec(select(CaseRow).where(CaseRow.process_instance_key.is_not(None))).all():  # type: ignore[union-attr]
            row.process_instance_key = None
            s.add(row)
        s.commit()
    world.engine = engine
    try:
        yield from ((world, url) for url in _serve(world))
    finally:
        set_clock(None)


def _record_application(world: World) -> int:
    """What ``application.accept`` writes to the case record (the test stands in for the worker)."""
    ids = world.ids
    with Session(world.db) as s:
        household = Household(
            township_id=ids["town_a"], village_id=ids["xingfu_1"], address="城关镇幸福村一组槐树巷3号", area=Area.RURAL
        )
        s.add(household)
        s.flush()
        applicant = Member(
            household_id=household.id,
            name=APPLICANT,
            id_number=APPLICANT_ID,
            relationship=Relationship.SELF,
            work_capacity=WorkCapacity.NONE,
            phone=APPLICANT_PHONE,
        )
        spouse = Member(
            household_id=household.id,
            name=SPOUSE,
            id_number=id_number("341821", "19600708", "772"),
            relationship=Relationship.SPOUSE,
            work_capacity=WorkCapacity.PARTLY,
        )
        s.add(applicant)
        s.add(spouse)
        s.flush()
        row = CaseRow(
            case_number="CG-2026-017",
            household_id=household.id,
            applicant_id=applicant.id,
            township_id=ids["town_a"],
            type=Programme.DIBAO,
            path=CasePath.REFORM,
            status=CaseStatus.ACCEPTED,
            channel=Channel.ONE_WINDOW,
            accepted_by_id=ids["staff_zhang"],
            accepted_at=world.engine.clock.now(),
        )
        s.add(row)
        s.commit()
        assert row.id is not None
        return row.id


def _sign_in(context: BrowserContext, base: str, login: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}/signin")
    page.get_by_label("用户名").fill(login)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的待办任务")).to_be_visible()
    return page


def test_home_visit_leader_approval_publicity_and_masked_public_list(
    casework: tuple[World, str],
    browser: Browser,  # noqa: F811
) -> None:
    world, base = casework
    engine = world.engine
    case = Case(engine)
    case_id = _record_application(world)
    ids = world.ids
    members = [
        {"name": APPLICANT, "idNumber": APPLICANT_ID, "relationship": "本人"},
        {"name": SPOUSE, "idNumber": id_number("341821", "19600708", "772"), "relationship": "配偶"},
    ]
    root = case.start(
        "assistance-application",
        application(
            channel="一窗受理",
            proxyAssistantId=None,
            townshipCode=TOWNSHIP_A,
            townshipId=ids["town_a"],
            villageId=ids["xingfu_1"],
            acceptedById=ids["staff_zhang"],
            members=members,
        ),
    )
    with Session(world.db) as s:
        row = s.get(CaseRow, case_id)
        assert row is not None
        row.process_instance_key = root
        s.add(row)
        s.commit()
    case.complete("application.accept", caseId=case_id, caseNumber="CG-2026-017")
    case.complete("sla.compute-deadlines")
    case.complete("verification.check-economic-status")
    case.complete("visit.schedule")
    visit = case.task("Activity_ConductVisit")

    errors: list[str] = []
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    staff.set_default_timeout(10_000)
    page = _sign_in(staff, base, "zhang")
    page.on("pageerror", lambda e: errors.append(str(e)))
    row_link = page.locator(f'tr[data-task-key="{visit.key}"] a.task-link')
    expect(row_link).to_have_text("入户调查（至少两人）")
    row_link.click()
    expect(page.get_by_role("heading", name="入户调查（至少两人）")).to_be_visible()
    page.get_by_role("button", name="认领任务").click()
    expect(page.locator("#assignee")).to_have_text("张经办")
    expect(page.locator("#task-form[data-ready=true]")).to_be_visible()  # form-js has imported the form

    # The date and time pickers first: form-js re-renders the form when they change.
    # A visit already made (the task list refuses one in the future), on the engine's clock.
    visited = (case.now - timedelta(days=1)).astimezone(CST)
    page.get_by_label("入户时间（日期）").fill(visited.strftime("%Y-%m-%d"))
    page.get_by_label("入户时间（日期）").press("Enter")
    page.get_by_label("入户时间（时间）").fill("10:00")
    page.get_by_label("入户时间（时间）").press("Tab")
    for visitor, name in (("调查人员一", "张经办"), ("调查人员二", "王协理")):  # chosen by name, stored by id
        select = page.locator(
            ".fjs-form-field-select", has=page.locator("label", has_text=re.compile(f"^{visitor}\\*?$"))
        )
        select.locator(".fjs-input-group").click()
        select.locator(".fjs-dropdownlist-item", has_text=name).first.click()
        expect(select.locator(".fjs-select-display")).to_have_text(name)
    signatory = page.locator(
        ".fjs-form-field-select", has=page.locator("label", has_text=re.compile("^在场家庭成员签字"))
    )
    signatory.locator(".fjs-input-group").click()  # a member of the household, not a typed name
    signatory.locator(".fjs-dropdownlist-item", has_text=APPLICANT).first.click()
    fields = {
        "调查情况（居住、收入、财产、劳动能力等）": "老两口同住，无劳动收入，住房为自建老屋。",
    }
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("符合", exact=True).check()
    for label, value in fields.items():
        expect(page.get_by_label(label)).to_have_value(value)
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{base}/?done={visit.key}")
    expect(page.get_by_role("status")).to_contain_text("任务已提交")
    assert visit.key not in engine.user_tasks
    # The process moved on: the home visit's next element is recording the visit (visit.record).
    assert case.waiting_jobs() == ["visit.record"]
    recorded = case.complete("visit.record")
    assert recorded["visitorIds"] == [ids["staff_zhang"], ids["staff_wang"]], recorded
    assert case.waiting_tasks() == ["Activity_TownshipAssessment"]
    case.do("Activity_TownshipAssessment", **assessment_form())
    case.complete("eligibility.assess")
    approval = case.task("Activity_LeaderApproval")

    leader = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    leader.set_default_timeout(10_000)
    lpage = _sign_in(leader, base, "li")
    lpage.on("pageerror", lambda e: errors.append(str(e)))
    lpage.locator(f'tr[data-task-key="{approval.key}"] a.task-link').click()
    lpage.get_by_role("button", name="认领任务").click()
    expect(lpage.locator("#assignee")).to_have_text("李分管")
    expect(lpage.locator("#task-form[data-ready=true]")).to_be_visible()  # form-js has imported the form
    lpage.get_by_label("批准", exact=True).check()
    lpage.get_by_label("批准救助金额（元）").fill("960")
    lpage.get_by_label("审批理由（不予批准时写明事实和依据）").fill("家庭月人均收入低于当地低保标准，财产符合规定。")
    approver = lpage.locator(".fjs-form-field-select", has=lpage.locator("label", has_text=re.compile("^审批人\\*?$")))
    expect(approver.locator(".fjs-select-display")).to_have_text("李分管")  # the signed-in leader, preselected
    lpage.screenshot(path=str(SCREENSHOTS / "tasklist-form.png"), full_page=True)
    lpage.get_by_role("button", name="提交").click()
    lpage.wait_for_url(f"{base}/?done={approval.key}")
    assert case.waiting() == ["approval.record"]
    decision = case.complete("approval.record")
    assert decision["amount"] == 960 and decision["decisionOutcome"] == "批准", decision

    # Result publicity in the village, then the decision notice, payment and dynamic management.
    case.complete("publicity.publish")
    case.advance(timedelta(days=8))
    case.complete("publicity.close")
    case.complete("notice.issue-decision")
    case.do("Activity_DeliverNotice", deliveredAt=case.now.isoformat(), receiptReference="送达回证-2026-017")
    case.complete("notice.record-delivery")
    case.complete("payment.schedule")
    case.complete("dynamic.schedule-recheck")
    assert case.waiting() == [] and case.active(root) and not case.incidents()

    # What approval.record and the decision notice write to the case record (the workers' part).
    with Session(world.db) as s:
        row = s.get(CaseRow, case_id)
        assert row is not None
        row.status = CaseStatus.APPROVED
        s.add(row)
        s.add(
            Decision(
                case_id=case_id,
                outcome=DecisionOutcome.APPROVED,
                amount=Decimal("960.00"),
                effective_month=case.now.date().replace(day=1),
                reasons="家庭月人均收入低于当地低保标准，财产符合规定。",
                approver_id=ids["staff_li"],
                decided_at=case.now,
            )
        )
        s.commit()

    public = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    ppage = public.new_page()
    ppage.goto(f"{base}/public/villages/{ids['xingfu']}")
    expect(ppage.get_by_text("钱*名")).to_be_visible()
    html = ppage.content()
    for secret in (APPLICANT, SPOUSE, APPLICANT_ID, APPLICANT_PHONE, "槐树巷"):
        assert secret not in html, f"{secret} on the public page"
    ppage.screenshot(path=str(SCREENSHOTS / "public-list.png"), full_page=True)
    assert errors == []
    for context in (staff, leader, public):
        context.close()
