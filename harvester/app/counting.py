"""Counting one vote: its threads and a roster -> tally, outcome and draft.

What counting reads of the settings travels as plain values (`Counting`), so a worker process of
a large harvest imports this module and core, and nothing of the network, the database or the
settings files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from harvester.core.announcement import read_announcement
from harvester.core.crosscheck import check_announcement
from harvester.core.draft import build_draft
from harvester.core.profiles import choose_profile
from harvester.core.proof import prove
from harvester.core.rules import RuleSettings, choose_rule, decide
from harvester.core.tally import TallyOptions, count_votes, read_messages
from harvester.model import (
    Corrections,
    Draft,
    Electorate,
    Outcome,
    Roster,
    RuleName,
    Tally,
    Thread,
    VoteProfile,
)

if TYPE_CHECKING:
    from harvester.config import Settings


@dataclass(frozen=True)
class VoteResult:
    tally: Tally
    outcome: Outcome
    draft: Draft
    profile: VoteProfile | None = None
    sources: tuple[Thread, ...] = ()  # the threads counted, for storing them
    roster: Roster = field(default_factory=lambda: Roster(members=()))  # counted with


@dataclass(frozen=True)
class Counting:
    """The [vote] settings counting reads."""

    default_rule: RuleName
    electorate: Electorate
    zero_counts_as_cast: bool
    pmc_majority_minimum: int
    emoji_votes: bool
    default_min_hours: int
    bots: frozenset[str]
    profiles: tuple[VoteProfile, ...]
    outcome_in_subject: bool = False  # "[RESULT][VOTE] X - PASSED"

    @classmethod
    def of(cls, settings: Settings) -> Counting:
        vote = settings.vote
        return cls(
            default_rule=vote.default_rule,
            electorate=vote.electorate,
            zero_counts_as_cast=vote.zero_counts_as_cast,
            pmc_majority_minimum=vote.pmc_majority_minimum,
            emoji_votes=vote.emoji_votes,
            default_min_hours=vote.default_min_hours,
            bots=frozenset(bot.lower() for bot in vote.bots),
            profiles=tuple(p.profile() for p in vote.profiles),
            outcome_in_subject=settings.draft.outcome_in_subject,
        )


def vote_profile(sources: Sequence[Thread], counting: Counting) -> VoteProfile | None:
    """The configured kind of vote these threads hold, by subject or labels."""
    title = next((t.title for t in sources if t.title), "")
    labels = [label for t in sources for label in t.labels]
    return choose_profile(title, labels, counting.profiles)


def tally_options(
    counting: Counting,
    closes_at: datetime | None,
    profile: VoteProfile | None = None,
    corrections: Corrections | None = None,
) -> TallyOptions:
    electorate = profile.electorate if profile and profile.electorate else counting.electorate
    hours = counting.default_min_hours
    if profile is not None and profile.min_hours is not None:
        hours = profile.min_hours
    return TallyOptions(
        electorate=electorate,
        bots=counting.bots,
        emoji_votes=counting.emoji_votes,
        closes_at=closes_at,
        default_min_duration=timedelta(hours=hours),
        corrections=corrections or Corrections(),
        verdicts=corrections.verdicts if corrections else (),
    )


@dataclass(frozen=True)
class Decided:
    """A vote counted and decided, without its result mail: what JSON and text output show."""

    tally: Tally
    outcome: Outcome
    profile: VoteProfile | None = None


def decide_vote(
    sources: Sequence[Thread],
    roster: Roster,
    counting: Counting,
    now: datetime,
    *,
    rule: RuleName | None = None,
    closes_at: datetime | None = None,
    corrections: Corrections | None = None,
) -> Decided:
    """Count and decide. The rule: the call text's, else `rule` (--rule), else the profile's,
    else the configured default."""
    profile = vote_profile(sources, counting)
    options = tally_options(counting, closes_at, profile, corrections)
    tally = count_votes(sources, roster, options)
    requested = rule or (profile.rule if profile else None)
    chosen = choose_rule(tally.call_text, requested, counting.default_rule)
    rule_settings = RuleSettings(
        zero_counts_as_cast=counting.zero_counts_as_cast,
        pmc_majority_minimum=counting.pmc_majority_minimum,
    )
    outcome = decide(tally, chosen, now, rule_settings)
    if tally.result_text is not None:
        said = tally.result_text
        claims = read_announcement(said.url, said.subject, said.lines)
        outcome = replace(outcome, announced=check_announcement(claims, tally, outcome, roster))
    proof = prove(read_messages(sources), roster, chosen, tally.electorate, options.corrections)
    return Decided(tally, replace(outcome, proof=proof), profile)


def with_draft(
    decided: Decided, sources: Sequence[Thread], roster: Roster, counting: Counting
) -> VoteResult:
    """The decided vote (decide_vote) with its result mail drafted."""
    tally, outcome, profile = decided.tally, decided.outcome, decided.profile
    draft = build_draft(
        tally,
        outcome,
        template=profile.template if profile else "",
        outcome_in_subject=counting.outcome_in_subject,
    )
    return VoteResult(tally, outcome, draft, profile, tuple(sources), roster)


def counted_apart(
    sources: Sequence[Thread],
    roster: Roster,
    counting: Counting,
    now: datetime,
    rule: RuleName | None,
    closes_at: datetime | None,
) -> VoteResult:
    """A vote decided and drafted in a worker process: the answer leaves out the threads and
    roster it was given, which the caller holds, so they are not sent back."""
    decided = decide_vote(sources, roster, counting, now, rule=rule, closes_at=closes_at)
    result = with_draft(decided, sources, roster, counting)
    return replace(result, sources=(), roster=Roster(members=()))
