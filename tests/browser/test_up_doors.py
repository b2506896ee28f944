"""`jiuzhu up` as shipped: its doors need credentials, and the task list (and the in-process workers)
use the ones it generated, so a caseworker still sees and opens the demo cases' tasks."""

from __future__ import annotations

import time
from pathlib import Path

import grpc
import httpx
import pytest
from playwright.sync_api import expect
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from jiuzhu.demo import DEFAULT_PASSWORD
from jiuzhu.testing import LiveSystem
from tests.browser.conftest import SCREENSHOTS, SignIn
from tests.tasklist.helpers import csrf


def test_up_refuses_anonymous_v2_and_grpc(live: LiveSystem) -> None:
    search = httpx.post(f"{live.url}/v2/user-tasks/search", json={"filter": {}})
    assert search.status_code == 401 and search.json()["title"] == "UNAUTHORIZED"
    clock = httpx.post(f"{live.url}/v2/clock/advance", json={"seconds": 3600})
    assert clock.status_code == 401
    with grpc.insecure_channel(live.address) as channel:
        with pytest.raises(grpc.RpcError) as refused:
            GatewayStub(channel).CancelProcessInstance(pb.CancelProcessInstanceRequest(processInstanceKey=1), timeout=5)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "generated client credentials in" in live.log()


def test_task_list_and_workers_work_with_the_generated_credentials(live: LiveSystem, sign_in: SignIn) -> None:
    page = sign_in("taozhou.jingban")
    # The demo applications reach the caseworker's inbox once the in-process workers have accepted them
    # over authenticated gRPC; the task list reads them over /v2 with its own token.
    tasks = page.get_by_role("link", name="入户调查（至少两人）")
    for _ in range(30):
        if tasks.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(tasks.first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "auth-inbox-with-credentials.png"), full_page=True)
    tasks.first.click()
    expect(page.locator("form").first).to_be_visible()


def test_up_insecure_ignores_client_variables_meant_for_other_tools(tmp_path: Path) -> None:
    # An operator's shell may hold ZEEBE_CLIENT_* for zbctl against another cluster; `jiuzhu up`'s own
    # workers and task list must not pick them up.
    elsewhere = {
        "ZEEBE_CLIENT_ID": "cluster-elsewhere",
        "ZEEBE_CLIENT_SECRET": "not-for-this-engine",
        "ZEEBE_AUTHORIZATION_SERVER_URL": "http://127.0.0.1:9/oauth/token",
    }
    with LiveSystem(tmp_path / "data", extra_args=("--insecure",), env=elsewhere) as live:
        assert "WARNING --insecure" in live.log(tail=1_000_000)
        names: set[str] = set()
        for _ in range(60):
            found = httpx.post(f"{live.url}/v2/user-tasks/search", json={"filter": {}}).json()
            names = {item["name"] for item in found["items"]}
            if "入户调查（至少两人）" in names:
                break
            time.sleep(0.5)
        assert "入户调查（至少两人）" in names  # the in-process workers accepted the demo cases
        # The task list reads the inbox over /v2 without a token from elsewhere.
        with httpx.Client(base_url=live.url, follow_redirects=True) as person:
            token = csrf(person.get("/signin").text)
            form = {"login": "taozhou.jingban", "password": DEFAULT_PASSWORD, "csrf_token": token, "next": "/"}
            assert person.post("/signin", data=form).status_code == 200
            assert "入户调查（至少两人）" in person.get("/").text
