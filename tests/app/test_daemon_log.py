"""The daemon's log says what happened once per event: a step that outlasts its interval says
so itself, and APScheduler's warning at every run it skips meanwhile is not repeated."""

from __future__ import annotations

import asyncio
import logging

import pytest

from harvester.app.daemon import _NoSkipNoise, _Steps


def test_a_step_longer_than_its_interval_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    async def slow() -> None:
        await asyncio.sleep(0.05)

    caplog.set_level(logging.INFO, logger="harvester.daemon")
    asyncio.run(_Steps().job("poll", slow, every=0.01)())
    (said,) = [r for r in caplog.records if "took" in r.getMessage()]
    assert said.getMessage().startswith("poll took 0 s, more than its 0 s interval")
    assert said.step == "poll"  # type: ignore[attr-defined]
    caplog.clear()
    asyncio.run(_Steps().job("poll", slow, every=60)())
    assert not [r for r in caplog.records if "took" in r.getMessage()]


def test_apschedulers_skip_warnings_are_dropped() -> None:
    skipped = logging.makeLogRecord(
        {
            "name": "apscheduler.scheduler",
            "msg": 'Execution of job "poll" skipped: maximum number of running instances '
            "reached (1)",
        }
    )
    other = logging.makeLogRecord({"name": "apscheduler.scheduler", "msg": "Scheduler started"})
    assert _NoSkipNoise().filter(skipped) is False
    assert _NoSkipNoise().filter(other) is True
