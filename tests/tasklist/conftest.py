"""Task-list fixtures: an in-process engine behind the v2 router, the case record, the task list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jiuzhu.engine_rest import build_v2_router
from jiuzhu.policy import Programme
from jiuzhu.tasklist import TasklistSettings, V2Client, build_tasklist_app
from jiuzhu.tasklist.bundle import STATIC_DIR
from tests.tasklist.world import FORMS, NOW, World, build_world


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tasklist: the REST v2 API, the task list and the public pages")


@pytest.fixture(scope="session", autouse=True)
def bundle() -> None:
    """The browser bundle is a build product: build it once if this checkout has none."""
    if not (STATIC_DIR / "dist" / "tasklist.js").exists():
        from jiuzhu.tasklist.build import build

        build()


@pytest.fixture
def world(tmp_path: Path) -> World:
    return build_world(tmp_path)


def v2_app(world: World) -> FastAPI:
    app = FastAPI()
    app.include_router(build_v2_router(world.engine, forms_dir=FORMS))
    return app


@pytest.fixture
def api(world: World) -> Iterator[TestClient]:
    with TestClient(v2_app(world), base_url="http://engine") as client:
        yield client


def settings(**overrides: object) -> TasklistSettings:
    # The test engine deploys its own small process (tests/tasklist/data/application.bpmn).
    every_scheme = {p.value: "social-assistance-application" for p in Programme}
    values: dict[str, object] = {"process_overrides": every_scheme, **overrides}
    return TasklistSettings(secret_key="test-secret-key-0123456789", **values)  # type: ignore[arg-type]


@pytest.fixture
def tasklist(world: World, api: TestClient) -> Iterator[TestClient]:
    client = V2Client("http://engine", http=api)
    app = build_tasklist_app(settings(), client=client, db=world.db, now=lambda: NOW)
    with TestClient(app, base_url="http://tasklist.local") as browser:
        yield browser
