"""Concurrent awaits that fail as one: the first failure cancels the rest. No HTTP library
here, so a harvest of files loads none."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

T = TypeVar("T")


@contextlib.asynccontextmanager
async def task_group() -> AsyncIterator[asyncio.TaskGroup]:
    """asyncio.TaskGroup whose first failure cancels the other tasks and is raised as itself
    (not as an ExceptionGroup), so no request keeps retrying for a read that already failed."""
    try:
        async with asyncio.TaskGroup() as group:
            yield group
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None


async def gather_all(*work: Awaitable[T]) -> list[T]:
    """asyncio.gather with task_group's cancel-on-first-failure."""
    async with task_group() as group:
        tasks = [group.create_task(_awaited(item)) for item in work]
    return [task.result() for task in tasks]


async def _awaited(item: Awaitable[T]) -> T:
    return await item
