"""A PostgreSQL URL without the driver installed is one line saying which extra installs it."""

from __future__ import annotations

import builtins
from typing import Any

import pytest

from harvester.errors import ConfigError
from harvester.store.db import engine_for


def test_a_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def without_asyncpg(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "asyncpg" or name.startswith("asyncpg."):
            raise ModuleNotFoundError(f"No module named {name!r}", name="asyncpg")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_asyncpg)
    url = "postgresql://harvester@db.example.org/harvester"
    with pytest.raises(ConfigError) as raised:
        engine_for(url)
    assert (
        str(raised.value)
        == f"{url}: this database needs asyncpg: pip install 'harvester[postgres]'"
    )
