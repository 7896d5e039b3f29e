"""Vote profiles, the polling schedule and the digest: pure functions of their inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from harvester.app.harvest import tally_vote
from harvester.config import Settings
from harvester.core.digest import OpenVote, build_digest, not_voted
from harvester.core.profiles import choose_profile
from harvester.core.schedule import next_poll
from harvester.model import Electorate, Roster, RuleName, Thread, VoteProfile
from tests.core.factories import ROSTER, T0, call, mail

RELEASE = VoteProfile("release", subject=r"\brelease\b", rule=RuleName.MAJORITY_APPROVAL)
MODULE = VoteProfile(
    "module", labels=("new-module",), rule=RuleName.PMC_MAJORITY, electorate=Electorate.PMC
)
STRATEGY = VoteProfile("strategy", subject="strategy|process", rule=RuleName.LAZY_TWO_THIRDS)


@pytest.mark.parametrize(
    ("title", "labels", "expected"),
    [
        ("[VOTE] Release Apache TVM v0.15.0.rc0", (), "release"),
        ("Re: [VOTE] RELEASE Apache TVM v0.15.0", (), "release"),
        ("[VOTE] Releasing notes format", (), None),  # a word boundary, not a substring
        ("[VOTE] Add the Relax module", ("New-Module",), "module"),
        ("[VOTE] Clarify the strategy decision process", (), "strategy"),
        ("[VOTE] Something else", ("question",), None),
    ],
)
def test_the_first_matching_profile_by_subject_or_label(
    title: str, labels: tuple[str, ...], expected: str | None
) -> None:
    found = choose_profile(title, labels, [RELEASE, MODULE, STRATEGY])
    assert (found.name if found else None) == expected


def settings_with_profiles() -> Settings:
    return Settings.model_validate(
        {
            "vote": {
                "default_rule": "lazy-consensus",
                "profiles": [
                    {
                        "name": "release",
                        "subject": "release",
                        "rule": "majority-approval",
                        "electorate": "committers",
                        "min_hours": 24,
                    },
                ],
            }
        }
    )


def release_thread(body: str) -> Thread:
    return Thread(
        "mbox",
        "vote.mbox",
        (
            replace(call(body), subject="[VOTE] Release v1.0"),
            mail(1, "+1", subject="Re: [VOTE] Release v1.0"),
        ),
        title="[VOTE] Release v1.0",
    )


def test_a_profile_sets_rule_electorate_and_minimum_duration() -> None:
    result = tally_vote([release_thread("Please vote.\n")], ROSTER, Settings(), T0)
    assert result.profile is None
    assert result.outcome.rule is RuleName.LAZY_TWO_THIRDS
    profiled = tally_vote([release_thread("Please vote.\n")], ROSTER, settings_with_profiles(), T0)
    assert profiled.profile is not None
    assert profiled.profile.name == "release"
    assert profiled.outcome.rule is RuleName.MAJORITY_APPROVAL
    assert profiled.tally.electorate is Electorate.COMMITTERS
    assert profiled.tally.window.earliest_close == profiled.tally.window.opened_at + timedelta(
        hours=24
    )


def test_the_call_text_and_the_flag_beat_the_profile() -> None:
    named = release_thread("This vote follows lazy consensus.\n")
    by_call = tally_vote([named], ROSTER, settings_with_profiles(), T0)
    assert by_call.outcome.rule is RuleName.LAZY_CONSENSUS
    flagged = tally_vote(
        [release_thread("Please vote.\n")],
        ROSTER,
        settings_with_profiles(),
        T0,
        rule=RuleName.CONSENSUS_APPROVAL,
    )
    assert flagged.outcome.rule is RuleName.CONSENSUS_APPROVAL


EVERY, FLOOR = timedelta(minutes=30), timedelta(minutes=2)


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (None, EVERY),  # no deadline known: the base interval
        (timedelta(days=3), EVERY),
        (timedelta(hours=1), timedelta(minutes=15)),  # a quarter of the time left
        (timedelta(minutes=6), FLOOR),  # never more often than the floor …
        (timedelta(minutes=1), timedelta(minutes=1)),  # … but never past the deadline
    ],
)
def test_polls_come_closer_as_the_deadline_nears(
    left: timedelta | None, expected: timedelta
) -> None:
    closes_at = T0 + left if left is not None else None
    assert next_poll(T0, closes_at, every=EVERY, floor=FLOOR, jitter=1.0) == T0 + expected


def test_jitter_scales_the_interval() -> None:
    early = next_poll(T0, None, every=EVERY, floor=FLOOR, jitter=0.8)
    late = next_poll(T0, None, every=EVERY, floor=FLOOR, jitter=1.2)
    assert (early - T0, late - T0) == (timedelta(minutes=24), timedelta(minutes=36))


def test_the_digest_lists_counts_closing_soon_and_who_has_not_voted() -> None:
    thread = Thread("mbox", "v.mbox", (call(), mail(1, "+1 (binding)")), title="[VOTE] Adopt")
    result = tally_vote([thread], ROSTER, Settings(), T0 + timedelta(hours=2))
    closes = T0 + timedelta(hours=20)
    draft = build_digest(
        [OpenVote(7, result.tally, result.outcome, closes)], ROSTER, T0 + timedelta(hours=2)
    )
    missing = not_voted(result.tally, ROSTER)
    voted = {b.member_id for b in result.tally.ballots}
    assert missing
    assert not voted & {m.id for m in ROSTER.members if m.name in missing}
    assert draft.subject == "[DIGEST] 1 open vote(s)"
    assert "#7 [VOTE] Adopt" in draft.body
    assert "(closing soon)" in draft.body
    assert f"not voted yet ({len(missing)}): {', '.join(missing)}" in draft.body


def test_each_vote_of_a_digest_names_non_voters_from_its_own_projects_roster() -> None:
    thread = Thread("mbox", "v.mbox", (call(),), title="[VOTE] Adopt")
    result = tally_vote([thread], ROSTER, Settings(), T0 + timedelta(hours=2))
    renamed = Roster(tuple(replace(m, name=f"{m.name} (arrow)") for m in ROSTER.members))
    entries = [
        OpenVote(7, result.tally, result.outcome, None, project="tvm"),
        OpenVote(8, result.tally, result.outcome, None, renamed, "arrow"),
    ]
    body = build_digest(entries, ROSTER, T0 + timedelta(hours=2)).body
    tvm, arrow = body.split("#8 ")
    assert "#7 [tvm] [VOTE] Adopt" in tvm
    assert "Bo Chen," in tvm
    assert "(arrow)" not in tvm
    assert arrow.startswith("[arrow] [VOTE] Adopt")
    assert "Bo Chen (arrow)" in arrow
