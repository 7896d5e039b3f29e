"""Local files for every source: one place that turns OS errors into one-line SourceErrors."""

from __future__ import annotations

from typing import BinaryIO

from harvester.errors import SourceError
from harvester.sources.limits import size_text

# A saved topic or roster larger than this is not one: refused rather than read into memory.
JSON_FILE_BYTES = 256 * 1024 * 1024


def open_binary(path: str, *, what: str, buffered: bool = True) -> BinaryIO:
    """Open `path` for reading; `what` names the kind of file for the error ("mail file").
    Unbuffered, every read goes to the file as it is then."""
    try:
        return open(path, "rb", buffering=-1 if buffered else 0)
    except FileNotFoundError as exc:
        raise SourceError(path, "no such file") from exc
    except IsADirectoryError as exc:
        raise SourceError(path, f"is a directory, not a {what}") from exc
    except PermissionError as exc:
        raise SourceError(path, "permission denied") from exc
    except OSError as exc:
        raise SourceError(path, f"cannot open file: {exc.strerror or exc}") from exc


def read_bytes(path: str, *, what: str, limit: int = JSON_FILE_BYTES, setting: str = "") -> bytes:
    """The whole file, refused when it holds more than `limit` bytes (a stream that never ends
    is refused there too); `setting` names the config key that sets the limit."""
    with open_binary(path, what=what) as stream:
        try:
            data = stream.read(limit + 1)
        except OSError as exc:
            raise SourceError(path, f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > limit:
        where = f" ([limits] {setting})" if setting else ""
        raise SourceError(path, f"holds more than {size_text(limit)}, the cap on one {what}{where}")
    return data
