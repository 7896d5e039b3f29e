"""Fixtures every test directory may use: `database_url` runs a test on SQLite and PostgreSQL."""

import logging
from collections.abc import Iterator

import pytest

from tests.store.conftest import database_url, postgres_database, postgres_url

__all__ = ["database_url", "postgres_database", "postgres_url"]


@pytest.fixture(autouse=True)
def _root_log_handlers_restored() -> Iterator[None]:
    """A command run in a test (daemon, serve) points the root logger at the stderr pytest
    captured for it; put the handlers back, or a later test's background thread (aiosmtpd)
    logs into that closed stream."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
