"""One pool per harvest (app/workers.py): results in order, this process doing its share."""

from __future__ import annotations

import os

import pytest

from harvester.app.workers import Workers
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
