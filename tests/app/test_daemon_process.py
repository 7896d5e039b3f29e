"""`harvest daemon` as a real process on the real clock: killed with SIGKILL part way through a
vote, started again, it resumes and the result is mailed exactly once; SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harvester.store.db import upgrade
from tests.app.daemon_world import TOPIC, World, world
from tests.fakes.discourse import FakePost

# As the installed `harvest` script starts: through harvester.entry, which handles SIGTERM first.
HARVEST = [sys.executable, "-c", "from harvester.entry import main; raise SystemExit(main())"]
LEAD = 15  # seconds from the start of the test to the vote's 72-hour mark


def config(w: World, path: Path) -> Path:
    path.write_text(
        f"""
[http]
per_host_rate = 0
max_attempts = 2
backoff_base = 0

[sources.github]
api_url = "{w.github.url}"

[daemon]
roster = "{w.roster}"
ponymail_url = "{w.lists.url}"
lists = ["dev@tvm.apache.org"]
categories = ["{w.discourse.url}/c/votes/5"]
repos = ["apache/tvm"]
discover_minutes = 60
tick_seconds = 0.2
jitter = 0
# a SIGKILL mid-poll leaves a lease this long (3 s) before the restarted daemon may poll again
poll_min_minutes = 0.05

[web]
port = 0

[mail]
enabled = true
host = "{w.smtp.host}"
port = {w.smtp.port}
security = "none"
sender = "harvester <harvester@tvm.example.org>"
to = ["private@tvm.example.org"]
""",
        encoding="utf-8",
    )
    return path


def daemon(cfg: Path, url: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*HARVEST, "daemon", "--config", str(cfg), "--db", url],
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait(check: Callable[[], bool], what: str, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_killed_mid_vote_the_restarted_daemon_mails_the_result_once(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    t0 = datetime.now(UTC) - timedelta(hours=72) + timedelta(seconds=LEAD)
    with world(database_url, tmp_path, t0=t0) as w:
        w.fill()
        carol = FakePost("carol", "<p>+1</p>", t0 + timedelta(hours=1), name="Carol Cruz")
        w.discourse.add_post(TOPIC, carol)
        cfg = config(w, tmp_path / "harvester.toml")
        log = tmp_path / "daemon.log"

        def tracked() -> bool:
            found = asyncio.run(w.votes())
            return len(found) == 1 and len(asyncio.run(w.threads_of(found[0].id))) == 3

        first = daemon(cfg, database_url, log)
        try:
            wait(tracked, "the first daemon to track the vote")
        finally:
            first.kill()  # SIGKILL: no chance to clean up
            first.wait()
        assert w.smtp.received == []
        assert datetime.now(UTC) < t0 + timedelta(hours=72), "killed too late to test a resume"

        second = daemon(cfg, database_url, log)
        try:
            wait(lambda: len(w.smtp.received) >= 1, "the restarted daemon to mail the result")
            time.sleep(1.0)
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=30) == 0
        finally:
            second.kill()

        third = daemon(cfg, database_url, log)

        def started_thrice() -> bool:
            return log.read_text(encoding="utf-8").count("harvest daemon started") == 3

        wait(started_thrice, "the third daemon to start")  # a loaded machine starts slowly
        time.sleep(1.0)
        third.send_signal(signal.SIGTERM)
        assert third.wait(timeout=30) == 0

        assert len(w.smtp.received) == 1
        (vote,) = asyncio.run(w.votes())
        assert vote.status == "passed"
        text = log.read_text(encoding="utf-8")
        assert "Traceback" not in text
        assert text.count("harvest daemon stopped") == 2


def _catches_sigterm(pid: int) -> bool:
    """Whether the process has a SIGTERM handler yet (Linux: the SigCgt mask in /proc)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


@pytest.mark.parametrize("after", [0.0, 0.3])
def test_a_sigterm_while_the_daemon_starts_stops_it_cleanly(
    after: float, database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    cfg = tmp_path / "harvester.toml"
    cfg.write_text("[daemon]\ntick_seconds = 0.2\n\n[web]\nport = 0\n", encoding="utf-8")
    log = tmp_path / "daemon.log"
    process = daemon(cfg, database_url, log)
    # The interpreter's own start is before any line of ours: wait for the first one.
    wait(lambda: _catches_sigterm(process.pid), "the first SIGTERM handler", timeout=30)
    time.sleep(after)  # 0: still importing; 0.3: importing or starting the daemon
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=60)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert code == 0, text
    assert "Traceback" not in text
