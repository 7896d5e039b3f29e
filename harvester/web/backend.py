"""What the web adapter needs from the rest of harvester, and the two writes it can ask for.

The wiring layer implements `Backend` with the database; tests use an in-memory one. Every value
crossing this boundary is a plain JSON-able dict (shapes in each method's docstring), so the web
layer never imports the store or the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

BallotValue = Literal["+1", "0", "-1", "none"]
"""A corrected ballot value; "none" says the message is not a vote at all."""

BALLOT_VALUES: tuple[BallotValue, ...] = ("+1", "0", "-1", "none")


@dataclass(frozen=True)
class Correction:
    """An operator's override of how one message (by its URL) was read.

    `None` fields keep what was read from the message; `clear=True` removes the override on
    `url` instead of setting one. `reason` is recorded in the audit log and on the override.
    """

    url: str
    reason: str
    value: str | None = None
    binding: bool | None = None
    member_id: str | None = None
    clear: bool = False


@dataclass(frozen=True)
class Dismissal:
    """An operator's decision that a review item (by URL and exact reason text) needs no action."""

    url: str
    review: str
    note: str


@dataclass(frozen=True)
class IdentityJudgement:
    """A person's word on the identity that sent one message: it is (confirmed) or is not
    (rejected) the member; it holds for every later vote. `member_id` None: the member the
    message was matched to by name."""

    url: str
    note: str
    confirmed: bool
    member_id: str | None = None


class Backend(Protocol):
    """The data and actions behind the dashboard, implemented by the wiring layer.

    Times in every dict are ISO 8601 strings in UTC with a trailing "Z".
    """

    async def votes(self) -> list[dict[str, Any]]:
        """All votes as VoteSummary dicts, newest first.

        VoteSummary: {"id", "project" (its project's name; "" in a config of one project),
        "title", "status": "open"|"passed"|"failed"|"cancelled", "rule",
        "opened_at", "closes_at", "passes", "explanation",
        "counts": {"binding": {"+1", "0", "-1"}, "non_binding": {...}} | None}.
        """
        ...

    async def vote(self, vote_id: int) -> dict[str, Any] | None:
        """One vote as a VoteDetail dict, or None when no vote has this id.

        VoteDetail: the VoteSummary keys plus "closed_by", "profile", "electorate",
        "report" (the CLI's JSON report or None), "corrections" (Override dicts),
        "draft" ({"subject", "body"} or None), "mails" ([{"id", "subject", "state"}]) and
        "audit" ([{"at", "actor", "action", "detail"}]).
        """
        ...

    async def roster(self, project: str = "") -> dict[str, Any] | None:
        """The stored roster of `project` ("": the config's own), or None if none is stored.

        RosterView: {"source", "taken_at", "members": [{"id", "name", "role", "emails",
        "github", "discourse", "since", "until"}]}.
        """
        ...

    async def person(self, member_id: str) -> dict[str, Any] | None:
        """One person across the stored votes, or None when the stored roster lacks
        `member_id` (an exact roster id) and no stored ballot carries it.

        PersonView: {"id", "member": a RosterView member or None (not on the stored roster),
        "open_votes": [{"id", "title", "closes_at", "ballot": PersonBallot or None (the
        electorate still waits for theirs)}], closing soonest first; "ballots": [PersonBallot]
        from each vote's current count, newest first}.
        PersonBallot: {"vote": {"id", "title", "status"}, "voter", "value", "binding",
        "counted", "effective" (False: replaced by a later ballot), "late", "changed", "match",
        "flags", "raw", "url", "mirrors", "cast_at"}.
        """
        ...

    async def correct(self, vote_id: int, change: Correction, actor: str) -> None:
        """Record (or clear) an override on one message of a vote, then recount it.

        Raises harvester.errors.UsageError / SelectionError with a one-line message for bad
        input: an unknown vote ("no such vote"), no message from that URL, an unknown member id.
        """
        ...

    async def dismiss(self, vote_id: int, dismissal: Dismissal, actor: str) -> None:
        """Dismiss one review item of a vote, noting why; raises like `correct`."""
        ...

    async def judge_identity(self, vote_id: int, judgement: IdentityJudgement, actor: str) -> None:
        """Confirm or reject the identity that sent a message of the vote; raises like
        `correct`."""
        ...

    async def health(self) -> dict[str, str]:
        """{"database": "ok" or the problem, "scheduler": "ok", "absent" or the problem}."""
        ...

    async def update_gauges(self) -> None:
        """Refresh gauges read from the database (open votes) before /metrics is rendered."""
        ...
