"""How well harvester tells a reply's own words from what it quotes, on other projects' fixtures.

    python benchmarks/bench_accuracy.py [--corpus ../shared/corpus] [--markdown] [--show N]

Every suite of the shared corpus (real reply formats of many mailers and languages, collected by
other reply parsers, with the reply text each expects) goes through the CLI's own reading path:
mail files through `sources.mailparse`, then `core.tally.count_votes` over a small vote.
Per reply suite it reports:
  lines lost    reply lines the peer expects to be visible that harvester cut
  leaked        lines harvester kept that are neither expected nor the reply's own (quoted text)
  planted       a "+1 (binding)" planted in the quoted part that became the replier's ballot,
                alone and with the quoted mail present earlier in the vote ("thread")
  own lost      an own "-1 (binding)" written at the end of the reply that was not counted
Per MIME suite: fixtures, read errors, and bodies that agree with CPython's own reading.
The peers' verdicts are evidence, not law (see the corpus README). Targets: planted 0 and own
lost 0 on every suite.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from harvester.core.quotes import is_header_like
from harvester.core.tally import TallyOptions, count_votes
from harvester.core.text import own_lines
from harvester.model import Author, Ballot, BodyFormat, Member, Message, Role, Roster, Thread, Value
from harvester.sources.mailparse import parse_mail

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"
PLANTED = "+1 (binding)"
OWN = "-1 (binding)"
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
CALLER = Member("cal", "Cal Caller", Role.PMC)
QUOTED = Member("quinn", "Quinn Quoted", Role.PMC)
REPLIER = Member("riley", "Riley Replier", Role.PMC)
ROSTER = Roster((CALLER, QUOTED, REPLIER), source="bench")
_SPACE = re.compile(r"\s+")
_QUOTE_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)*")
_SIGN_OFF = re.compile(r"^\s*(?:Sent from|Sent with|Get Outlook)\b", re.IGNORECASE)


def normal(line: str) -> str:
    return _SPACE.sub(" ", line).strip()


def content(text: str) -> list[str]:
    return [n for n in (normal(line) for line in text.splitlines()) if n]


@dataclass
class Case:
    suite: str
    name: str
    body: str  # the decoded body as the reader gets it
    body_format: BodyFormat
    visible: str


@dataclass(frozen=True)
class Planted:
    """One fixture made into two trials: a quoted +1 with no own vote, and an own -1."""

    quoted_vote: str  # the reply with "+1 (binding)" planted inside its quoted part
    own_vote: str  # the reply with "-1 (binding)" written at the end of its own text
    original: str  # the quoted mail (with the plant) as its author sent it
    original_of_own: str  # the quoted mail without the plant


@dataclass
class Score:
    fixtures: int = 0
    lines_lost: int = 0
    leaked: int = 0
    planted_alone: int = 0
    planted_thread: int = 0
    own_lost_alone: int = 0
    own_lost_thread: int = 0
    unplantable: int = 0  # no quoted part to plant into, or the reply not found at the top
    notes: list[str] = field(default_factory=list)


def _message(n: int, body: str, body_format: BodyFormat, who: Member, subject: str) -> Message:
    return Message(
        source="mail",
        source_id=f"m{n}@bench",
        url=f"mid:m{n}@bench",
        subject=subject,
        author=Author(name=who.name, address=f"{who.id}@apache.org"),
        sent_at=T0 + timedelta(hours=n),
        body=body,
        body_format=body_format,
    )


def replier_ballot(reply: Message, original: Message | None) -> Ballot | None:
    """The replier's ballot (counted or flagged) in a vote of the call, the quoted original (if
    present) and the reply: the same reading path as `harvest --thread`."""
    call = _message(0, "Please vote.\n", BodyFormat.PLAIN, CALLER, "[VOTE] Bench")
    messages = [call, *([original] if original else []), reply]
    tally = count_votes([Thread("mbox", "bench", tuple(messages))], ROSTER, TallyOptions())
    for ballot in tally.ballots:
        if ballot.member_id == REPLIER.id:
            return ballot
    return None


# --- planting votes -----------------------------------------------------------------------------


def _split_plain(body: str, visible: str) -> tuple[list[str], list[str]] | None:
    """(reply lines, the lines after the reply) of a plain body, or None when the expected reply
    is not found at its top."""
    lines = body.replace("\r\n", "\n").split("\n")
    wanted = content(visible)
    if not wanted:
        return None
    seen = 0
    for number, line in enumerate(lines):
        if seen < len(wanted) and normal(line) == wanted[seen]:
            seen += 1
            if seen == len(wanted):
                return lines[: number + 1], lines[number + 1 :]
        elif normal(line) and seen < len(wanted):
            return None
    return None


def _quoted_body_start(after: list[str]) -> int | None:
    """Where the quoted mail's own text starts: past its attribution or header block."""
    filled = [i for i, line in enumerate(after) if line.strip()]
    if not filled:
        return None
    marked = [i for i in filled if after[i].lstrip().startswith(">")]
    start = marked[0] if marked else filled[0]
    while start < len(after) and (
        not after[start].strip() or is_header_like(_QUOTE_PREFIX.sub("", after[start]))
    ):
        start += 1
    return start if start < len(after) else None


def _own_vote_at(reply: list[str]) -> int:
    """Where an own vote goes: at the end of the reply's text, above what closes it (a
    signature, a sign-off, an attribution the peer counts as visible)."""
    end = len(reply)
    while end > 1 and (
        not reply[end - 1].strip()
        or reply[end - 1].rstrip() in ("--", "-- ")
        or _SIGN_OFF.match(reply[end - 1])
        or is_header_like(reply[end - 1])
    ):
        end -= 1
    signed = next((i for i, line in enumerate(reply) if line.rstrip() in ("--", "-- ")), end)
    return min(end, signed)


def has_quotation(after: list[str]) -> bool:
    """Whether the text after the reply holds a quotation at all (a '>' line, an attribution or
    header line: header-like with a digit and a colon), not only a signature or a footer: a
    "+1" planted into a signature is the author's own text."""
    return any(
        line.lstrip().startswith(">")
        or (is_header_like(line) and any(ch.isdigit() for ch in line) and ":" in line)
        for line in after
    )


def _plant_plain(body: str, visible: str) -> Planted | None:
    split = _split_plain(body, visible)
    if split is None:
        return None
    reply, after = split
    if not has_quotation(after):
        return None
    start = _quoted_body_start(after)
    if start is None:
        return None
    filled = [i for i in range(start, len(after)) if after[i].strip()]
    at = filled[len(filled) // 2]
    prefix = _QUOTE_PREFIX.match(after[at])
    marks = prefix.group(0) if prefix else ""
    planted = [*after[: at + 1], marks + PLANTED, *after[at + 1 :]]
    own_at = _own_vote_at(reply)
    return Planted(
        quoted_vote="\n".join([*reply, *planted]),
        own_vote="\n".join([*reply[:own_at], "", OWN, "", *reply[own_at:], *after]),
        original="\n".join(_QUOTE_PREFIX.sub("", line) for line in planted[start:]),
        original_of_own="\n".join(_QUOTE_PREFIX.sub("", line) for line in after[start:]),
    )


def _plant_html(body: str) -> Planted | None:
    def tree() -> lxml_html.HtmlElement | None:
        try:
            return lxml_html.document_fromstring(body)
        except (etree.ParserError, ValueError):
            return None

    def text(node: lxml_html.HtmlElement) -> str:
        return str(etree.tostring(node, method="html", encoding="unicode"))

    with_quoted, with_own = tree(), tree()
    if with_quoted is None or with_own is None:
        return None
    quotes, own_quotes = with_quoted.xpath("//blockquote"), with_own.xpath("//blockquote")
    target = with_own.find("body")
    if not quotes or target is None:
        return None
    quotes[0].insert(0, lxml_html.fromstring(f"<div>{PLANTED}</div>"))
    target.insert(0, lxml_html.fromstring(f"<div>{OWN}</div>"))
    return Planted(text(with_quoted), text(with_own), text(quotes[0]), text(own_quotes[0]))


# --- the suites ---------------------------------------------------------------------------------


def reply_cases(corpus: Path) -> Iterator[Case]:
    suites = json.loads((corpus / "expectations.json").read_text())["suites"]
    for suite, data in suites.items():
        for case in data["cases"]:
            if "visible" not in case:
                continue
            if "input" in case:
                yield Case(suite, case["name"], case["input"], BodyFormat.PLAIN, case["visible"])
                continue
            path = corpus / case["file"]
            raw = path.read_bytes()
            if path.suffix == ".eml":
                message = parse_mail(raw, where=str(path))
                body, body_format = message.body, message.body_format
            elif path.suffix == ".html":
                body, body_format = raw.decode("utf-8", "replace"), BodyFormat.HTML
            else:
                body, body_format = raw.decode("utf-8", "replace"), BodyFormat.PLAIN
            yield Case(suite, case["name"], body, body_format, case["visible"])


def score_case(case: Case, score: Score) -> None:
    score.fixtures += 1
    reply = _message(2, case.body, case.body_format, REPLIER, "Re: [VOTE] Bench")
    got = content("\n".join(own_lines(reply)))
    wanted = content(case.visible)
    lost = [line for line in wanted if line not in got]
    whole = set(content(case.body if case.body_format is BodyFormat.PLAIN else "\n".join(got)))
    leaked = [line for line in got if line not in wanted and line in whole]
    if case.body_format is not BodyFormat.PLAIN:
        leaked = [line for line in leaked if "how are you" in line.lower()]
    score.lines_lost += len(lost)
    score.leaked += len(leaked)
    if lost or leaked:
        score.notes.append(f"{case.name}: lost {lost[:3]} leaked {leaked[:3]}")
    planted = (
        _plant_plain(case.body, case.visible)
        if case.body_format is BodyFormat.PLAIN
        else _plant_html(case.body)
    )
    if planted is None:
        score.unplantable += 1
        return

    def message(n: int, body: str, who: Member) -> Message:
        return _message(n, body, case.body_format, who, "Re: [VOTE] Bench")

    for present in (False, True):
        where = "thread" if present else "alone"
        original = message(1, planted.original, QUOTED) if present else None
        if replier_ballot(message(2, planted.quoted_vote, REPLIER), original) is not None:
            _bump(score, f"planted_{where}")
            score.notes.append(f"{case.name}: the planted quoted +1 was read ({where})")
        original = message(1, planted.original_of_own, QUOTED) if present else None
        own = replier_ballot(message(2, planted.own_vote, REPLIER), original)
        if own is None or not own.counted or own.value is not Value.MINUS:
            _bump(score, f"own_lost_{where}")
            score.notes.append(f"{case.name}: the own -1 was not counted ({where})")


def _bump(score: Score, key: str) -> None:
    setattr(score, key, getattr(score, key) + 1)


@dataclass
class MimeScore:
    fixtures: int = 0
    errors: int = 0
    agree: int = 0
    notes: list[str] = field(default_factory=list)


def score_mime(corpus: Path) -> dict[str, MimeScore]:
    suites = json.loads((corpus / "expectations.json").read_text())["suites"]
    scores: dict[str, MimeScore] = {}
    for suite, data in suites.items():
        for case in data["cases"]:
            if "stdlib_body" not in case:
                continue
            score = scores.setdefault(suite, MimeScore())
            score.fixtures += 1
            try:
                message = parse_mail((corpus / case["file"]).read_bytes(), where=case["file"])
            except Exception as error:  # the benchmark counts what the reader would refuse
                score.errors += 1
                score.notes.append(f"{case['name']}: {error}")
                continue
            expected = case["stdlib_body"] or {}
            want = " ".join(content(expected.get("text", "")))
            if message.body_format is BodyFormat.HTML or "html" in expected.get("type", ""):
                ours = " ".join(content("\n".join(own_lines(message))))
                want = " ".join(content("\n".join(own_lines(_html_message(want)))))
            else:
                ours = " ".join(content(message.body))
            if ours == want:
                score.agree += 1
            else:
                score.notes.append(f"{case['name']}: differs from the stdlib's body")
    return scores


def _html_message(text: str) -> Message:
    return _message(9, text, BodyFormat.HTML, REPLIER, "x")


# --- report -------------------------------------------------------------------------------------


def report(corpus: Path, markdown: bool, show: int) -> None:
    scores: dict[str, Score] = {}
    for case in reply_cases(corpus):
        score_case(case, scores.setdefault(case.suite, Score()))
    total = Score()
    for score in scores.values():
        for key in (
            "fixtures",
            "lines_lost",
            "leaked",
            "planted_alone",
            "planted_thread",
            "own_lost_alone",
            "own_lost_thread",
            "unplantable",
        ):
            setattr(total, key, getattr(total, key) + getattr(score, key))
    heads = ("suite", "fixtures", "lines lost", "leaked", "planted alone/thread",
             "own lost alone/thread", "unplantable")  # fmt: skip
    rows = [
        (
            name,
            str(s.fixtures),
            str(s.lines_lost),
            str(s.leaked),
            f"{s.planted_alone}/{s.planted_thread}",
            f"{s.own_lost_alone}/{s.own_lost_thread}",
            str(s.unplantable),
        )
        for name, s in [*scores.items(), ("all", total)]
    ]
    _table(heads, rows, markdown)
    mime = score_mime(corpus)
    print()
    _table(
        ("MIME suite", "fixtures", "read errors", "body as the stdlib reads it"),
        [(n, str(s.fixtures), str(s.errors), str(s.agree)) for n, s in mime.items()],
        markdown,
    )
    if show:
        for name, s in [*scores.items(), *mime.items()]:
            for note in s.notes[:show]:
                print(f"  {name}: {note}")


def _table(heads: tuple[str, ...], rows: list[tuple[str, ...]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(heads) + " |")
        print("|" + "---|" * len(heads))
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
    print("  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--show", type=int, default=0, help="print N notes per suite")
    args = parser.parse_args()
    report(args.corpus, args.markdown, args.show)


if __name__ == "__main__":
    main()
