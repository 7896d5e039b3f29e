"""Local files for every source: one place that turns OS errors into one-line SourceErrors."""

from __future__ import annotations

from typing import BinaryIO

from harvester.errors import SourceError


def open_binary(path: str, *, what: str) -> BinaryIO:
    """Open `path` for reading; `what` names the kind of file for the error ("mail file")."""
    try:
        return open(path, "rb")
    except FileNotFoundError as exc:
        raise SourceError(path, "no such file") from exc
    except IsADirectoryError as exc:
        raise SourceError(path, f"is a directory, not a {what}") from exc
    except PermissionError as exc:
        raise SourceError(path, "permission denied") from exc
    except OSError as exc:
        raise SourceError(path, f"cannot open file: {exc.strerror or exc}") from exc


def read_bytes(path: str, *, what: str) -> bytes:
    with open_binary(path, what=what) as stream:
        try:
            return stream.read()
        except OSError as exc:
            raise SourceError(path, f"cannot read file: {exc.strerror or exc}") from exc
