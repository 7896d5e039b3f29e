"""The daemon's log as JSON lines: one object an event, with its own fields, times in UTC."""

from __future__ import annotations

import io
import json
import logging

import pytest

from harvester.app import logs


@pytest.fixture(autouse=True)
def restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield None
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_the_event_fields() -> None:
    stream = io.StringIO()
    logs.configure(stream, "INFO", "json")
    logging.getLogger("harvester.app.watch").info(
        "vote %d closed (%s): %s", 3, "deadline", "passed", extra={"vote": 3, "status": "passed"}
    )
    logging.getLogger("apscheduler.scheduler").info("chatter nobody needs")
    (line,) = stream.getvalue().splitlines()
    event = json.loads(line)
    assert event["message"] == "vote 3 closed (deadline): passed"
    assert (event["level"], event["logger"], event["vote"], event["status"]) == (
        "info",
        "harvester.app.watch",
        3,
        "passed",
    )
    assert event["time"].endswith("Z")


def test_text_lines_stay_one_a_line() -> None:
    stream = io.StringIO()
    logs.configure(stream, "WARNING", "text")
    logging.getLogger("harvester").info("not shown")
    logging.getLogger("harvester").warning("draft 2 not sent")
    assert stream.getvalue().count("\n") == 1
    assert stream.getvalue().rstrip().endswith("WARNING draft 2 not sent")
