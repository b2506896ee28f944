"""Issue 19, notifications, on `jiuzhu up --demo --clock controlled` with a real local SMTP server
(aiosmtpd) behind ``JIUZHU_SMTP_URL``: the controlled clock moves the demo county through day 8 of
赵's case (the caseworkers and the leader are mailed), its breach (the county is mailed) and 陈's
急难型 relief unpaid at 20 hours (the leader and the county); every mail links to its case; a
``kill -9`` of `jiuzhu up` and a restart send nothing twice; a new task mails its candidate group.
In Chromium: the 消息 centre shows the leader's unread count and a message opens its case."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from jiuzhu.testing import LiveSystem
from schemas.db import make_engine
from schemas.tables import Notification
from tests.browser.conftest import START, SignIn
from tests.notify.mailbox import Mailbox, body_of, smtp_server

DOMAIN = "gd.example"
WARNING, BREACH, UNPAID = "第 8 个工作日", "已超过办理时限", "受理已满 20 小时"


@dataclass
class Scenario:
    live: LiveSystem
    box: Mailbox


def county_routes(data_dir: Path) -> None:
    """The county's routes as shipped, with its mail domain (staff are login@gd.example)."""
    raw = json.loads((Path(__file__).resolve().parents[2] / "jiuzhu/notify/routes.json").read_text("utf-8"))
    raw["emailDomain"] = DOMAIN
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "notify-routes.json").write_text(json.dumps(raw, ensure_ascii=False), "utf-8")


def case_link(live: LiveSystem, mail_body: str) -> str:
    found = re.search(re.escape(live.url) + r"/cases/(\d+)", mail_body)
    assert found, mail_body
    return found.group(0)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    with smtp_server() as box:
        data_dir = tmp_path_factory.mktemp("notify") / "data"
        county_routes(data_dir)
        env = {"JIUZHU_SMTP_URL": box.url, "JIUZHU_SMTP_FROM": f"jiuzhu@{DOMAIN}", "JIUZHU_NOTIFY_INTERVAL_S": "1"}
        live = LiveSystem(data_dir, demo=True, clock_start=START, env=env)
        live.start()
        try:
            # 陈 (急难型) was reported 20 h before START and is not paid: the leader and the county.
            box.wait_for(f"xinhang.lingdao@{DOMAIN}", UNPAID)
            box.wait_for(f"county.minzheng@{DOMAIN}", UNPAID)
            # 赵 was accepted 7 working days before START: day 8 begins at midnight.
            live.advance(timedelta(days=1))
            for login in ("taozhou.jingban", "taozhou.jingban2", "taozhou.lingdao"):
                box.wait_for(f"{login}@{DOMAIN}", WARNING)
            # …and its 10 working days end on Friday: the breach is the county's.
            live.advance(timedelta(days=4))
            for login in ("county.minzheng", "county.minzheng2"):
                box.wait_for(f"{login}@{DOMAIN}", BREACH)
            # kill -9 and start again on the same data: nothing already sent goes out again.
            assert live.proc is not None
            live.proc.kill()
            live.proc.wait(10)
            live.start()
            deadline = time.monotonic() + 60
            while live.log(10**7).count("jiuzhu engine ready") < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert live.log(10**7).count("jiuzhu engine ready") == 2, live.log()  # workers and watcher run again
            time.sleep(5)  # several dispatcher (1 s) and new-task (2 s) rounds after the restart
            yield Scenario(live, box)
        finally:
            live.stop()


def test_mails_reach_who_the_county_routes_name_and_link_the_case(scenario: Scenario) -> None:
    live, box = scenario.live, scenario.box
    subjects = {(str(m["To"]), str(m["Subject"])) for m in box.mails}
    # Nothing twice: not by a re-run job, not by the restart after kill -9 — one mail per outbox row (a
    # seeded case waiting for its members' authorisation has one task, and one mail, per member).
    db = make_engine(f"sqlite:///{live.data_dir / 'caserecord.db'}")
    with Session(db) as session:
        rows = session.exec(
            select(Notification).where(Notification.channel == "email", Notification.status == "sent")
        ).all()
    db.dispose()
    assert len(rows) == len(box.mails), sorted(str(m["Subject"]) for m in box.mails)
    warned = {to for to, subject in subjects if WARNING in subject}
    assert warned == {f"{login}@{DOMAIN}" for login in ("taozhou.jingban", "taozhou.jingban2", "taozhou.lingdao")}
    breach = {to for to, subject in subjects if BREACH in subject}
    assert {f"county.minzheng@{DOMAIN}", f"county.minzheng2@{DOMAIN}"} <= breach
    assert not any(to.startswith("taozhou.") for to in breach)  # the routes send the breach to the county
    unpaid = {to for to, subject in subjects if UNPAID in subject}
    assert unpaid == {f"xinhang.lingdao@{DOMAIN}", f"county.minzheng@{DOMAIN}", f"county.minzheng2@{DOMAIN}"}
    for mail in box.mails:
        assert case_link(live, body_of(mail))
    # 陈's relief approval is a new task for 新杭镇's leader, and only theirs.
    relief_task = {to for to, subject in subjects if subject.startswith("【待办】") and "先行救助" in subject}
    assert f"xinhang.lingdao@{DOMAIN}" in relief_task and f"taozhou.lingdao@{DOMAIN}" not in relief_task
    warning = box.to(f"taozhou.lingdao@{DOMAIN}")[0]
    assert str(warning["From"]) == f"jiuzhu@{DOMAIN}"
    number = re.search(r"案件 (\S+) ", str(warning["Subject"]))
    assert number and number.group(1) in body_of(warning)


@pytest.fixture
def live(scenario: Scenario) -> LiveSystem:
    """The sign-in fixture's system: the one the scenario moved on."""
    return scenario.live


def test_the_message_centre_shows_unread_and_opens_the_case(scenario: Scenario, sign_in: SignIn) -> None:
    page = sign_in("taozhou.lingdao")
    unread = page.locator("#unread-count")
    expect(unread).to_have_text("1")  # 赵's day-8 warning
    page.locator("#messages-link").click()
    expect(page.get_by_role("heading", name="消息")).to_be_visible()
    row = page.locator("#messages tbody tr").filter(has_text=WARNING)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("未读")
    expect(row).to_contain_text("时限预警")
    subject = row.get_by_role("link").inner_text()
    href = row.get_by_role("link").get_attribute("href")
    number = re.search(r"案件 (\S+) ", subject)
    assert number, subject
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"案件 {number.group(1)}")).to_be_visible()
    expect(page.locator("#unread-count")).to_have_count(0)  # read now
    page.goto(f"{scenario.live.url}/messages")
    expect(page.locator("#messages tbody tr").filter(has_text=WARNING)).to_contain_text("已读")
    # The county has its own messages (the breach, 陈's relief); the leader's is not theirs to open.
    county = sign_in("county.minzheng")
    expect(county.locator("#unread-count")).to_have_text(re.compile(r"[1-9]"))
    county.goto(f"{scenario.live.url}{href}")
    expect(county.get_by_text("消息不存在")).to_be_visible()
