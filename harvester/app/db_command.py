"""`harvest db upgrade|check`: create or upgrade the schema, or say whether it is current."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import Iterator
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from harvester.config import load_settings
from harvester.errors import SourceError
from harvester.store.db import check_current, check_tables, engine_for, head_revision, upgrade


async def _check(url: str) -> None:
    engine = engine_for(url)
    try:
        await check_current(engine, url)
        await check_tables(engine, url)
    finally:
        await engine.dispose()


@contextlib.contextmanager
def database_errors(url: str) -> Iterator[None]:
    """A database that cannot be reached or used is one line naming it, not a traceback."""
    try:
        yield
    except (SQLAlchemyError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SourceError(url, f"cannot use the database: {reason}") from None


def run_db(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    url = args.db or load_settings(args.config, os.environ).database.url
    with database_errors(url):
        if args.action == "upgrade":
            upgrade(url)
            out.write(f"{url}: schema is at {head_revision()}\n")
        else:
            asyncio.run(_check(url))
            out.write(f"{url}: schema is current ({head_revision()})\n")
    return 0
