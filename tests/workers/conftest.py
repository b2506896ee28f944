"""Fixtures for the workers: the demo county without its seeded history (seeded once, copied per test), and the
in-process engine fixtures of tests/engine for the end-to-end runs."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from jiuzhu.demo import DemoCounty, seed
from tests.engine.conftest import address, client, server  # noqa: F401 - fixtures used by the e2e tests
from tests.workers.harness import START, World, make_world


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "workers: the job workers, their handlers and end-to-end runs")


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoCounty]:
    base = tmp_path_factory.mktemp("seeded")
    template = base / "template.db"
    county = seed(f"sqlite:///{template}", START, password="demo-password-1", history=False)
    return template, county


@pytest.fixture
def world(seeded: tuple[Path, DemoCounty], tmp_path: Path) -> Iterator[World]:
    template, county = seeded
    built = make_world(template, county, tmp_path)
    yield built
    built.services.db.dispose()
