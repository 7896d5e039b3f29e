"""Work spread over processes: one pool per harvest, for the parts of an archive and the votes.

`jobs` processes in all: this one and `jobs - 1` started on first need (spawn, not fork: the
caller runs an event loop and threads a fork would copy mid-step). This process does its
share rather than wait: map() takes back work the pool has not started when it is done first;
in_order() hands a few long calls out in order to whoever is free, and their results back as
they come; stream() keeps each worker a batch ahead and runs the rest here, with no wait
between rounds. warm() starts the workers early, while this process works alone.
A worker imports only the module of the function it runs: keep those modules light.
"""

from __future__ import annotations

import importlib
import itertools
import multiprocessing
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any

Progress = Callable[[int, int], None]
Bars = Callable[[str, str], Progress | None]  # (label, unit) -> a bar's callback, or None
BATCHES_PER_JOB = 16  # small batches: what the pool has queued cannot be taken back
AHEAD = 2  # stream(): batches a worker holds, the one it runs and the next, so it never waits
# While a pool runs: the pool's thread in this process needs the GIL to hand a worker its next
# batch and take its answer. Compiled counting (setup.py) holds the GIL for milliseconds (no
# interpreter loop to give it up); at the default 5 ms the counting of 100,000 messages kept
# 1.80-1.88 cores busy, at 0.5 ms 1.90-1.93.
SWITCH_SECONDS = 0.0005


def _run_batch(fn: Callable[..., Any], batch: Sequence[tuple[Any, ...]]) -> list[Any]:
    return [fn(*args) for args in batch]


class Workers:
    """map() over up to `jobs` processes, in order; a plain map() for one job."""

    def __init__(self, jobs: int, bars: Bars | None = None) -> None:
        self.jobs = max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None
        self._bars = bars
        self._switch = 0.0  # the interpreter's switch interval before the pool started

    def bar(self, label: str, unit: str) -> Progress | None:
        """A progress callback for long work on these workers, when someone is watching."""
        return self._bars(label, unit) if self._bars is not None else None

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            sys.setswitchinterval(self._switch)

    def map(
        self,
        fn: Callable[..., Any],
        *items: Sequence[Any],
        jobs: int = 0,
        progress: Progress | None = None,
    ) -> list[Any]:
        """fn(*args) for the items zipped, in order, on at most `jobs` (else all) processes;
        `progress` hears (items done, items) as batches finish."""
        calls = list(zip(*items, strict=True))
        wanted = min(jobs or self.jobs, self.jobs, len(calls))
        tell = _Tally(len(calls), progress)
        if wanted <= 1:
            return [value for call in calls for value in tell.done(_run_batch(fn, [call]))]
        size = max(1, len(calls) // (wanted * BATCHES_PER_JOB))
        batches = [calls[start : start + size] for start in range(0, len(calls), size)]
        own = max(1, len(batches) // wanted)  # this process's share: the last batches
        pool = self._started()
        futures = [pool.submit(_run_batch, fn, batch) for batch in batches[:-own]]
        for future in futures:
            future.add_done_callback(tell.future_done)
        done: list[list[Any] | None] = [None] * len(futures)
        mine = [tell.done(_run_batch(fn, batch)) for batch in batches[-own:]]
        for k in reversed(range(len(futures))):  # what the pool has not started, done here
            if not futures[k].cancel():
                break
            done[k] = tell.done(_run_batch(fn, batches[k]))
        results = [d if d is not None else _result(f) for d, f in zip(done, futures, strict=True)]
        return [value for batch in (*results, *mine) for value in batch]

    def in_order(
        self,
        fn: Callable[..., Any],
        calls: Sequence[tuple[Any, ...]],
        *,
        jobs: int = 0,
        progress: Progress | None = None,
    ) -> Iterator[Any]:
        """fn(*call) for each of a few long calls, yielded in order as soon as each is done, so
        the caller uses the first results while the others run (see _InOrder)."""
        wanted = min(jobs or self.jobs, self.jobs, len(calls))
        tell = _Tally(len(calls), progress)
        if wanted <= 1:
            for call in calls:
                yield from tell.done(_run_batch(fn, [call]))
            return
        share = _InOrder(self._started(), fn, calls, tell)
        share.hand_out(wanted - 1)
        for front in range(len(calls)):
            yield from share.result(front)

    def stream(
        self,
        fn: Callable[..., Any],
        calls: Iterable[tuple[Any, ...]],
        *,
        batch: int,
        jobs: int = 0,
        progress: Progress | None = None,
        total: int = 0,
    ) -> Iterator[Any]:
        """fn(*call) for each call, in order, as the calls come: `batch` at a time, each worker
        kept AHEAD batches busy and this process running the others. Nothing waits for the
        slowest batch of a round, as map() does at its end; what is done but not yet due (a
        batch behind one still running) is held, a few batches at most."""
        wanted = min(jobs or self.jobs, self.jobs)
        tell = _Tally(total, progress)
        batches = _batched(calls, max(1, batch))
        if wanted <= 1:
            for each in batches:
                yield from tell.done(_run_batch(fn, each))
            return
        pool, room = self._started(), AHEAD * (wanted - 1)
        pending: deque[Future[list[Any]] | list[Any]] = deque()
        for each in batches:
            if sum(1 for p in pending if isinstance(p, Future) and not p.done()) < room:
                future = pool.submit(_run_batch, fn, each)
                future.add_done_callback(tell.future_done)
                pending.append(future)
            else:
                pending.append(tell.done(_run_batch(fn, each)))
            while pending and (len(pending) > 2 * room or _is_done(pending[0])):
                yield from _values(pending.popleft())
        while pending:
            yield from _values(pending.popleft())

    def warm(self, module: str) -> None:
        """Start the workers now and have them import `module` (the one of the function they
        will run) while this process works alone, so that its first batches start at once."""
        if self.jobs > 1:
            pool = self._started()
            for _ in range(self.jobs - 1):
                pool.submit(_import, module)

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.jobs - 1, mp_context=context)
            self._switch = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch, SWITCH_SECONDS))
        return self._pool


def _import(module: str) -> None:
    importlib.import_module(module)


def _result(future: Future[list[Any]]) -> list[Any]:
    return future.result()


def _batched(calls: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    it = iter(calls)
    while each := list(itertools.islice(it, size)):
        yield each


def _is_done(item: Future[list[Any]] | list[Any]) -> bool:
    return isinstance(item, list) or item.done()


def _values(item: Future[list[Any]] | list[Any]) -> list[Any]:
    return item if isinstance(item, list) else item.result()


class _InOrder:
    """The calls of in_order(), taken in order by whoever is free: a worker is handed the next
    as it finishes one (a pool queues what it is given where it cannot be taken back), this
    process takes the next between handing over results. Results come about in order, so the
    caller takes each soon after it is done."""

    def __init__(
        self,
        pool: ProcessPoolExecutor,
        fn: Callable[..., Any],
        calls: Sequence[tuple[Any, ...]],
        tell: _Tally,
    ) -> None:
        self.pool, self.fn, self.calls, self.tell = pool, fn, calls, tell
        # The pool's thread hands out calls as workers finish; a call done before its callback
        # is added runs the callback at once, on the thread that holds the lock.
        self.lock = threading.RLock()
        self.next = 0  # the next call nobody has taken
        self.futures: dict[int, Future[list[Any]]] = {}
        self.done: dict[int, list[Any]] = {}  # results of this process's calls

    def hand_out(self, count: int = 1) -> None:
        with self.lock:
            for _ in range(count):
                if self.next >= len(self.calls):
                    return
                try:
                    future = self.pool.submit(_run_batch, self.fn, [self.calls[self.next]])
                except RuntimeError:  # a broken or closing pool: this process does the rest
                    return
                self.futures[self.next] = future
                self.next += 1
                future.add_done_callback(self._finished)

    def _finished(self, future: Future[list[Any]]) -> None:
        self.tell.future_done(future)
        self.hand_out()

    def _take(self) -> int | None:
        with self.lock:
            if self.next >= len(self.calls):
                return None
            self.next += 1
            return self.next - 1

    def result(self, number: int) -> list[Any]:
        """Call `number`'s result, once: this process runs the next calls meanwhile."""
        while number not in self.done:
            future = self.futures.get(number)
            if future is not None and future.done():
                break
            taken = self._take()
            if taken is not None:
                self.done[taken] = self.tell.done(_run_batch(self.fn, [self.calls[taken]]))
            elif future is not None:
                wait([future])
        if number in self.done:
            return self.done.pop(number)
        return self.futures.pop(number).result()


class _Tally:
    """Items done so far, told to a progress callback; futures finish on the pool's thread."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.count = total, 0
        self.progress = progress
        self._lock = threading.Lock()

    def done(self, batch: list[Any]) -> list[Any]:
        if self.progress is not None:
            with self._lock:
                self.count += len(batch)
                self.progress(self.count, self.total)
        return batch

    def future_done(self, future: Future[list[Any]]) -> None:
        if not future.cancelled() and future.exception() is None:
            self.done(future.result())
