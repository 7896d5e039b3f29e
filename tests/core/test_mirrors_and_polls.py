"""One vote read from several places: a ballot mirrored elsewhere counts once; polls are shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from harvester.core.tally import TallyOptions, count_votes
from harvester.model import (
    Author,
    BodyFormat,
    Message,
    Poll,
    PollOption,
    Roster,
    Thread,
)
from tests.core.factories import ROSTER, T0, call, mail

OPTS = TallyOptions()


def post(n: int, body: str, username: str, name: str = "", *, hours: float = 1.0) -> Message:
    return Message(
        source="discourse",
        source_id=str(n),
        url=f"https://discuss.example.org/t/vote/7/{n}",
        subject="Re: [VOTE] Adopt the plan",
        author=Author(name=name or username, username=username),
        sent_at=T0 + timedelta(hours=hours),
        body=f"<p>{body}</p>",
        body_format=BodyFormat.COOKED,
        thread_url="https://discuss.example.org/t/vote/7",
    )


def comment(n: int, body: str, login: str, *, hours: float = 1.0) -> Message:
    return Message(
        source="github",
        source_id=f"comment-{n}",
        url=f"https://github.com/o/r/issues/1#issuecomment-{n}",
        subject="Re: [VOTE] Adopt the plan",
        author=Author(name=login, username=login),
        sent_at=T0 + timedelta(hours=hours),
        body=body,
        body_format=BodyFormat.MARKDOWN,
        thread_url="https://github.com/o/r/issues/1",
    )


def topic(*messages: Message) -> Thread:
    return Thread("discourse", "https://discuss.example.org/t/vote/7", messages)


def issue(*messages: Message) -> Thread:
    return Thread("github", "https://github.com/o/r/issues/1", messages)


def mails(*messages: Message) -> Thread:
    return Thread("ponymail", "https://lists.example.org/thread/x", (call(), *messages))


def test_github_comment_and_its_notification_mail_count_once_for_an_unknown_voter() -> None:
    notification = mail(
        1,
        "+1\n\n—\nReply to this email directly or view it on GitHub.",
        name="Quinn Roe",
        address="notifications@github.com",
        github_sender="qroe",
        hours=1.1,
    )
    tally = count_votes([mails(notification), issue(comment(5, "+1", "qroe"))], ROSTER, OPTS)
    assert [(b.voter, b.value.value) for b in tally.ballots] == [("qroe", "+1")]
    (ballot,) = tally.ballots
    assert ballot.url.endswith("#issuecomment-5")
    assert ballot.mirrors == (notification.url,)
    assert len(tally.history) == 1


def test_discourse_post_mirrored_to_the_archive_list_counts_once() -> None:
    archived = mail(
        1, "+1 from me", name="Quinn Roe via Example Discuss", address="discuss@x.org", hours=1.2
    )
    tally = count_votes(
        [mails(archived), topic(post(2, "+1 from me", "quinn", "Quinn Roe"))], Roster(()), OPTS
    )
    (quinn,) = tally.ballots
    assert quinn.voter == "Quinn Roe"
    assert quinn.url == "https://discuss.example.org/t/vote/7/2"
    assert quinn.mirrors == (archived.url,)
    assert len(tally.history) == 1


def test_two_people_writing_the_same_line_are_not_mirrors() -> None:
    tally = count_votes(
        [mails(mail(1, "+1", name="Bo Chen", hours=1.1)), topic(post(2, "+1", "ada"))],
        ROSTER,
        OPTS,
    )
    assert {b.voter for b in tally.ballots} == {"Ada Lovegood", "Bo Chen"}
    assert all(not b.mirrors for b in tally.ballots)


def test_a_member_who_votes_in_two_places_days_apart_keeps_both_in_history() -> None:
    tally = count_votes(
        [
            mails(mail(1, "+1", name="Bo Chen", hours=1)),
            issue(comment(9, "-1", "bochen-gh", hours=40)),
        ],
        Roster((*ROSTER.members,)),
        OPTS,
    )
    bo = [b for b in tally.history if b.voter in {"Bo Chen", "bochen-gh"}]
    assert [b.value.value for b in bo] == ["+1", "-1"]


def test_a_changed_vote_in_another_place_is_not_taken_for_a_mirror() -> None:
    first = post(2, "+1", "ada", hours=1)
    second = comment(3, "-1", "adalove", hours=1.5)
    tally = count_votes([mails(), topic(first), issue(second)], ROSTER, OPTS)
    (ada,) = [b for b in tally.ballots if b.member_id == "ada"]
    assert ada.value.value == "-1"
    assert ada.changed
    assert ada.url == second.url


def test_poll_results_are_put_up_for_review_with_public_voters() -> None:
    poll = Poll(
        name="poll",
        status="closed",
        public=True,
        voters=3,
        options=(PollOption("Yes", 2, ("ada", "quinn")), PollOption("No", 1, ("bo",))),
    )
    with_poll = Message(**{**post(2, "Poll below", "ada").__dict__, "polls": (poll,)})
    tally = count_votes([mails(), topic(with_poll)], ROSTER, OPTS)
    reasons = [item.reason for item in tally.review if item.url == with_poll.url]
    assert reasons == [
        "poll 'poll' (closed, 3 voters): Yes 2, No 1 (Yes: ada, quinn; No: bo); "
        "poll votes are not counted as ballots"
    ]
    assert all(b.raw != "Poll below" for b in tally.ballots)


def test_a_bots_repost_of_a_list_mail_is_folded_into_the_mail() -> None:
    direct = mail(1, "+1 (binding)", name="Bo Chen", address="bochen@apache.org")
    repost = replace(
        comment(7, "Bo Chen <bochen@apache.org> wrote:\n\n> +1 (binding)\n", "tvm-archiver"),
        sent_at=direct.sent_at + timedelta(minutes=3),
    )
    opts = TallyOptions(bots=frozenset({"tvm-archiver"}))
    tally = count_votes([mails(direct), issue(repost)], ROSTER, opts)
    (bo,) = [b for b in tally.history if b.member_id == "bochen"]
    assert bo.url == direct.url
    assert bo.mirrors == (repost.url,)
