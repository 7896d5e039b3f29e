"""What one part's round found (app/archive.py), passed from the worker process that read the
part to the one that keeps the index, through a file in the harvest's scratch folder, or in
hand when there is none. A stream of pickles, so that neither side holds a large part's vote
mails at once: its vote mails a batch at a time as they are read, then the digests the
reach check compares (VoteIndex.add_digests), then the ids reached, which are read only when
another round needs them. Our own file, in a folder only we can read."""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from typing import BinaryIO

from harvester.app.vote_index import StubRow
from harvester.errors import SourceError

ROWS_A_BATCH = 2000


class FindingsWriter:
    """A part's findings, written as they come to `spill` (held in hand when it is None or
    cannot be opened)."""

    def __init__(self, spill: str | None) -> None:
        self.where = spill
        self.stream: BinaryIO = io.BytesIO()
        if spill is not None:
            try:
                self.stream = open(spill, "wb")  # noqa: SIM115 (closed by finish or close)
            except OSError:
                self.where = None
        self.rows: list[StubRow] = []

    def close(self) -> None:
        self.stream.close()

    def row(self, row: StubRow) -> None:
        self.rows.append(row)
        if len(self.rows) >= ROWS_A_BATCH:
            self._flush()

    def finish(self, reached: bytes, left_out: bytes, new_ids: list[str]) -> str | bytes:
        """The findings' place: the file, or the findings themselves."""
        self._flush()
        self._dump((reached, left_out))
        self._dump(new_ids)
        if self.where is None:
            assert isinstance(self.stream, io.BytesIO)
            return self.stream.getvalue()
        self._written(self.stream.close)
        return self.where

    def _flush(self) -> None:
        if self.rows:
            self._dump(self.rows)
            self.rows = []

    def _dump(self, value: object) -> None:
        self._written(lambda: pickle.dump(value, self.stream, protocol=pickle.HIGHEST_PROTOCOL))

    def _written(self, write: Callable[[], None]) -> None:
        try:
            write()
        except OSError as error:  # a full disk
            raise SourceError(str(self.where), f"cannot write a scratch file: {error}") from None


def load_findings(
    where: str | bytes, add_rows: Callable[[list[StubRow]], None]
) -> tuple[bytes, bytes]:
    """Each batch of a part's vote mails to `add_rows`, in order; then (the digests of the ids
    they reached, those of the ids the part's other mails name)."""
    with _opened(where) as stream:
        while isinstance(found := pickle.load(stream), list):
            add_rows(found)
    reached, left_out = found
    return reached, left_out


def new_ids_of(where: str | bytes) -> list[str]:
    """The ids a part's vote mails reached that were not known before its round."""
    with _opened(where) as stream:
        while isinstance(pickle.load(stream), list):
            pass
        ids: list[str] = pickle.load(stream)
    return ids


def _opened(where: str | bytes) -> BinaryIO:
    return open(where, "rb") if isinstance(where, str) else io.BytesIO(where)
