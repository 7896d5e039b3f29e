"""`harvest --version` and `--help` import only what they need (issue 13): the database, HTTP
and web libraries load when a command that uses them runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harvester import __version__

HEAVY = ("sqlalchemy", "aiohttp", "alembic", "lxml", "jinja2", "apscheduler", "pydantic")
PROBE = """
import contextlib, io, sys
from harvester.app.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main({argv!r})
    except SystemExit:
        pass
print(out.getvalue().splitlines()[0])
print(",".join(sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))))
"""


@pytest.mark.parametrize(
    ("argv", "first_line"),
    [(["--version"], f"harvest {__version__}"), (["--help"], "usage: harvest [-h] [--version]")],
)
def test_version_and_help_load_no_heavy_library(argv: list[str], first_line: str) -> None:
    probe = PROBE.format(argv=argv, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    shown, loaded = done.stdout.splitlines()
    assert shown.startswith(first_line)
    assert loaded == ""
