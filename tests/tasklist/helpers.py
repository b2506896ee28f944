"""Signing in through the real form, and reading CSRF tokens off pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.tasklist.world import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission" value="([^"]+)"')


def csrf(page: str) -> str:
    found = CSRF.search(page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, login: str, password: str = PASSWORD) -> None:
    token = csrf(client.get("/signin").text)
    response = client.post(
        "/signin", data={"login": login, "password": password, "csrf_token": token, "next": "/"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def token(client: TestClient, path: str = "/") -> str:
    return csrf(client.get(path).text)


def submission(page: str) -> str:
    """The idempotency key an application form carries."""
    found = SUBMISSION.search(page)
    assert found, "no submission key on the form"
    return found.group(1)
