"""The REST client's OAuth client-credentials flow (as Camunda 8.8 SaaS / self-managed expect)."""

from __future__ import annotations

import json

import httpx
import pytest

from jiuzhu.tasklist.client import ApiError, OAuthCredentials, TokenProvider, V2Client
from jiuzhu.tasklist.settings import TasklistSettings

pytestmark = pytest.mark.tasklist


def test_client_credentials_token_is_fetched_cached_and_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/oauth/token":
            form = dict(x.split("=") for x in request.content.decode().split("&"))
            assert form["grant_type"] == "client_credentials" and form["audience"] == "zeebe.camunda.io"
            return httpx.Response(200, json={"access_token": "tok-1", "expires_in": 300})
        assert request.headers["authorization"] == "Bearer tok-1"
        return httpx.Response(200, json={"items": [], "page": {"totalItems": 0}})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    tokens = TokenProvider(
        OAuthCredentials("https://login.example/oauth/token", "id", "secret", "zeebe.camunda.io"), http=http
    )
    client = V2Client("https://cluster.example/abc", tokens=tokens, http=http)
    client.search_user_tasks({"state": "CREATED"})
    client.search_user_tasks({"state": "CREATED"})
    assert [r.url.path for r in seen] == ["/oauth/token", "/abc/v2/user-tasks/search", "/abc/v2/user-tasks/search"]
    assert json.loads(seen[1].content)["filter"] == {"state": "CREATED"}


def test_problem_json_becomes_api_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            404, json={"type": "about:blank", "title": "NOT_FOUND", "status": 404, "detail": "no such task"}
        )

    client = V2Client("http://x", http=httpx.Client(transport=httpx.MockTransport(handler)))
    with pytest.raises(ApiError) as caught:
        client.get_user_task(1)
    assert caught.value.status == 404 and caught.value.title == "NOT_FOUND"


def test_settings_read_camunda_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMUNDA_REST_ADDRESS", "https://bru-2.zeebe.camunda.io/abc")
    monkeypatch.setenv("ZEEBE_CLIENT_ID", "cid")
    monkeypatch.setenv("ZEEBE_CLIENT_SECRET", "csecret")
    monkeypatch.setenv("CAMUNDA_OAUTH_URL", "https://login.cloud.camunda.io/oauth/token")
    settings = TasklistSettings()
    client = V2Client.from_settings(settings)
    assert client.base_url == "https://bru-2.zeebe.camunda.io/abc"
    assert client.tokens is not None and client.tokens.credentials.client_id == "cid"
