"""`jiuzhu up` as shipped: its doors need credentials, and the task list (and the in-process workers)
use the ones it generated, so a caseworker still sees and opens the demo cases' tasks."""

from __future__ import annotations

import grpc
import httpx
import pytest
from playwright.sync_api import expect
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from jiuzhu.testing import LiveSystem
from tests.browser.conftest import SCREENSHOTS, SignIn


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
