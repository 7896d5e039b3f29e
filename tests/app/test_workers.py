"""One pool per harvest (app/workers.py): results in order, this process doing its share."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, cast

import pytest

from harvester.app.workers import SWITCH_SECONDS, Workers, _InOrder, _Tally
from harvester.errors import SourceError


def pid_of(_item: int) -> int:
    return os.getpid()


def fail_on(item: int) -> int:
    if item == 7:
        raise SourceError(f"item {item}", "cannot be read")
    return item


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("count", [0, 1, 2, 5, 40])
def test_map_gives_what_map_gives_in_order(jobs: int, count: int) -> None:
    with Workers(jobs) as workers:
        assert workers.map(pow, [3] * count, range(count)) == [3**k for k in range(count)]


def test_this_process_does_its_share_and_the_pool_the_rest() -> None:
    with Workers(2) as workers:
        pids = workers.map(pid_of, range(2))
    assert pids[1] == os.getpid()  # the last part is this process's
    assert pids[0] != os.getpid()


def test_one_job_starts_no_process() -> None:
    with Workers(2) as workers:
        assert set(workers.map(pid_of, range(30), jobs=1)) == {os.getpid()}
        assert workers._pool is None


def test_the_pool_is_started_once_for_every_map() -> None:
    with Workers(2) as workers:
        first = set(workers.map(pid_of, range(8)))
        pool = workers._pool
        second = set(workers.map(pid_of, range(8)))
        assert workers._pool is pool
    assert len(first | second) <= 2  # this process and one worker, whatever the rounds


def test_an_error_in_a_worker_reaches_the_caller_whole() -> None:
    with Workers(2) as workers, pytest.raises(SourceError) as raised:
        workers.map(fail_on, range(20))
    assert str(raised.value) == "item 7: cannot be read"


def slow_pid(item: int) -> tuple[int, int]:
    time.sleep(0.002 if item % 3 else 0.01)  # uneven work: batches finish out of order
    return item, os.getpid()


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize(("count", "batch"), [(0, 4), (1, 4), (5, 1), (40, 3), (200, 8)])
def test_stream_gives_what_map_gives_in_order(jobs: int, count: int, batch: int) -> None:
    calls = ((3, k) for k in range(count))  # a generator: the calls come as they are read
    with Workers(jobs) as workers:
        assert list(workers.stream(pow, calls, batch=batch)) == [3**k for k in range(count)]


def test_stream_shares_the_work_and_keeps_the_order() -> None:
    with Workers(2) as workers:
        got = list(workers.stream(slow_pid, ((k,) for k in range(120)), batch=2))
    assert [item for item, _ in got] == list(range(120))
    pids = {pid for _, pid in got}
    assert os.getpid() in pids
    assert len(pids) == 2  # this process and the worker both counted


def test_stream_tells_progress_to_the_total() -> None:
    heard: list[tuple[int, int]] = []
    with Workers(2) as workers:
        calls = ((3, k) for k in range(50))
        list(workers.stream(pow, calls, batch=4, progress=lambda *x: heard.append(x), total=50))
    assert sorted(heard)[-1] == (50, 50)
    assert [done for done, _ in sorted(heard)] == sorted({done for done, _ in heard})


def test_an_error_in_a_streamed_worker_reaches_the_caller_whole() -> None:
    with Workers(2) as workers, pytest.raises(SourceError) as raised:
        list(workers.stream(fail_on, ((k,) for k in range(40)), batch=2))
    assert str(raised.value) == "item 7: cannot be read"


def test_the_switch_interval_is_short_while_a_pool_runs() -> None:
    before = sys.getswitchinterval()
    with Workers(2) as workers:
        workers.map(pid_of, range(4))
        assert sys.getswitchinterval() == min(before, SWITCH_SECONDS)
    assert sys.getswitchinterval() == before


WARMED = "harvester.app.archive_votes"  # nothing a worker runs here imports it otherwise


def imported_where(module: str) -> tuple[int, bool]:
    time.sleep(0.01)  # slow enough that the worker takes some
    return os.getpid(), module in sys.modules


def workers_have_imported(warm: bool) -> set[bool]:
    with Workers(2) as workers:
        if warm:
            workers.warm(WARMED)
        answers = workers.map(imported_where, [WARMED] * 40)
    return {imported for pid, imported in answers if pid != os.getpid()}


def test_warm_workers_import_the_module_before_their_first_call() -> None:
    assert workers_have_imported(warm=False) == {False}
    assert workers_have_imported(warm=True) == {True}


def test_warming_one_job_starts_no_process() -> None:
    with Workers(1) as workers:
        workers.warm(WARMED)
        assert workers._pool is None


def slow_part(item: int) -> tuple[int, int]:
    time.sleep(0.05)  # a part of an archive: long beside handing it out
    return item, os.getpid()


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("count", [0, 1, 2, 7, 30])
def test_in_order_gives_what_map_gives_in_order(jobs: int, count: int) -> None:
    with Workers(jobs) as workers:
        got = list(workers.in_order(pow, [(3, k) for k in range(count)]))
    assert got == [3**k for k in range(count)]


def test_in_order_both_take_the_next_call_as_they_are_free() -> None:
    with Workers(2) as workers:
        workers.map(pid_of, range(8))  # the worker is up: its start would skew the shares
        got = list(workers.in_order(slow_part, [(k,) for k in range(12)]))
    assert [item for item, _ in got] == list(range(12))
    pids = [pid for _, pid in got]
    assert pids[0] != os.getpid()  # the worker is handed the first
    assert pids[1] == os.getpid()  # this process takes the next
    assert 3 <= pids.count(os.getpid()) <= 9  # both did a share, all along the file


def test_in_order_hands_over_the_first_results_before_the_last_are_read() -> None:
    heard: list[tuple[int, int]] = []
    with Workers(2) as workers:
        workers.map(pid_of, range(8))  # the worker is up
        calls = [(k,) for k in range(12)]
        results = workers.in_order(slow_part, calls, progress=lambda *x: heard.append(x))
        first = next(results)
        assert first[0] == 0
        assert len(heard) < 12  # the others are still being read
        rest = list(results)
    assert len(rest) == 11
    assert sorted(heard)[-1] == (12, 12)


def test_an_error_in_order_reaches_the_caller_whole() -> None:
    with Workers(2) as workers, pytest.raises(SourceError) as raised:
        list(workers.in_order(fail_on, [(k,) for k in range(12)]))
    assert str(raised.value) == "item 7: cannot be read"


class DonePool:
    """A pool whose calls are done before submit() returns, as a fast worker's can be before
    the caller adds its callback."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args))
        return future


def test_a_call_done_before_its_callback_is_added_hands_out_the_next() -> None:
    calls = [(2, k) for k in range(5)]
    order = _InOrder(cast(ProcessPoolExecutor, DonePool()), pow, calls, _Tally(5, None))
    handing = threading.Thread(target=order.hand_out, daemon=True)
    handing.start()
    handing.join(5)
    assert not handing.is_alive()  # the callback runs at once, on this thread: no deadlock
    assert [order.result(k) for k in range(5)] == [[2**k] for k in range(5)]
