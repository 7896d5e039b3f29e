"""Which kind of vote a thread is (release, strategy, new module …), from its subject or labels."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from harvester.core.threads import vote_title
from harvester.model import VoteProfile


def matches(profile: VoteProfile, title: str, labels: Iterable[str]) -> bool:
    if profile.subject and re.search(profile.subject, vote_title(title), re.IGNORECASE):
        return True
    wanted = {label.casefold() for label in profile.labels}
    return any(label.casefold() in wanted for label in labels)


def choose_profile(
    title: str, labels: Iterable[str], profiles: Sequence[VoteProfile]
) -> VoteProfile | None:
    """The first configured profile that matches: order in the config is priority."""
    labelled = tuple(labels)
    return next((p for p in profiles if matches(p, title, labelled)), None)
