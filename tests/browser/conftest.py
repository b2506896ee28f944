"""Browser tests on the live system: `jiuzhu up --demo --clock controlled`, the real processes and the real
workers, driven by Playwright in Debian's Chromium through the pages only (no /v2, gRPC or database)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect, sync_playwright

from jiuzhu.demo import DEFAULT_PASSWORD
from jiuzhu.policy import CST
from jiuzhu.testing import LiveSystem, demo_data_dir

START = datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # a Monday morning in the county
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The live system runs engine, workers and task list on a shared CI machine: give the pages time.
expect.set_options(timeout=15_000)
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}

SignIn = Callable[..., Page]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


# Per module, not per session: sync Playwright keeps an event loop running on this thread, and the
# async tests collected after tests/browser (e2e, form context) cannot run their own while it lives.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo county with its history run through the processes at START, once per session."""
    return demo_data_dir(tmp_path_factory.mktemp("demo-template") / "data", START)


@pytest.fixture
def live(tmp_path: Path, demo_template: Path) -> Iterator[LiveSystem]:
    """A fresh county per test: `jiuzhu up --demo` with its clock pinned at START, on a copy of the
    seeded template (the same as it would seed; it then opens the 4 demo applications)."""
    system = LiveSystem(tmp_path / "data", demo=True, clock_start=START, template=demo_template)
    system.start()
    try:
        yield system
    finally:
        system.stop()


@pytest.fixture
def sign_in(browser: Browser, live: LiveSystem) -> Iterator[SignIn]:
    """`sign_in("taozhou.jingban")` → a page in that person's own browser context, on their inbox."""
    contexts: list[BrowserContext] = []

    def _sign_in(login: str, *, phone: bool = False) -> Page:
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE if phone else DESKTOP)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live.url}/signin")
        page.get_by_label("用户名").fill(login)
        page.get_by_label("密码").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="我的待办任务")).to_be_visible()
        return page

    yield _sign_in
    for context in contexts:
        context.close()
