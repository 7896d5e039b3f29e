"""Fixtures for the browser tests: real `harvest` processes on SQLite files, and Chromium.

Every server is `harvest serve` started as its own process with the interpreter running the
tests, on a free port, over a database filled by the one-off `harvest --thread … --db` command.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_THREAD = ROOT / "examples" / "strategy-vote.mbox"
EXAMPLE_ROSTER = ROOT / "examples" / "roster.toml"
CHROMIUM = "/usr/bin/chromium"
CLI = [sys.executable, "-c", "from harvester.app.cli import main; raise SystemExit(main())"]
TOKEN = "browser-test-token-0123456789"
STARTUP_SECONDS = 20.0
SCREENSHOTS = "HARVESTER_SCREENSHOTS"  # a directory: the tests keep their screenshots there
PNG = b"\x89PNG\r\n\x1a\n"


def _environment(token: str | None) -> dict[str, str]:
    """This process's environment without any harvester setting, plus the token if given."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HARVESTER_")}
    if token is not None:
        env["HARVESTER_WEB__TOKEN"] = token
    return env


def harvest(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the `harvest` CLI from the project root; fail the test unless it exits 0."""
    done = subprocess.run(
        [*CLI, *(str(arg) for arg in args)],
        cwd=ROOT,
        env=_environment(None),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"harvest {args} exited {done.returncode}:\n{done.stderr}"
    return done


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def harvested_db(path: Path, thread: Path, *options: str) -> str:
    """A new SQLite database at `path` holding the votes of `thread`, counted with the example
    roster and any further `harvest` options; returns its URL."""
    url = sqlite_url(path)
    harvest("db", "upgrade", "--db", url)
    harvest("--thread", thread, "--roster", EXAMPLE_ROSTER, *options, "--db", url)
    return url


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


@dataclass(frozen=True)
class Server:
    """A running `harvest serve`."""

    base_url: str
    db_url: str
    token: str | None
    process: subprocess.Popen[str]

    def vote_json(self, number: int = 1) -> Mapping[str, Any]:
        detail: Mapping[str, Any] = get_json(f"{self.base_url}/api/votes/{number}")
        return detail


def _wait_healthy(process: subprocess.Popen[str], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    problem = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text()
            pytest.fail(f"harvest serve exited {process.returncode} before answering:\n{output}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
                problem = f"status {response.status}"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            problem = str(error)
        time.sleep(0.1)
    pytest.fail(f"harvest serve at {base_url} not healthy after {STARTUP_SECONDS}s: {problem}")


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def serve(db_url: str, token: str | None, log: Path) -> Iterator[Server]:
    """`harvest serve` over `db_url` until the generator is closed; then SIGTERM, exit 0.

    Its log (one line per request) goes to the file `log`, never to a pipe that could fill up.
    """
    port = free_port()
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [*CLI, "serve", "--db", db_url, "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=_environment(token),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, base_url, log)
        yield Server(base_url=base_url, db_url=db_url, token=token, process=process)
    finally:
        _stop(process)
    assert process.returncode == 0, f"harvest serve exited {process.returncode}:\n{log.read_text()}"


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped example vote harvested once; servers work on copies of this file."""
    path = tmp_path_factory.mktemp("example") / "template.db"
    harvested_db(path, EXAMPLE_THREAD)
    return path


def copy_db(template: Path, directory: Path) -> str:
    """A private copy of a harvested database; returns its URL."""
    target = directory / "h.db"
    shutil.copyfile(template, target)
    return sqlite_url(target)


# Module scope, not session: playwright's sync API keeps an event loop running in this thread
# while it is open, and every later test that calls asyncio.run() would fail.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox"], headless=True
    )
    yield chromium
    chromium.close()


def keep_screenshot(page: Page, name: str, directory: Path) -> Path:
    """A full-page screenshot of `page` as `directory`/`name`.png, also copied to
    $HARVESTER_SCREENSHOTS/dashboard-`name`.png when that names a directory (CI keeps them)."""
    shot = directory / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == PNG
    assert shot.stat().st_size > 5_000, "a page with text on it"
    keep = os.environ.get(SCREENSHOTS)
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        copied = Path(shutil.copyfile(shot, Path(keep) / f"dashboard-{name}.png"))
        assert copied.stat().st_size == shot.stat().st_size
    return shot


def assert_laid_out_cleanly(page: Page) -> None:
    """Nothing is cut off at the page's width (no sideways scrolling, no table scrolled inside
    its box) and no Message-ID or file label is wrapped over two lines."""
    overflow = page.evaluate(
        """() => {
            const root = document.documentElement;
            const wide = root.scrollWidth > root.clientWidth ? ["page"] : [];
            for (const box of document.querySelectorAll(".scroll")) {
                const table = box.firstElementChild;
                if (box.scrollWidth > box.clientWidth + 1) wide.push(table.className);
            }
            return wide;
        }"""
    )
    assert overflow == [], f"wider than the window: {overflow}"
    wrapped = page.eval_on_selector_all(
        "code.url",  # Message-IDs, files: a wrapped one is unreadable
        "nodes => nodes.filter(n => n.getClientRects().length > 1).map(n => n.textContent)",
    )
    assert wrapped == []
