"""The `harvest` command's first lines: a stop asked for while it starts is honoured at once.

Importing the rest takes a moment; a SIGTERM in it (a service manager, a container stopping)
would otherwise kill the process before the daemon installs its own handlers. Until then the
command stops cleanly: exit 0 for the long-running commands, 143 for a one-off harvest.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

_asked: list[int] = []  # the signal that asked for a stop while starting, if one did


def stop_asked() -> bool:
    """Whether a SIGTERM came while starting: one that landed where Python swallows the
    exception (a finaliser, a callback) is still honoured when the daemon's loop starts."""
    return bool(_asked)


def _stop_while_starting(signum: int, frame: FrameType | None) -> None:
    _asked.append(signum)
    sys.stderr.write("harvest: stopped while starting\n")
    raise SystemExit(0 if sys.argv[1:2] in (["daemon"], ["serve"]) else 128 + signum)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_while_starting)
    from harvester.app.cli import main as run  # the heavy imports, after the handler

    return run()
