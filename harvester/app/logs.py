"""The daemon's and the dashboard's log: one line per event, as text or as JSON objects.

JSON lines carry the time (UTC), the level, the logger, the message and the event's own fields
(`vote`, `draft`, `url`, … passed as `extra=`), so a log shipper can filter by vote without
parsing sentences.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TextIO

# The attributes every LogRecord has: anything else on a record is an event field.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Libraries whose routine chatter is not an event of ours.
QUIET = {
    "apscheduler": logging.WARNING,
    "alembic": logging.WARNING,
    "aiohttp.access": logging.WARNING,
}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        event.update(
            (key, value if isinstance(value, (str, int, float, bool)) else str(value))
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_")
        )
        if record.exc_info:
            event["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(event, ensure_ascii=False)


def configure(stream: TextIO, level: str, form: str) -> None:
    """Route every logger to `stream`, as text or JSON lines (`form`)."""
    handler = logging.StreamHandler(stream)
    if form == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(quiet)
