"""Public pages: no sign-in, masked names only — no seeded secret may reach any of them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.tasklist.world import SECRET_NAME_MIDDLE, SECRETS, World

pytestmark = pytest.mark.tasklist


def public_pages(tasklist: TestClient, world: World) -> dict[str, str]:
    paths = ["/public/", "/public/notices", "/public/policy"]
    paths += [f"/public/villages/{world.ids[v]}" for v in ("xingfu", "heping", "dongting")]
    pages = {}
    for path in paths:
        response = tasklist.get(path)
        assert response.status_code == 200, path
        pages[path] = response.text
    return pages


def test_recipient_list_is_masked(tasklist: TestClient, world: World) -> None:
    page = tasklist.get(f"/public/villages/{world.ids['xingfu']}").text
    assert "王**明" in page
    assert "960.00" in page and "农村低保" in page and "幸福村一组" in page
    assert ">2<" in page  # household size


def test_no_secret_reaches_a_public_page(tasklist: TestClient, world: World) -> None:
    markers = [*SECRETS.values(), SECRET_NAME_MIDDLE, "341821196001011", "88号", "重病", "幸福路"]
    for path, html in public_pages(tasklist, world).items():
        for marker in markers:
            assert marker not in html, f"{marker!r} leaked on {path}"


def test_current_notice_and_complaint_channels(tasklist: TestClient, world: World) -> None:
    notices = tasklist.get("/public/notices").text
    assert "李*华" in notices and "12349" in notices and "0564-1234567" in notices
    assert "2026年03月08日" in notices and "2026年03月14日" in notices
    assert "12349" in tasklist.get("/public/policy").text


def test_unknown_or_inner_village_is_404(tasklist: TestClient, world: World) -> None:
    assert tasklist.get("/public/villages/9999").status_code == 404
    assert tasklist.get(f"/public/villages/{world.ids['xingfu_1']}").status_code == 404
