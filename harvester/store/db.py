"""Engines and schema versions: `harvest db upgrade` and the daemon's check that it is current."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from harvester.errors import ConfigError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
DEFAULT_URL = "sqlite+aiosqlite:///harvester.db"
_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def async_url(url: str) -> str:
    """Accept plain `sqlite:///x.db` / `postgresql://…` and use the async driver for it."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError(url, "not a database URL (expected sqlite:///FILE or postgresql://…)")
    base = scheme.split("+", 1)[0]
    if base not in _DRIVERS:
        raise ConfigError(url, f"unsupported database {base!r}; use sqlite or postgresql")
    return f"{_DRIVERS[base]}://{rest}"


_EXTRAS = {"asyncpg": "postgres"}  # a driver module -> the extra that installs it


def engine_for(url: str) -> AsyncEngine:
    try:
        return create_async_engine(async_url(url))
    except ModuleNotFoundError as missing:
        extra = _EXTRAS.get(missing.name or "")
        if extra is None:
            raise
        raise ConfigError(
            url, f"this database needs {missing.name}: pip install 'harvester[{extra}]'"
        ) from None


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Create or upgrade the schema to the newest migration (sync: runs its own event loop)."""
    engine_for(url)  # a missing driver is one line here, not a traceback in the migration
    command.upgrade(alembic_config(url), "head")


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config(DEFAULT_URL)).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def check_current(engine: AsyncEngine, url: str) -> None:
    """Refuse to run on a schema older (or newer) than this code: one clear line."""
    async with engine.connect() as connection:
        current = await connection.run_sync(current_revision)
    head = head_revision()
    if current != head:
        found = current or "no schema"
        raise ConfigError(
            url,
            f"database schema is {found}, this harvester needs {head}: run `harvest db upgrade`",
        )


def _missing(connection: Connection) -> list[str]:
    """Tables and columns the code needs that the database lacks (compared with the models)."""
    from alembic.autogenerate import compare_metadata

    from harvester.store.tables import metadata

    missing: list[str] = []
    for diff in compare_metadata(MigrationContext.configure(connection), metadata):
        if isinstance(diff, tuple) and diff and diff[0] == "add_table":
            missing.append(f"table {diff[1].name}")
        elif isinstance(diff, tuple) and diff and diff[0] == "add_column":
            missing.append(f"column {diff[2]}.{diff[3].name}")
    return missing


async def check_tables(engine: AsyncEngine, url: str) -> None:
    """The schema stamp can say "current" over tables someone dropped or altered by hand: look
    at the tables themselves."""
    async with engine.connect() as connection:
        missing = await connection.run_sync(_missing)
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise ConfigError(url, f"the schema is stamped current but lacks {shown}")
