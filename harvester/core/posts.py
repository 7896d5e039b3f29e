"""What harvester itself writes into a vote's threads — the reminder on the list, the result as
a comment on the GitHub issue or a reply on the Discourse topic — carries a marker line. The
count skips a message whose own lines carry it (its counts are ours, not ballots); a reply that
quotes it is read as any reply. The outbox finds a post by its marker before posting again."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from harvester.core import text
from harvester.model import Draft, Message

MARKER = "harvester-ref:"
# Leading punctuation or tags allowed: "<sub>harvester-ref: …" in Markdown, "*harvester-ref: …".
_MARKER_LINE = re.compile(r"^(?:[^\w<]|<[^>]*>)*harvester-ref:\s*(?P<ref>[^\s<]+)", re.IGNORECASE)


def marker_line(ref: str) -> str:
    return f"{MARKER} {ref}"


def marker_in(lines: Iterable[str]) -> str:
    """The reference of the first marker line, or ""."""
    for line in lines:
        found = _MARKER_LINE.match(line)
        if found:
            return found["ref"].rstrip(".,)>*_")
    return ""


def own_marker(message: Message) -> str:
    """The reference of a marker among the message's own lines, or ""."""
    if MARKER not in str.lower(message.body):  # cheap: almost no message holds it
        return ""
    return marker_in(text.own_lines(message))


@dataclass
class OurPosts:
    """What a vote's reading found of harvester's own writing: the first message carrying each
    marker is ours. A later one carrying the same marker is a person's reply that pasted ours
    without quote marks: it is read, and the thread's quotation rule removes what it copied."""

    markers: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)

    def claims(self, message: Message) -> bool:
        ref = own_marker(message)
        if not ref or ref in self.markers:
            return False
        self.markers.add(ref)
        self.urls.add(message.url)
        return True


def is_ours(message: Message) -> bool:
    """Carries a marker of its own (alone, without the thread: see OurPosts)."""
    return bool(own_marker(message))


def post_text(draft: Draft, ref: str) -> str:
    """The draft as Markdown (GitHub and Discourse both read it): its lines kept as they are in
    a code block, the marker below."""
    longest = max((len(run) for run in re.findall(r"`+", draft.body)), default=0)
    fence = "`" * max(3, longest + 1)
    return (
        f"**{draft.subject}**\n\n{fence}text\n{draft.body.rstrip()}\n{fence}\n\n"
        f"<sub>{marker_line(ref)}</sub>\n"
    )
