"""Small builders for core tests: messages, members and rosters with sensible defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from harvester.model import Author, BodyFormat, Member, Message, Role, Roster, Thread

T0 = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)

ADA = Member(
    "ada",
    "Ada Lovegood",
    Role.PMC,
    emails=("ada.l@gmail.com",),
    github=("adalove",),
    discourse=("ada",),
    since=date(2020, 1, 1),
)
BO = Member("bochen", "Bo Chen", Role.PMC, since=date(2021, 5, 1))
CARLA = Member("carla", "Carla Dias", Role.PMC)
DEV = Member("devp", "Dev Patel", Role.COMMITTER, github=("devp",))
ZOE = Member("zoe", "Zoë Lindqvist", Role.PMC)
LATE_JOINER = Member("newbie", "New Bie", Role.PMC, since=date(2026, 6, 1))
GONE = Member("gone", "Gone Away", Role.PMC, until=date(2025, 1, 1))
ROSTER = Roster((ADA, BO, CARLA, DEV, ZOE, LATE_JOINER, GONE), source="test")


def mail(
    n: int,
    body: str,
    *,
    name: str = "",
    address: str = "",
    subject: str = "Re: [VOTE] Adopt the plan",
    hours: float | None = None,
    **author: object,
) -> Message:
    return Message(
        source="mail",
        source_id=f"m{n}@x",
        url=f"mid:m{n}@x",
        subject=subject,
        author=Author(name=name, address=address, **author),  # type: ignore[arg-type]
        sent_at=T0 + timedelta(hours=n if hours is None else hours),
        body=body,
        body_format=BodyFormat.PLAIN,
        in_reply_to="m0@x" if n else "",
        references=("m0@x",) if n else (),
    )


def call(body: str = "Please vote. Open for at least 72 hours.\n", **kw: object) -> Message:
    return mail(
        0,
        body,
        name="Ada Lovegood",
        address="ada@apache.org",
        subject="[VOTE] Adopt the plan",
        **kw,
    )  # type: ignore[arg-type]


def thread(*messages: Message, closed: bool = False) -> Thread:
    return Thread(kind="mbox", url="vote.mbox", messages=messages, closed=closed)
