"""Sessions end on the server, and sign-in throttling slows a guesser without locking the real user out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jiuzhu.tasklist import V2Client, build_tasklist_app
from jiuzhu.tasklist.credentials import set_password
from jiuzhu.tasklist.ratelimit import SignInLimiter
from jiuzhu.tasklist.sessions import COOKIE
from tests.tasklist.conftest import settings
from tests.tasklist.helpers import csrf, sign_in, token
from tests.tasklist.world import NOW, PASSWORD, World

pytestmark = pytest.mark.tasklist
PROXY = "10.0.0.2"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(world: World, api: TestClient) -> FastAPI:
    return build_tasklist_app(
        settings(trusted_proxies=f"{PROXY}/32"),
        client=V2Client("http://engine", http=api),
        db=world.db,
        now=lambda: NOW,
    )


@pytest.fixture
def clock(app: FastAPI) -> FakeClock:
    fake = FakeClock()
    app.state.tasklist.limiter = SignInLimiter(free_failures=5, cap_s=900, account_cap_s=15, clock=fake)
    return fake


def browser(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, base_url="http://tasklist.local", client=(address, 50000))


@pytest.fixture
def people(app: FastAPI) -> Iterator[tuple[TestClient, TestClient]]:
    """A guesser and the real user, on different addresses."""
    with browser(app, "198.51.100.7") as guesser, browser(app, "203.0.113.20") as real:
        yield guesser, real


def attempt(client: TestClient, login: str, password: str, **headers: str) -> int:
    page = client.get("/signin").text
    data = {"login": login, "password": password, "csrf_token": csrf(page)}
    return client.post("/signin", data=data, headers=headers, follow_redirects=False).status_code


def test_a_copied_cookie_dies_with_sign_out(app: FastAPI) -> None:
    with browser(app, "203.0.113.20") as user, browser(app, "198.51.100.7") as thief:
        sign_in(user, "zhang")
        thief.cookies.set(COOKIE, user.cookies[COOKIE], domain="tasklist.local")
        assert thief.get("/", follow_redirects=False).status_code == 200  # the copy works while signed in
        user.post("/signout", data={"csrf_token": token(user)})
        assert user.get("/", follow_redirects=False).status_code == 303
        assert thief.get("/", follow_redirects=False).status_code == 303  # and not after: revoked on the server


def test_a_new_password_ends_every_session_of_that_login(app: FastAPI, world: World) -> None:
    with browser(app, "203.0.113.20") as office, browser(app, "203.0.113.21") as phone:
        sign_in(office, "zhang")
        sign_in(phone, "zhang")
        set_password(world.db, "zhang", "a-brand-new-password")
        assert office.get("/", follow_redirects=False).status_code == 303
        assert phone.get("/", follow_redirects=False).status_code == 303
        sign_in(office, "zhang", "a-brand-new-password")
        assert office.get("/", follow_redirects=False).status_code == 200


def test_guessing_slows_the_guesser_not_the_real_user(people: tuple[TestClient, TestClient], clock: FakeClock) -> None:
    guesser, real = people
    for _ in range(5):
        assert attempt(guesser, "li", "wrong-password!") == 401
    # Beyond the free failures the guesser waits, longer each time (2 s, 4 s, 8 s … up to 15 min).
    waits = []
    for _ in range(6):
        waits.append(_retry_after(guesser, "li"))  # refused, and not counted as a failure
        clock.now += waits[-1]
        assert attempt(guesser, "li", "wrong-password!") == 401
    assert waits == sorted(waits) and waits[-1] > waits[0]
    # The leader, from the office, waits at most the account cap (15 s), then signs in.
    wait = _retry_after(real, "li")
    assert 0 < wait <= 16
    clock.now += wait
    assert attempt(real, "li", PASSWORD) == 303
    # …while the guesser's own address stays slowed down.
    assert _retry_after(guesser, "li") > 15


def _retry_after(client: TestClient, login: str) -> int:
    """The wait a refused attempt names (429 with Retry-After and the same in words)."""
    page = client.get("/signin").text
    data = {"login": login, "password": "probe-only-password", "csrf_token": csrf(page)}
    response = client.post("/signin", data=data, follow_redirects=False)
    assert response.status_code == 429, response.text
    assert "请" in response.text and "秒后再试" in response.text
    return int(response.headers["retry-after"])


def test_forwarded_for_is_believed_only_from_the_trusted_proxy(app: FastAPI, clock: FakeClock) -> None:
    with browser(app, "198.51.100.7") as direct:
        # A client naming a fresh address per attempt is still one address to the throttle.
        for n in range(5):
            assert attempt(direct, "li", "wrong-password!", **{"X-Forwarded-For": f"192.0.2.{n}"}) == 401
        assert attempt(direct, "li", "wrong-password!", **{"X-Forwarded-For": "192.0.2.99"}) == 429
    clock.now += 60  # the account-wide wait is over; the pairs from the proxy are fresh
    with browser(app, PROXY) as proxy:
        # Through the configured proxy, each forwarded client is itself.
        assert attempt(proxy, "li", PASSWORD, **{"X-Forwarded-For": "203.0.113.20"}) == 303
