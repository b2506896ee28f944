"""The task list in a real browser (Debian Chromium driven by Python Playwright): sign in, inbox,
claim, fill and submit a form-js form, case view with the bpmn-js diagram; a screenshot for docs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright

from jiuzhu.engine_rest import build_v2_router
from jiuzhu.tasklist import V2Client, build_tasklist_app
from jiuzhu.testing import free_port
from tests.tasklist.conftest import settings
from tests.tasklist.world import FORMS, NOW, PASSWORD, TOWNSHIP_A, World

pytestmark = pytest.mark.tasklist
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "tasklist-inbox.png"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Server:
    url: str
    world: World


@pytest.fixture
def server(world: World) -> Iterator[Server]:
    """Engine REST API and task list in one app, as `jiuzhu up` mounts them, on a real port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = FastAPI()
    app.include_router(build_v2_router(world.engine, forms_dir=FORMS))
    app.mount("/", build_tasklist_app(settings(), client=V2Client(url), db=world.db, now=lambda: NOW))
    http = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=http.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not http.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert http.started
    yield Server(url, world)
    http.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def sign_in(page: Page, base: str, login: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/signin?next=/")
    page.get_by_label("用户名").fill(login)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的待办任务")).to_be_visible()


def test_inbox_claim_form_and_case_view(server: Server, browser: Browser) -> None:
    world = server.world
    world.start("overdue", TOWNSHIP_A, world.ids["xingfu"], reviewDue="2026-03-09T08:00:00Z")
    world.start("later", TOWNSHIP_A, world.ids["heping"], reviewDue="2026-03-20T01:00:00Z")
    context = browser.new_context(viewport={"width": 1280, "height": 760}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server.url, "zhang")

    rows = page.locator("table.tasks tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_have_class("overdue")
    expect(rows.nth(1)).to_have_class("near-due")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    key = world.open_task(world.instances["a"])
    page.locator(f'tr[data-task-key="{key}"] a.task-link').click()
    expect(page.get_by_role("heading", name="经办人审核")).to_be_visible()
    page.get_by_role("button", name="认领任务").click()
    expect(page.locator("#assignee")).to_have_text("张经办")

    # form-js renders the Camunda Form; its own validation stops an empty submission.
    expect(page.get_by_label("入户调查情况")).to_be_visible()
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#form-errors")).to_be_visible()
    assert world.engine.user_task(key).state == "CREATED"

    page.get_by_label("入户调查情况").fill("家中两位老人，无稳定收入")
    page.locator(".fjs-form-field-select .fjs-input-group").click()  # form-js' own dropdown
    page.locator(".fjs-dropdownlist-item", has_text="建议批准").first.click()
    page.get_by_label("建议月救助金额（元）").fill("960")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{server.url}/?done={key}")
    expect(page.get_by_role("status")).to_contain_text("任务已提交")
    variables = world.engine.variables(world.instances["a"])
    assert variables["visitFindings"] == "家中两位老人，无稳定收入"
    assert variables["recommendation"] == "approve" and variables["proposedAmount"] == 960

    # The case view: household, timeline, and the diagram with the current step (now: approve).
    page.goto(f"{server.url}/cases/{world.ids['case_a']}")
    expect(page.get_by_role("heading", name="办理记录")).to_be_visible()
    expect(page.locator("ol.timeline li")).to_have_count(2)
    diagram = page.locator("[data-bpmn-diagram]")
    expect(diagram).to_have_attribute("data-ready", "true")
    expect(page.locator('.djs-element.current-step[data-element-id="approve"]')).to_have_count(1)
    expect(page.locator('.djs-element[data-element-id="review"]')).to_have_count(1)
    assert errors == []
    context.close()


def test_tablet_layout_and_keyboard_sign_in(server: Server, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True)
    page = context.new_page()
    page.goto(f"{server.url}/signin")
    expect(page.get_by_label("用户名")).to_be_focused()  # autofocus: type straight away
    page.keyboard.type("zhang")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="我的待办任务")).to_be_visible()
    page.keyboard.press("Tab")  # the first stop on every page skips the navigation
    expect(page.locator(".skip-link")).to_be_focused()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768, "the inbox must not scroll sideways on a tablet"
    assert httpx.get(f"{server.url}/public/").status_code == 200
    context.close()
