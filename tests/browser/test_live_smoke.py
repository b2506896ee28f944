"""The live harness itself: the demo county signs in, and its open cases are on the township's pages."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from jiuzhu.testing import LiveSystem
from tests.browser.conftest import START, SignIn


def test_demo_county_signs_in_and_the_clock_is_pinned(live: LiveSystem, sign_in: SignIn) -> None:
    assert abs((live.now() - START).total_seconds()) < 5
    page = sign_in("taozhou.jingban")
    expect(page.get_by_text("王经办")).to_be_visible()
    live.advance(timedelta(hours=1))
    assert (live.now() - START) >= timedelta(hours=1)
