"""Write a deterministic, realistic mboxrd file of N list mails, as Pony Mail exports them.

    python benchmarks/generate_mbox.py --messages 50000 --out benchmarks/out/bench.mbox --seed 1

What the mails look like (chosen by a seeded random.Random: the same seed gives the same file):
- a few threads run at once and interleave in date order; subjects are [VOTE], [DISCUSS],
  [RESULT][VOTE] or ordinary, replies are "Re: ..." with In-Reply-To and (folded) References;
- the mailer of each author decides the shape of the body: Gmail multipart/alternative
  (text/plain + text/html with a gmail_quote blockquote) or plain, Apple Mail quoted-printable,
  Thunderbird format=flowed, Outlook HTML-only or top-posted, Pony Mail composer plain text;
- Chinese authors often send base64 UTF-8 bodies; non-ASCII names and subjects are RFC 2047
  encoded words (Q and B); Message-ID is sometimes folded onto its own line;
- replies quote their parent under a Gmail/Thunderbird/Apple/Pony Mail/Chinese attribution
  (Gmail's is sometimes wrapped before "wrote:"), with "> " lines; signatures and ASF footers;
- sizes: about 3 KB a message on average, about 1 % of them 20-50 KB (change logs, stack traces);
- body lines starting with "From " are written as ">From " (and ">From " as ">>From "): mboxrd.

Messages are written one at a time; only the open threads are kept in memory.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import html
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import BinaryIO

PROJECTS = ("tvm", "arrow", "flink", "iceberg", "pulsar", "superset", "beam", "kafka")
OPEN_THREADS = 6  # threads that interleave at any time
BIG_SHARE = 0.012  # messages carrying a 20-50 KB change log, stack trace or build log
QUOTE_LINES = 40  # replies quote at most this many lines of their parent
_FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)
_QP_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!*+-/")

FIRST_NAMES = (
    "Hannah", "Tom", "Priya", "Wei", "Olga", "Kenji", "Maria", "David", "Aisha", "Lars",
    "Sofia", "Rahul", "Emma", "Jin", "Carlos", "Fatima", "Noah", "Yuki", "Ivan", "Chloe",
)  # fmt: skip
LAST_NAMES = (
    "Morgan", "Becker", "Iyer", "Nakamura", "Kowalski", "Silva", "Okafor", "Jensen", "Rossi",
    "Novak", "Fischer", "Tanaka", "Hughes", "Park", "Dubois", "Khan", "Lindqvist", "Moreau",
)  # fmt: skip
ACCENTED_NAMES = (
    "José García", "Zoë Müller", "Łukasz Wiśniewski", "Søren Ødegård", "François Lefèvre",
    "Jürgen Groß", "Tomás Quintero", "Ana Núñez", "Björn Åström", "Çağla Yılmaz",
)  # fmt: skip
CHINESE_NAMES = (
    ("张伟", "zhangwei"), ("李娜", "lina"), ("王芳", "wangfang"), ("刘洋", "liuyang"),
    ("陈静", "chenjing"), ("杨磊", "yanglei"), ("赵敏", "zhaomin"), ("黄涛", "huangtao"),
)  # fmt: skip
MAILERS = ("gmail", "gmail", "gmail", "gmail", "apple", "thunderbird", "outlook", "ponymail")
DOMAINS = ("apache.org", "apache.org", "gmail.com", "gmail.com", "example.com", "corp.example")

SENTENCES = (
    "I think this is a reasonable step for the project.",
    "Thanks for driving this, it has been a long time coming.",
    "The CI has been flaky on the ARM runners again this week.",
    "Could we add a short note about the migration path to the release notes?",
    "I am not sure the new default is backwards compatible for existing users.",
    "Let's keep the discussion on the list so that everyone can follow it.",
    "The benchmark numbers look good, about 12% faster on the large models.",
    "We should document the behaviour change in the upgrade guide.",
    "I ran the integration tests locally and everything passed.",
    "Is there a JIRA ticket tracking this work?",
    "This touches the public API, so I'd like a second pair of eyes on it.",
    "I'd prefer to wait for the next minor release before merging this.",
    "The proposal looks sound to me, but the timeline seems tight.   ",
    "Happy to help review the pull request once it is ready.",
    "We discussed this in the community sync last Tuesday, notes are on the wiki.",
    "My main concern is the extra maintenance burden on the committers.",
    "Não sei se isso é necessário agora, mas é uma boa ideia. ",
    "Das ist eine gute Idee, aber wir brauchen mehr Tests für die Änderung.",
    "The third-party license for the bundled font is Apache-compatible (OFL 1.1).",
    "Please see the design document linked above for the details of the format.",
    "From the release notes it is not clear whether the old flag still works.",
    "From my side this looks good to go.",
    "I have pushed a fix to the branch; the build is green now.",
    "Does anyone object to cutting the branch on Friday?",
    "We may need a vote for this since it changes the governance docs.",
    "The nightly wheels for Python 3.12 are still missing on macOS.",
    "Let me know if I can help with the release process — I did the last two.",
    "The KEYS file was updated with my new signing key yesterday.",
)  # fmt: skip
CHINESE_SENTENCES = (
    "我检查了签名和校验和，没有问题。",
    "在 Ubuntu 22.04 上从源码编译成功，单元测试全部通过。",
    "感谢发起这个讨论，我觉得这个方向是对的。",
    "文档里的升级指南需要再补充一些细节。",
    "我们团队在生产环境中已经使用了这个版本两周，运行稳定。",
    "LICENSE 和 NOTICE 文件看起来都是正确的。",
    "建议在发布说明中提一下这个不兼容的改动。",
    "这个提案我支持，但是时间安排有点紧张。",
)
CHECKS = (
    "Verified signatures and checksums",
    "Built from source with JDK 17 on Ubuntu 22.04",
    "Ran the unit tests, all passed",
    "Checked LICENSE and NOTICE files",
    "No unexpected binary files in the source release",
    "Ran the quick-start example against a local cluster",
    "Verified the Python wheels install on macOS arm64",
)
VOTE_REPLIES = (
    "+1 (binding)",
    "+1 (non-binding)",
    "+1",
    "+1 from me",
    "+1 (binding)\n\nThanks for managing the release!",
    "+0",
    "-1 (binding)\n\nThe source tarball contains a compiled jar under lib/, which we cannot ship.",
    "-1 (non-binding), the build fails on Windows: see the log below.",
    "Hi,\n\n+1 (non-binding)",
    "Changing my vote to +1 now that the NOTICE file is fixed.",
    "Question before I vote: is the Python package built from the same commit?",
    "[X] +1 approve",
)

TZS = (0, -8, -5, 1, 2, 5.5, 8, 9)
ASF_FOOTER = (
    "---------------------------------------------------------------------\n"
    "To unsubscribe, e-mail: dev-unsubscribe@{project}.apache.org\n"
    "For additional commands, e-mail: dev-help@{project}.apache.org\n"
)


@dataclass(frozen=True)
class Person:
    name: str
    address: str
    mailer: str
    tz: timezone
    chinese: bool = False


@dataclass(frozen=True)
class Post:
    msgid: str
    author: Person
    date: datetime
    text: str  # the text/plain body as sent, quotes and footer included
    references: tuple[str, ...]


@dataclass
class Thread:
    kind: str  # "vote", "discuss", "result", "plain"
    subject: str
    remaining: int
    posts: list[Post] = field(default_factory=list)


@dataclass(frozen=True)
class Body:
    """A MIME body: the lines of header fields it needs plus the encoded payload."""

    headers: tuple[str, ...]
    payload: str


# --- people and identifiers ---------------------------------------------------------------------


def make_people(rng: random.Random, count: int = 90) -> list[Person]:
    people = [_person(rng, _person_name(rng, i)) for i in range(count)]
    people += [_chinese_person(rng, name, user) for name, user in CHINESE_NAMES]
    return people


def _person_name(rng: random.Random, index: int) -> str:
    if index % 7 == 3:
        return ACCENTED_NAMES[index % len(ACCENTED_NAMES)]
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _ascii_user(name: str) -> str:
    plain = name.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]+", ".", plain).strip(".") or "user"


def _person(rng: random.Random, name: str) -> Person:
    address = f"{_ascii_user(name)}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"
    hours = rng.choice(TZS)
    return Person(name, address, rng.choice(MAILERS), timezone(timedelta(hours=hours)))


def _chinese_person(rng: random.Random, name: str, user: str) -> Person:
    mailer = rng.choice(("gmail", "gmail", "apple", "outlook"))
    address = f"{user}@{rng.choice(('apache.org', 'gmail.com', '163.com'))}"
    return Person(name, address, mailer, timezone(timedelta(hours=8)), chinese=True)


def _token(rng: random.Random, length: int) -> str:
    raw = base64.b64encode(rng.randbytes(length)).decode()
    return raw.replace("/", "-")[:length]


def message_id(rng: random.Random, person: Person, when: datetime) -> str:
    if person.mailer == "gmail":
        return f"<CA{_token(rng, 44)}@mail.gmail.com>"
    if person.mailer == "apple":
        return f"<{rng.randbytes(16).hex().upper()}@gmail.com>"
    if person.mailer == "outlook":
        return f"<{_token(rng, 60)}@SN6PR11MB{rng.randint(1000, 9999)}.namprd11.prod.outlook.com>"
    if person.mailer == "ponymail":
        return f"<{rng.randbytes(12).hex()}@apache.org>"
    return f"<{rng.randbytes(4).hex()}-{rng.randbytes(8).hex()}@{person.address.split('@')[1]}>"


# --- text ---------------------------------------------------------------------------------------


def prose(rng: random.Random, sentences: int, *, chinese: bool = False) -> str:
    bank = CHINESE_SENTENCES if chinese else SENTENCES
    paragraphs: list[str] = []
    left = sentences
    while left > 0:
        take = min(left, rng.randint(1, 4))
        paragraphs.append(wrap(" ".join(rng.choice(bank) for _ in range(take)), 72))
        left -= take
    return "\n\n".join(paragraphs)


def wrap(text: str, width: int) -> str:
    """Greedy word wrap; trailing spaces of sentences are kept (they become =20 in QP)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return "\n".join(lines)


def big_blob(rng: random.Random, low: int, high: int) -> str:
    """A `low`-`high` byte paste: a release change log, a Java stack trace or a build log."""
    target = rng.randint(low, high)
    kind = rng.choice(("changelog", "trace", "log"))
    lines: list[str] = []
    size = 0
    while size < target:
        line = _blob_line(rng, kind, len(lines))
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


def _blob_line(rng: random.Random, kind: str, index: int) -> str:
    if kind == "changelog":
        verb = rng.choice(("Fix", "Add", "Improve", "Remove", "Upgrade"))
        area = rng.choice(("parser", "scheduler", "Python bindings", "docs", "CI", "codegen"))
        return f"    * [GH-{10000 + index * 7}] - {verb} {area}: {rng.choice(SENTENCES).lower()}"
    if kind == "trace":
        cls = rng.choice(("Executor", "TaskRunner", "RpcClient", "Planner", "BlockStore"))
        return f"\tat org.apache.project.{cls.lower()}.{cls}.run{index % 40}({cls}.java:{index})"
    level = rng.choice(("INFO", "INFO", "INFO", "WARN", "DEBUG"))
    return f"2026-11-{(index % 28) + 1:02d} 12:{index % 60:02d}:07,{index % 1000:03d} {level} " + (
        rng.choice(SENTENCES).strip()
    )


def own_text(rng: random.Random, thread: Thread, author: Person, first: bool) -> str:
    if thread.kind == "vote":
        return _call_for_vote(rng, thread) if first else _vote_reply(rng, author)
    if thread.kind == "result":
        return _result_text(rng)
    return prose(rng, rng.randint(1, 6), chinese=author.chinese and rng.random() < 0.7)


def _call_for_vote(rng: random.Random, thread: Thread) -> str:
    intro = wrap(
        f"Hi all, I'd like to call a vote on {thread.subject.removeprefix('[VOTE] ')}. "
        "The artifacts, signatures and checksums are at the links below.",
        72,
    )
    links = "\n".join(
        f"[{i}] https://dist.apache.org/repos/dist/dev/project/{_token(rng, 12)}" for i in (1, 2, 3)
    )
    menu = "[ ] +1 approve\n[ ] +0 no opinion\n[ ] -1 disapprove (please state why)"
    return (
        f"{intro}\n\n{links}\n\nThe vote will be open for at least 72 hours.\n\n{menu}\n\n"
        f"{prose(rng, 2)}\n\n+1 (binding) from me to start."
    )


def _vote_reply(rng: random.Random, author: Person) -> str:
    if author.chinese and rng.random() < 0.6:
        return "+1 (non-binding)\n\n" + prose(rng, rng.randint(1, 3), chinese=True)
    text = rng.choice(VOTE_REPLIES)
    if rng.random() < 0.5:
        checks = rng.sample(CHECKS, rng.randint(2, 5))
        text += "\n\nI checked:\n" + "\n".join(f"- {check}" for check in checks)
    if rng.random() < 0.3:
        text += "\n\n" + prose(rng, rng.randint(1, 3))
    return text


def _result_text(rng: random.Random) -> str:
    binding = rng.randint(3, 7)
    others = rng.randint(0, 6)
    return (
        f"Hi all,\n\nThe vote passes with {binding + others} +1 votes, {binding} of them binding, "
        "and no -1 votes.\n\nThanks to everyone who voted, I will promote the artifacts shortly."
    )


def signature(rng: random.Random, author: Person, project: str) -> str:
    first = author.name.split(" ")[0]
    roll = rng.random()
    if roll < 0.3:
        return f"-- \n{author.name}\nApache {project.title()} PMC"
    if roll < 0.7:
        return f"Thanks,\n{first}"
    if roll < 0.85:
        return f"Best regards,\n{author.name}"
    return ""


# --- quoting ------------------------------------------------------------------------------------


def attribution(rng: random.Random, replier: Person, parent: Post) -> str:
    when = parent.date.astimezone(replier.tz)
    who = parent.author
    if replier.chinese and rng.random() < 0.7:
        day = f"{when.year}年{when.month}月{when.day}日"
        return f"{who.name} <{who.address}> 于{day} {when:%H:%M}写道："
    if replier.mailer == "thunderbird":
        return f"On {when.month}/{when.day}/{when:%y} {when:%I:%M %p}, {who.name} wrote:"
    if replier.mailer == "ponymail":
        return f'On {when:%Y/%m/%d %H:%M:%S} "{who.name}" wrote:'
    if replier.mailer == "apple":
        day = f"{when:%b} {when.day}, {when.year}"
        return f"> On {day}, at {when:%H:%M}, {who.name} <{who.address}> wrote:"
    line = (
        f"On {when:%a, %b} {when.day}, {when.year} at {when.hour % 12 or 12}:{when:%M %p} "
        f"{who.name} <{who.address}>"
    )
    split = len(line) > 68 or rng.random() < 0.25
    return f"{line}\nwrote:" if split else f"{line} wrote:"


def quote(text: str, *, blank: str = ">") -> str:
    """Prefix every line with "> " (">" for lines already quoted, `blank` for empty ones)."""
    out = []
    for line in text.split("\n"):
        if not line:
            out.append(blank)
        elif line.startswith(">"):
            out.append(">" + line)
        else:
            out.append("> " + line)
    return "\n".join(out)


def quoted_parent(rng: random.Random, replier: Person, parent: Post, max_lines: int) -> str:
    """The parent's text as the reply carries it: whole, or trimmed to its first lines."""
    lines = parent.text.split("\n")
    if rng.random() < 0.6:
        lines = lines[: rng.randint(3, 12)]
    lines = lines[:max_lines]
    return quote("\n".join(lines), blank="> " if replier.mailer == "apple" else ">")


def outlook_block(parent: Post, subject: str, project: str) -> str:
    when = parent.date
    return (
        "________________________________\n"
        f"From: {parent.author.name} <{parent.author.address}>\n"
        f"Sent: {when:%A, %B} {when.day}, {when.year} {when:%I:%M %p}\n"
        f"To: dev@{project}.apache.org <dev@{project}.apache.org>\n"
        f"Subject: {subject}\n\n"
    )


# --- MIME encoding ------------------------------------------------------------------------------


def qp(text: str) -> str:
    """Quoted-printable UTF-8: =XX for non-ASCII, =20 for trailing blanks, soft breaks at 76."""
    return binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii")


def b64(text: str) -> str:
    return base64.encodebytes(text.encode("utf-8")).decode("ascii")


def text_part(text: str, subtype: str, encoding: str, *, flowed: str = "") -> Body:
    ctype = f'Content-Type: text/{subtype}; charset="UTF-8"{flowed}'
    if encoding == "quoted-printable":
        payload = qp(text)
    elif encoding == "base64":
        payload = b64(text)
    else:
        encoding = "7bit" if text.isascii() else "8bit"
        payload = text
    return Body((ctype, f"Content-Transfer-Encoding: {encoding}"), payload)


def flowed(text: str, rng: random.Random) -> Body:
    """format=flowed: long lines broken after a space (soft), quoted lines keep their marks."""
    delsp = rng.random() < 0.3
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(_flow_line(line, delsp))
    param = "; format=flowed" + ("; delsp=yes" if delsp else "")
    return text_part("\n".join(out), "plain", "8bit", flowed=param)


def _flow_line(line: str, delsp: bool) -> list[str]:
    """One fixed line -> flowed lines: quote marks kept, space-stuffed, long text soft-broken."""
    depth = len(line) - len(line.lstrip(">"))
    marks, content = line[:depth], line[depth:]
    if depth:
        content = content.removeprefix(" ")
    if content != "-- ":
        content = content.rstrip(" ")  # a trailing space would mean "flowed"
    if not content:
        return [marks]
    prefix = marks + " " if depth or content.startswith(("From ", " ", ">")) else ""
    if len(content) <= 66:
        return [prefix + content]
    soft = "  " if delsp else " "  # with delsp=yes the reader deletes one space
    chunks: list[str] = []
    current: list[str] = []
    for word in content.split(" "):
        if current and len(" ".join(current)) + 1 + len(word) > 66:
            chunks.append(" ".join(current) + soft)
            current = []
        current.append(word)
    chunks.append(" ".join(current))
    return [prefix + chunk for chunk in chunks]


def to_html(own: str, quote_source: str, attr: str) -> str:
    """Gmail-style HTML: the own text in a dir=ltr div, the parent in a gmail_quote blockquote."""
    html_own = "<br>\n".join(html.escape(line) for line in own.split("\n"))
    out = f'<div dir="ltr">{html_own}</div>'
    if quote_source:
        body = "<br>\n".join(html.escape(line) for line in quote_source.split("\n"))
        out += (
            '<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
            f"{html.escape(attr.replace(chr(10), ' '))}<br></div>"
            '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
            f'border-left:1px solid rgb(204,204,204);padding-left:1ex">{body}</blockquote></div>'
        )
    return out + "\n"


def outlook_html(own: str, top_quote: str) -> str:
    paragraphs = "".join(
        f'<p class="MsoNormal">{html.escape(line) or "&nbsp;"}<o:p></o:p></p>\n'
        for line in own.split("\n")
    )
    head = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "<style>p.MsoNormal{margin:0cm;font-size:11.0pt;font-family:Calibri,sans-serif;}"
        '</style></head><body lang="EN-US"><div class="WordSection1">\n'
    )
    reply = ""
    if top_quote:
        quoted = "<br>\n".join(html.escape(line) for line in top_quote.split("\n"))
        reply = f'<div id="appendonsend"></div><hr><div id="divRplyFwdMsg">{quoted}</div>\n'
    return head + paragraphs + "</div>" + reply + "</body></html>\n"


def multipart(rng: random.Random, parts: Sequence[Body]) -> Body:
    boundary = f"0000000000{rng.randbytes(8).hex()}"
    chunks = [f"--{boundary}\n" + "\n".join(p.headers) + "\n\n" + p.payload for p in parts]
    payload = "\n".join(_ensure_newline(c) for c in chunks) + f"\n--{boundary}--\n"
    return Body((f'Content-Type: multipart/alternative; boundary="{boundary}"',), payload)


def _ensure_newline(chunk: str) -> str:
    return chunk if chunk.endswith("\n") else chunk + "\n"


# --- headers ------------------------------------------------------------------------------------


def encoded_words(text: str, rng: random.Random) -> str:
    """RFC 2047 encoded words (Q or B), each at most 75 characters, folded onto new lines."""
    use_b = rng.random() < 0.4 or not any(c.isascii() for c in text[:4])
    words = list(_b_words(text) if use_b else _q_words(text))
    return "\n ".join(words)


def _q_words(text: str) -> Iterator[str]:
    current = ""
    for char in text:
        piece = "_" if char == " " else "".join(_q_byte(b) for b in char.encode("utf-8"))
        if len(current) + len(piece) > 75 - len("=?UTF-8?Q??="):
            yield f"=?UTF-8?Q?{current}?="
            current = ""
        current += piece
    yield f"=?UTF-8?Q?{current}?="


def _q_byte(byte: int) -> str:
    return chr(byte) if byte in _QP_SAFE else f"={byte:02X}"


def _b_words(text: str) -> Iterator[str]:
    current = ""
    for char in text:
        if len((current + char).encode("utf-8")) > 45:
            yield f"=?UTF-8?B?{base64.b64encode(current.encode()).decode()}?="
            current = ""
        current += char
    yield f"=?UTF-8?B?{base64.b64encode(current.encode()).decode()}?="


def from_header(person: Person, rng: random.Random) -> str:
    if not person.name.isascii():
        return f"From: {encoded_words(person.name, rng)} <{person.address}>"
    if rng.random() < 0.1:
        last, first = person.name.split(" ")[-1], person.name.split(" ")[0]
        return f'From: "{last}, {first}" <{person.address}>'
    return f"From: {person.name} <{person.address}>"


def subject_header(subject: str, rng: random.Random) -> str:
    if not subject.isascii() or rng.random() < 0.05:
        return f"Subject: {encoded_words(subject, rng)}"
    return f"Subject: {subject}"


def references_header(refs: Sequence[str]) -> str:
    return "References: " + "\n ".join(refs)


def transport_headers(rng: random.Random, project: str, number: int, when: datetime) -> list[str]:
    stamp = format_datetime(when.astimezone(UTC))
    return_path = f"dev-return-{number}-archive-asf-public=cust-asf.ponee.io@{project}.apache.org"
    return [
        f"Return-Path: <{return_path}>",
        "Received: from mail.apache.org (mailroute1-lw-us.apache.org [207.244.88.153])\n"
        "\tby mxout1-ec2-va-us.apache.org (ASF Mail Server at mxout1-ec2-va-us.apache.org)"
        f" with SMTP id {rng.randbytes(5).hex().upper()}\n"
        f"\tfor <archive-asf-public@cust-asf.ponee.io>; {stamp}",
        f"Mailing-List: contact dev-help@{project}.apache.org; run by ezmlm",
        "Precedence: bulk",
        f"List-Help: <mailto:dev-help@{project}.apache.org>",
        f"List-Unsubscribe: <mailto:dev-unsubscribe@{project}.apache.org>",
        f"List-Post: <mailto:dev@{project}.apache.org>",
        f"List-Id: <dev.{project}.apache.org>",
        f"Reply-To: dev@{project}.apache.org",
        f"Delivered-To: mailing list dev@{project}.apache.org",
        f"Received: (qmail {rng.randint(1000, 99999)} invoked by uid 99); {stamp}",
        "X-Spam-Status: No, score=-0.2 required=6.31 tests=[DKIM_SIGNED=0.1,\n"
        "\tDKIM_VALID=-0.1, SPF_PASS=-0.001] autolearn=disabled",
    ]


def dkim_header(rng: random.Random, person: Person) -> str:
    domain = person.address.split("@")[1]
    sig = base64.b64encode(rng.randbytes(192)).decode()
    folded = "\n\t ".join(sig[i : i + 70] for i in range(0, len(sig), 70))
    return (
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n\td={domain}; s=20230601; "
        f"t={rng.randint(1_700_000_000, 1_800_000_000)};\n"
        "\th=to:subject:message-id:date:from:in-reply-to:references:mime-version\n"
        f"\t :from:to:cc:subject:date:message-id:reply-to;\n"
        f"\tbh={base64.b64encode(rng.randbytes(32)).decode()};\n\tb={folded}"
    )


# --- one message --------------------------------------------------------------------------------


@dataclass
class Generator:
    rng: random.Random
    project: str
    people: list[Person]
    now: datetime
    number: int = 10_000
    open_threads: list[Thread] = field(default_factory=list)
    releases: int = 0  # release votes so far: each one votes on a version of its own

    def next_message(self) -> bytes:
        while len(self.open_threads) < OPEN_THREADS:
            self.open_threads.append(self._new_thread())
        thread = self.rng.choice(self.open_threads)
        data = self._post(thread)
        thread.remaining -= 1
        if thread.remaining <= 0:
            self.open_threads.remove(thread)
            if thread.kind == "vote" and self.rng.random() < 0.6:
                self.open_threads.append(self._result_thread(thread))
        return data

    def _new_thread(self) -> Thread:
        roll = self.rng.random()
        version = f"{self.rng.randint(0, 4)}.{self.rng.randint(0, 20)}.{self.rng.randint(0, 3)}"
        name = self.project.title()
        if roll < 0.35:
            # A real list never holds two votes of one subject: a version and candidate each.
            rc = self.rng.randint(0, 4)
            self.releases += 1
            n = self.releases
            release = f"{n // 400}.{n // 20 % 20}.{n % 20}"
            subject = f"[VOTE] Release Apache {name} {release} (RC{rc})"
            return Thread("vote", subject, self.rng.randint(4, 16))
        if roll < 0.55:
            topic = self.rng.choice(("the 1.0 roadmap", "dropping Python 3.8", "a new committer"))
            subject = f"[DISCUSS] {topic.capitalize()} for Apache {name} {version}"
            return Thread("discuss", subject, self.rng.randint(2, 12))
        subjects = (
            f"Nightly build failing on {self.rng.choice(('macOS', 'Windows', 'aarch64'))}",
            f"Question about the {self.rng.choice(('scheduler', 'codegen', 'REST'))} API",
            "关于下一个版本的发布计划",
            f"Welcome {self.rng.choice(ACCENTED_NAMES)} as a new committer",
        )
        return Thread("plain", self.rng.choice(subjects), self.rng.randint(1, 8))

    def _result_thread(self, vote: Thread) -> Thread:
        subject = "[RESULT]" + vote.subject
        return Thread("result", subject, 1 + (self.rng.random() < 0.2))

    def _post(self, thread: Thread) -> bytes:
        self.now += timedelta(seconds=self.rng.randint(30, 5400))
        self.number += 1
        author = self.rng.choice(self.people)
        when = self.now.astimezone(author.tz)
        parent = self._parent(thread)
        text, body = self._body(thread, author, parent)
        msgid = message_id(self.rng, author, when)
        refs = (*parent.references, parent.msgid)[-12:] if parent else ()
        thread.posts.append(Post(msgid, author, self.now, text, refs))
        headers = self._headers(thread, author, when, msgid, parent, refs)
        message = "\n".join(headers + list(body.headers)) + "\n\n" + body.payload
        return self._mbox_entry(message, when)

    def _parent(self, thread: Thread) -> Post | None:
        if not thread.posts:
            return None
        if thread.kind == "vote" and self.rng.random() < 0.6:
            return thread.posts[0]
        if self.rng.random() < 0.7:
            return thread.posts[-1]
        return self.rng.choice(thread.posts)

    def _headers(
        self,
        thread: Thread,
        author: Person,
        when: datetime,
        msgid: str,
        parent: Post | None,
        refs: Sequence[str],
    ) -> list[str]:
        headers = transport_headers(self.rng, self.project, self.number, when)
        if author.mailer == "gmail":
            headers.append(dkim_header(self.rng, author))
        subject = f"Re: {thread.subject}" if parent else thread.subject
        fold = "\n " if self.rng.random() < 0.3 else " "
        headers += [
            from_header(author, self.rng),
            f"Date: {format_datetime(when)}",
            f"Message-ID:{fold}{msgid}",
            subject_header(subject, self.rng),
            f"To: dev@{self.project}.apache.org",
        ]
        if parent:
            headers += [f"In-Reply-To: {parent.msgid}", references_header(refs)]
        headers.append("MIME-Version: 1.0")
        return headers

    def _body(self, thread: Thread, author: Person, parent: Post | None) -> tuple[str, Body]:
        """(the text/plain text for later quoting, the MIME body as sent)."""
        own = own_text(self.rng, thread, author, parent is None)
        if self.rng.random() < BIG_SHARE:
            # Gmail and Outlook mostly send the paste twice (text/plain and text/html).
            twice = author.mailer in ("gmail", "outlook")
            low, high = (8_000, 20_000) if twice else (18_000, 45_000)
            own += "\n\n" + big_blob(self.rng, low, high)
        sig = signature(self.rng, author, self.project)
        own_signed = f"{own}\n\n{sig}" if sig else own
        footer = ASF_FOOTER.format(project=self.project) if self.rng.random() < 0.6 else ""
        if author.mailer == "outlook" and parent is not None and self.rng.random() < 0.5:
            return self._outlook_reply(thread, author, parent, own_signed, footer)
        attr, quoted = "", ""
        if parent is not None:
            attr = attribution(self.rng, author, parent)
            quoted = quoted_parent(self.rng, author, parent, max_lines=QUOTE_LINES)
        text = own_signed + (f"\n\n{attr}\n\n{quoted}" if attr else "")
        text = text + ("\n\n" + footer if footer else "\n")
        return text, self._encode(author, text, own_signed, parent, attr)

    def _outlook_reply(
        self, thread: Thread, author: Person, parent: Post, own: str, footer: str
    ) -> tuple[str, Body]:
        original = "\n".join(parent.text.split("\n")[:QUOTE_LINES])
        block = outlook_block(parent, f"Re: {thread.subject}", self.project)
        text = f"{own}\n\n{block}{original}\n" + (f"\n{footer}" if footer else "")
        if self.rng.random() < 0.15:
            return text, text_part(outlook_html(own, block + original), "html", "quoted-printable")
        plain = text_part(text, "plain", "quoted-printable")
        rich = text_part(outlook_html(own, block + original), "html", "quoted-printable")
        return text, multipart(self.rng, (plain, rich))

    def _encode(self, author: Person, text: str, own: str, parent: Post | None, attr: str) -> Body:
        roll = self.rng.random()
        if author.chinese and roll < 0.6:
            return text_part(text, "plain", "base64")
        if author.mailer == "gmail":
            if roll < 0.35:
                return text_part(text, "plain", "7bit" if text.isascii() else "quoted-printable")
            source = "\n".join(parent.text.split("\n")[:QUOTE_LINES]) if parent else ""
            encoding = "7bit" if text.isascii() and roll < 0.8 else "quoted-printable"
            plain = text_part(text, "plain", encoding)
            rich = text_part(to_html(own, source, attr), "html", "quoted-printable")
            return multipart(self.rng, (plain, rich))
        if author.mailer == "apple":
            return text_part(text, "plain", "quoted-printable")
        if author.mailer == "thunderbird":
            return flowed(text, self.rng) if roll < 0.7 else text_part(text, "plain", "7bit")
        if author.mailer == "outlook" and roll < 0.25:
            return text_part(outlook_html(own, ""), "html", "quoted-printable")
        if author.mailer == "outlook":
            plain = text_part(text, "plain", "quoted-printable")
            return multipart(self.rng, (plain, text_part(outlook_html(own, ""), "html", "7bit")))
        return text_part(text, "plain", "8bit")

    def _mbox_entry(self, message: str, when: datetime) -> bytes:
        data = _FROM_LINE.sub(rb">\1", message.encode("utf-8"))
        utc = when.astimezone(UTC)
        envelope = (
            f"From dev-return-{self.number}-archive-asf-public=cust-asf.ponee.io@"
            f"{self.project}.apache.org  {utc:%a %b} {utc.day:2d} {utc:%H:%M:%S %Y}\n"
        )
        if not data.endswith(b"\n"):
            data += b"\n"
        return envelope.encode("ascii") + data + b"\n"


# --- file ---------------------------------------------------------------------------------------


def write_mbox(stream: BinaryIO, messages: int, seed: int) -> int:
    """Write `messages` mails to `stream`; return the number of bytes written."""
    rng = random.Random(seed)
    project = rng.choice(PROJECTS)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    generator = Generator(rng, project, make_people(rng), start)
    written = 0
    for _ in range(messages):
        written += stream.write(generator.next_message())
    return written


def generate(path: Path, messages: int, seed: int) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb", buffering=1 << 20) as stream:
        size = write_mbox(stream, messages, seed)
    partial.replace(path)
    return size


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=10_000, help="number of mails")
    parser.add_argument("--out", type=Path, required=True, help="the mbox file to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same file)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    size = generate(args.out, args.messages, args.seed)
    print(f"wrote {args.messages} messages, {size / 1e6:.1f} MB, to {args.out}")


if __name__ == "__main__":
    main()
