"""Work spread over processes: one map() for the parts of an archive or the votes of a harvest."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

Mapper = Callable[..., Iterable[Any]]
BATCHES_PER_WORKER = 4  # many small items (votes) go in batches: one hand-off each, not per item


@contextmanager
def each_in(workers: int) -> Iterator[Mapper]:
    """map() in this process for one worker, else in that many worker processes (in order)."""
    if workers <= 1:
        yield map
        return
    # spawn, not fork: the caller runs an event loop and threads a fork would copy mid-step
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:

        def each(fn: Callable[..., Any], *items: Sequence[Any]) -> Iterable[Any]:
            batch = max(1, len(items[0]) // (workers * BATCHES_PER_WORKER))
            return pool.map(fn, *items, chunksize=batch)

        yield each
