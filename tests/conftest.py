"""Fixtures every test directory may use: `database_url` runs a test on SQLite and PostgreSQL."""

from tests.store.conftest import database_url, postgres_database, postgres_url

__all__ = ["database_url", "postgres_database", "postgres_url"]
