"""A generated mbox holding three votes (distinct subjects, the same people voting in all three),
a [RESULT] of the first sent as a new thread, a reply that lost its References, and a discussion
that is no vote; with the roster that counts them. Shared by the store and app tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

T0 = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)

PEOPLE = {
    "alice": "Alice Archer",
    "bob": "Bob Baker",
    "carol": "Carol Cruz",
    "dave": "Dave Dunn",
    "erin": "Erin Eng",
}

ROSTER = "".join(
    f'[[members]]\nid = "{key}"\nname = "{name}"\nemails = ["{key}@apache.org"]\n'
    f'role = "{"committer" if key == "dave" else "pmc"}"\n\n'
    for key, name in PEOPLE.items()
)


@dataclass(frozen=True)
class Vote:
    subject: str
    call_id: str  # the call's Message-ID, without angle brackets
    caller: str  # who called it (and voted +1 in the call)
    ballots: dict[str, str]  # voter key -> what they wrote
    messages: int  # mails of the vote in the file, the call and its [RESULT] included


RELEASE = Vote(
    "[VOTE] Release Apache Widget 1.0.0",
    "release-call@widget.example.org",
    "alice",
    {"bob": "+1 (binding) for the release", "carol": "+1 for the release",
     "dave": "+1 for the release", "erin": "-1 (binding) the release lacks a NOTICE file"},
    messages=6,
)  # fmt: skip
LOGO = Vote(
    "[VOTE] Adopt the new logo",
    "logo-call@widget.example.org",
    "bob",
    {"alice": "+1 to the logo", "carol": "-1 to the logo, it is hard to read",
     "dave": "+0, no strong feelings about the logo", "erin": "+1 to the logo"},
    messages=5,
)  # fmt: skip
HUGO = Vote(
    "[VOTE] Move the website to Hugo",
    "hugo-call@widget.example.org",
    "carol",
    {"alice": "+1 to Hugo", "bob": "+1 to Hugo", "dave": "+1 to Hugo"},
    messages=4,
)
VOTES = (RELEASE, LOGO, HUGO)


def _mail(
    mid: str, who: str, subject: str, at: datetime, body: str, reply_to: str | None = None
) -> str:
    headers = [
        f"From {who}@apache.org {at:%a %b %d %H:%M:%S %Y}",
        f"From: {PEOPLE[who]} <{who}@apache.org>",
        "To: dev@widget.apache.org",
        f"Subject: {subject}",
        f"Date: {format_datetime(at)}",
        f"Message-ID: <{mid}>",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if reply_to:
        headers += [f"In-Reply-To: <{reply_to}>", f"References: <{reply_to}>"]
    return "\n".join(headers) + "\n\n" + body + "\n\n"


def _vote_mails(vote: Vote, start: datetime) -> list[tuple[datetime, str]]:
    caller = vote.caller
    call = (
        f"Please vote on this: {vote.subject[7:]}.\n"
        "The vote is open for at least 72 hours.\n\n+1 (binding) from me\n\n"
        f"{PEOPLE[caller]}"
    )
    mails = [(start, _mail(vote.call_id, caller, vote.subject, start, call))]
    for n, (who, text) in enumerate(vote.ballots.items(), start=1):
        at = start + timedelta(hours=n)
        mid = f"{who}-{vote.call_id}"
        reply = f"Re: {vote.subject}"
        # Erin's mailer dropped In-Reply-To on the logo vote: linked by subject alone.
        lost = vote is LOGO and who == "erin"
        body = f"{text}\n\n{PEOPLE[who]}"
        mails.append((at, _mail(mid, who, reply, at, body, None if lost else vote.call_id)))
    return mails


def mbox_text() -> str:
    mails = [
        *_vote_mails(RELEASE, T0),
        *_vote_mails(LOGO, T0 + timedelta(minutes=30)),
        *_vote_mails(HUGO, T0 + timedelta(hours=2)),
    ]
    result_at = T0 + timedelta(hours=80)
    result = (
        "The vote passed with 3 binding +1 (Alice, Bob, Carol), 1 non-binding +1 (Dave) and\n"
        "1 binding -1 (Erin).\n\nAlice"
    )
    mails.append(
        (result_at, _mail("release-result@widget.example.org", "alice",
                          "[RESULT][VOTE] Release Apache Widget 1.0.0", result_at, result))
    )  # fmt: skip
    talk_at = T0 + timedelta(hours=5)
    mails.append(
        (talk_at, _mail("talk@widget.example.org", "dave", "[DISCUSS] Mascot ideas", talk_at,
                        "+1 to a badger, anyone?"))
    )  # fmt: skip
    return "".join(text for _, text in sorted(mails, key=lambda pair: pair[0]))


def write_files(folder: Path) -> tuple[Path, Path]:
    """(the mbox, the roster) written into `folder`."""
    mbox = folder / "three-votes.mbox"
    mbox.write_text(mbox_text(), encoding="utf-8")
    roster = folder / "roster.toml"
    roster.write_text(ROSTER, encoding="utf-8")
    return mbox, roster


def thread_url(mbox: Path | str, vote: Vote) -> str:
    return f"{mbox}#mid:{vote.call_id}"
