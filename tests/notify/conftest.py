"""The workers' world (tests/workers) for the outbox tests."""

from tests.workers.conftest import seeded, world  # noqa: F401 - fixtures
