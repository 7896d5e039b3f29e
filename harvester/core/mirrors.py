"""Mirrored ballots: the same ballot by the same person seen in another place soon after (a
Discourse post on the discuss-archive list, a GitHub comment as a notification mail, a bot's
repost) is counted once.

The ballots seen so far are indexed by what a mirror shares with its original (value, vote line,
person), so finding the original costs the same at 10,000 ballots as at 10.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from harvester.core.identity import voter_key
from harvester.core.reading import Read

MIRROR_WINDOW = timedelta(hours=12)  # a mirror (archive list, notification mail) lags minutes


def same_person(a: Read, b: Read) -> bool:
    if voter_key(a.who) == voter_key(b.who):
        return True
    names = {u.lower() for u in a.who.usernames}
    return bool(names & {u.lower() for u in b.who.usernames})


def _line(read: Read) -> str:
    return read.reading.raw.strip().casefold() if read.reading is not None else ""


def is_mirror(copy: Read, original: Read) -> bool:
    """`copy` repeats `original`'s ballot from another source or thread within the window."""
    if copy.reading is None or original.reading is None:
        return False
    return (
        copy.message.source != original.message.source
        or copy.message.thread_url != original.message.thread_url
    ) and (
        copy.reading.value == original.reading.value
        and _line(copy) == _line(original)
        and timedelta(0) <= copy.message.sent_at - original.message.sent_at <= MIRROR_WINDOW
        and same_person(copy, original)
    )


def _keys(read: Read) -> Iterator[tuple[str, str, str]]:
    """What a mirror and its original share: the value, the vote line and one of the person's
    keys (a mirror may know them by another: an address here, a username there)."""
    if read.reading is None or read.reading.value is None:
        return
    value, line = read.reading.value.value, _line(read)
    yield value, line, voter_key(read.who)
    for username in read.who.usernames:
        yield value, line, "user:" + username.lower()


class SeenBallots:
    """The ballots counted so far, each with its index in the count's history."""

    def __init__(self) -> None:
        self._order = 0
        self._by_key: dict[tuple[str, str, str], list[tuple[int, Read, int]]] = {}

    def add(self, read: Read, index: int) -> None:
        self._order += 1
        for key in _keys(read):
            self._by_key.setdefault(key, []).append((self._order, read, index))

    def original_of(self, copy: Read) -> tuple[Read, int] | None:
        """The latest ballot seen that `copy` mirrors, with its history index."""
        candidates = [seen for key in _keys(copy) for seen in self._by_key.get(key, ())]
        for _order, original, index in sorted(candidates, key=lambda c: c[0], reverse=True):
            if is_mirror(copy, original):
                return original, index
        return None
