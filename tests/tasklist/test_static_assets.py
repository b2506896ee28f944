"""The bundle crosses the wire once: hashed URLs, immutable caching, gzip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jiuzhu.tasklist.bundle import STATIC_DIR
from jiuzhu.tasklist.static_assets import IMMUTABLE, StaticAssets, static_router

pytestmark = pytest.mark.tasklist


def _linked(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_pages_link_hashed_assets_served_immutable_and_gzipped(tasklist: TestClient) -> None:
    page = tasklist.get("/signin")
    links = _linked(page.text)
    assert {link.split("/")[-1].split(".")[0] for link in links} == {"tasklist"}
    assert len(links) == 3, links
    bundle = next(link for link in links if link.endswith(".js"))
    digest = re.search(r"tasklist\.([0-9a-f]{12})\.js$", bundle)
    assert digest, bundle

    response = tasklist.get(bundle, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"].startswith(("application/javascript", "text/javascript"))
    on_disk = (STATIC_DIR / "dist" / "tasklist.js").read_bytes()
    assert response.content == on_disk  # httpx undid the gzip; the wire carried the compressed body
    assert int(response.headers["content-length"]) < len(on_disk) / 2


def test_without_gzip_the_plain_file_and_an_etag_revalidates(tasklist: TestClient) -> None:
    (css,) = [
        link for link in _linked(tasklist.get("/signin").text) if "dist/tasklist" in link and link.endswith(".css")
    ]
    plain = tasklist.get(css, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == (STATIC_DIR / "dist" / "tasklist.css").read_bytes()
    again = tasklist.get(css, headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304


def _assets_app(root: Path) -> TestClient:
    app = FastAPI()
    app.include_router(static_router(StaticAssets(root)))
    return TestClient(app)


def test_an_old_or_missing_hash_gets_the_current_file_uncached(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("console.log('v1');" * 100)
    assets = StaticAssets(tmp_path)
    client = _assets_app(tmp_path)
    old_url = assets.url("app.js")
    (tmp_path / "app.js").write_text("console.log('v2');" * 100)
    new_url = assets.url("app.js")
    assert new_url != old_url

    stale = client.get(old_url)
    assert stale.status_code == 200
    assert stale.headers["cache-control"] == "no-cache"
    assert b"v2" in stale.content
    assert client.get("/static/app.js").headers["cache-control"] == "no-cache"
    assert client.get(new_url).headers["cache-control"] == IMMUTABLE


def test_small_files_are_not_compressed_and_nothing_outside_the_directory_is_served(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "tiny.css").write_text("a{}")
    (tmp_path / "secret.txt").write_text("secret")
    client = _assets_app(tmp_path / "static")
    tiny = client.get("/static/tiny.css", headers={"Accept-Encoding": "gzip"})
    assert tiny.status_code == 200
    assert "content-encoding" not in tiny.headers
    assert client.get("/static/../secret.txt").status_code == 404
    assert client.get("/static/%2e%2e/secret.txt").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404


def test_gzip_refused_by_q0_is_not_sent(tmp_path: Path) -> None:
    (tmp_path / "big.js").write_text("x" * 5000)
    client = _assets_app(tmp_path)
    refused = client.get("/static/big.js", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers
    accepted = client.get("/static/big.js", headers={"Accept-Encoding": "br, gzip;q=0.5"})
    assert accepted.headers["content-encoding"] == "gzip"
