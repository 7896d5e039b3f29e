from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from harvester.core.tally import TallyOptions, count_votes
from harvester.model import Author, BodyFormat, Electorate, Match, Message, Tally, Value
from tests.core.factories import ROSTER, T0, call, mail, thread

OPTS = TallyOptions(bots=frozenset({"tvm-archiver"}))


def tally(*messages: Message, opts: TallyOptions = OPTS, closed: bool = False) -> Tally:
    return count_votes([thread(*messages, closed=closed)], ROSTER, opts)


def effective(t: Tally) -> dict[str, tuple[str, bool, bool]]:
    return {b.voter: (b.value.value, b.binding, b.late) for b in t.ballots}


def test_callers_own_vote_is_counted() -> None:
    t = tally(call("Please vote, open for at least 72 hours.\n\n+1 (binding) from me\n"))
    assert effective(t) == {"Ada Lovegood": ("+1", True, False)}


def test_open_for_72_hours_is_not_a_cut_off() -> None:
    week_later = mail(24 * 7, "+1", name="Bo Chen", address="bochen@apache.org")
    t = tally(call(), week_later)
    assert t.window.closes_at is None
    assert t.window.earliest_close == T0 + timedelta(hours=72)
    assert effective(t) == {"Bo Chen": ("+1", True, False)}


def test_votes_after_result_are_late() -> None:
    result = mail(50, "The vote passed.\n+1 (binding): Bo", subject="[RESULT][VOTE] Adopt the plan")
    late = mail(60, "-1", name="Carla Dias", address="carla@apache.org")
    t = tally(call(), mail(2, "+1", name="Bo", address="bochen@apache.org"), result, late)
    assert t.window.closes_at == result.sent_at
    assert t.window.closed_by == "result"
    assert effective(t) == {"Bo Chen": ("+1", True, False), "Carla Dias": ("-1", True, True)}
    assert [b.counted for b in t.ballots] == [True, False]
    assert any("after the vote closed" in r.reason for r in t.review)


def test_cancel_closes_and_marks_cancelled() -> None:
    cancel = mail(5, "Cancelling.", subject="[CANCEL][VOTE] Adopt the plan")
    t = tally(call(), cancel, mail(6, "+1", address="bochen@apache.org"))
    assert t.cancelled
    assert t.ballots[0].late


def test_explicit_deadline_and_operator_close() -> None:
    body = "Vote open until 2026-01-06 15:00 UTC.\n"
    before, after = (
        mail(20, "+1", address="bochen@apache.org"),
        mail(30, "+1", address="carla@apache.org"),
    )
    t = tally(call(body), before, after)
    assert [b.late for b in t.ballots] == [False, True]
    operator = replace(
        OPTS, closes_at=T0 + timedelta(hours=10), default_min_duration=timedelta(hours=72)
    )
    t2 = tally(call(body), before, after, opts=operator)
    assert t2.window.closed_by == "operator"
    assert any("before the earliest close" in r.reason for r in t2.review)


def test_vote_changed_then_counted_once() -> None:
    t = tally(
        call(),
        mail(1, "-1 until X is fixed", address="bochen@apache.org"),
        mail(2, "fixed, changing my vote to +1", address="bochen@apache.org"),
    )
    assert effective(t) == {"Bo Chen": ("+1", True, False)}
    assert t.ballots[0].changed
    assert [h.value for h in t.history] == [Value.MINUS, Value.PLUS]


def test_withdrawal_removes_the_ballot() -> None:
    t = tally(
        call(),
        mail(1, "-1", address="bochen@apache.org"),
        mail(2, "I withdraw my -1", address="bochen@apache.org"),
    )
    assert t.ballots == ()
    assert len(t.history) == 1


def test_same_person_from_two_addresses_counted_once() -> None:
    t = tally(
        call(),
        mail(1, "+1", name="Ada L", address="ada.l@gmail.com"),
        mail(2, "+1 (binding)", name="Ada", address="ada@apache.org"),
    )
    assert len(t.ballots) == 1
    assert not t.ballots[0].changed
    assert set(t.ballots[0].usernames) == {"ada.l@gmail.com", "ada@apache.org"}


def test_binding_comes_from_roster_not_claim() -> None:
    t = tally(
        call(),
        mail(1, "+1 (non-binding)", address="carla@apache.org"),
        mail(2, "+1 (binding)", name="Mallory", address="m@example.org"),
        mail(3, "+1 (binding)", address="devp@apache.org"),
    )
    assert effective(t) == {
        "Carla Dias": ("+1", True, False),
        "Mallory": ("+1", False, False),
        "Dev Patel": ("+1", False, False),
    }
    reasons = " | ".join(r.reason for r in t.review)
    assert "wrote (non-binding) but is in the electorate" in reasons
    assert "Mallory: not on the roster" in reasons


def test_committers_electorate_and_membership_dates() -> None:
    msgs = (
        call(),
        mail(1, "+1", address="devp@apache.org"),
        mail(2, "+1", address="newbie@apache.org"),
        mail(3, "+1", address="gone@apache.org"),
    )
    pmc = tally(*msgs)
    committers = tally(*msgs, opts=replace(OPTS, electorate=Electorate.COMMITTERS))
    assert [b.binding for b in pmc.ballots] == [False, False, False]
    assert [b.binding for b in committers.ballots] == [True, False, False]
    assert pmc.electorate_size == 4  # ada, bochen, carla, zoe on the day the vote opened


def test_mixed_ballot_is_shown_not_counted() -> None:
    t = tally(
        call(), mail(1, "+1 for the source, -1 for the binaries", address="bochen@apache.org")
    )
    assert [(b.counted, b.flags) for b in t.ballots] == [(False, ("mixed",))]
    assert any("not counted until a person decides" in r.reason for r in t.review)


def test_bot_repost_credits_the_signer_and_is_not_an_extra_ballot() -> None:
    direct = mail(1, "+1 (binding)", name="Bo Chen", address="bochen@apache.org")
    repost = Message(
        "github",
        "c1",
        "https://github.com/x/y/issues/1#c1",
        "[VOTE] Adopt the plan",
        Author(name="tvm-archiver", username="tvm-archiver"),
        T0 + timedelta(hours=2),
        "Bo Chen <bochen@apache.org> wrote:\n\n> +1 (binding)\n>\n> > -1\n",
        BodyFormat.MARKDOWN,
    )
    t = tally(call(), direct, repost)
    assert effective(t) == {"Bo Chen": ("+1", True, False)}
    assert not t.ballots[0].changed
    only_repost = tally(call(), repost)
    assert [(b.voter, b.match) for b in only_repost.ballots] == [("Bo Chen", Match.BOT_REPOST)]


def test_hidden_posts_are_skipped() -> None:
    hidden = replace(mail(1, "+1", address="bochen@apache.org"), visible=False)
    assert tally(call(), hidden).ballots == ()


def test_discussion_before_the_call_is_ignored() -> None:
    early = mail(1, "+1", address="bochen@apache.org", hours=-5)
    assert tally(call(), early).ballots == ()


def test_thread_closed_without_result_closes_at_last_message() -> None:
    t = tally(call(), mail(3, "+1", address="bochen@apache.org"), closed=True)
    assert t.window.closed_by == "thread-closed"
    assert not t.ballots[0].late


def test_reply_to_the_result_is_read_and_late() -> None:
    result = mail(
        50, "+1 (binding): Bo\n-1 (binding): none", subject="[RESULT][VOTE] Adopt the plan"
    )
    reply = mail(
        51, "-1 (binding)", address="carla@apache.org", subject="Re: [RESULT][VOTE] Adopt the plan"
    )
    t = tally(call(), mail(2, "+1", address="bochen@apache.org"), result, reply)
    assert effective(t) == {"Bo Chen": ("+1", True, False), "Carla Dias": ("-1", True, True)}


def test_closed_topic_closes_at_its_last_post_even_an_invisible_one() -> None:
    close_action = replace(mail(40, "", address="ada@apache.org"), visible=False)
    t = tally(call(), mail(3, "+1", address="bochen@apache.org"), close_action, closed=True)
    assert t.window.closes_at == close_action.sent_at


def test_incomplete_source_is_reported() -> None:
    partial = replace(
        thread(call(), mail(1, "+1", address="bochen@apache.org")), expected_messages=5
    )
    t = count_votes([partial], ROSTER, OPTS)
    assert t.review[0].reason.startswith("holds 2 of the 5 posts the source lists")


def test_what_a_source_could_not_read_is_put_up_for_review() -> None:
    source = replace(
        thread(call(), mail(1, "+1", name="Bo Chen")), warnings=("replies may be missing",)
    )
    result = count_votes([source], ROSTER, OPTS)
    assert ("vote.mbox", "replies may be missing") in [(r.url, r.reason) for r in result.review]


def test_not_voted_is_the_electorate_without_a_counted_ballot() -> None:
    """Ada and Bo voted; Zoë voted after the close (not counted), Carla not at all; Dev is a
    committer (not in a PMC vote's electorate); New Bie joined, Gone Away left, outside the
    vote's days: the PMC members still to vote are Carla and Zoë, in roster order."""
    t = count_votes(
        [
            thread(
                call("+1 (binding)\n\nThe vote is open until 2026-01-06 00:00 UTC."),
                mail(1, "+1", address="bochen@apache.org"),
                mail(2, "+1", address="devp@apache.org"),
                mail(30, "+1", address="zoe@apache.org"),
            )
        ],
        ROSTER,
        TallyOptions(),
    )
    assert [b.member_id for b in t.ballots if b.late] == ["zoe"]
    assert t.not_voted == ("carla", "zoe")
