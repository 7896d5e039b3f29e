"""When a vote may close and when it must: read from the call text, never from a clock."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

from harvester.core.numbers import written_number

_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "five": 5, "seven": 7, "seventy-two": 72}
_MIN_DURATION = re.compile(
    r"\b(?:at\s+least|a\s+minimum\s+of|minimum\s+of|for)\s+"
    r"(?P<n>\d+|one|two|three|five|seven|seventy-two)\s*"
    r"(?:\(\d+\)\s*)?(?P<unit>hours?|hrs?|h|days?)\b",
    re.IGNORECASE,
)
_DEADLINE = re.compile(
    r"\b(?:until|till|closes?|closing|close[sd]|ends?|ending|deadline|through|by)\b[^\n\d]{0,40}?"
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[ T,]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::\d{2})?)?"
    r"\s*(?P<zone>UTC|GMT|Z|[+-]\d{2}:?\d{2}|[A-Z]{2,4}T)?",
    re.IGNORECASE,
)
_ZONE_HOURS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "PST": -8,
    "PDT": -7,
    "EST": -5,
    "EDT": -4,
    "CST": 8,
    "CET": 1,
    "CEST": 2,
    "BST": 1,
    "JST": 9,
    "KST": 9,
    "IST": 5.5,
}


def min_duration(text: str) -> timedelta | None:
    """ "open for at least 72 hours": the earliest close, not a cut-off."""
    found = _MIN_DURATION.search(text)
    if not found:
        return None
    raw = str.lower(found["n"])
    number = written_number(raw) if raw.isdigit() else _WORD_NUMBERS[raw]
    if number is None:
        return None
    hours = number * 24 if str.lower(found["unit"]).startswith("d") else number
    return timedelta(hours=hours) if hours <= LONGEST_VOTE_HOURS else None


LONGEST_VOTE_HOURS = 366 * 24  # a call asking for more names no real minimum: it is not read


def absurd_duration(text: str) -> str | None:
    """The phrase of a minimum duration longer than any vote runs ("at least 99999 hours")."""
    found = _MIN_DURATION.search(text)
    if found is None or min_duration(text) is not None:
        return None
    return found.group(0)


def _zone(raw: str | None) -> timezone | None:
    """The zone a deadline names (UTC when it names none we know); None for an offset no zone
    has (24 hours or more)."""
    if not raw:
        return UTC
    upper = raw.upper()
    if upper in _ZONE_HOURS:
        return timezone(timedelta(hours=_ZONE_HOURS[upper]))
    if upper[0] in "+-" and upper[1:].replace(":", "").isdigit():
        digits = upper[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if offset >= timedelta(hours=24):
            return None
        return timezone(-offset if upper[0] == "-" else offset)
    return UTC


def explicit_deadline(text: str, after: datetime | None = None) -> datetime | None:
    """ "until 2023-08-17 00:00 UTC": a real cut-off. A bare date means the end of that day.
    "Vote will close Jan 27th at 23:59 GMT" (TVM's calls) is read too, its year the first
    that puts the day on or after `after` (the call)."""
    found = _DEADLINE.search(text)
    if found:
        return _iso_deadline(found)
    return _month_day_deadline(text, after) if after is not None else None


def _iso_deadline(found: re.Match[str]) -> datetime | None:
    try:
        day = datetime.strptime(found["date"], "%Y-%m-%d")
    except ValueError:
        return None
    return _at(day, found["hour"], found["minute"], None, found["zone"])


def _at(
    day: datetime, hour: str | None, minute: str | None, half: str | None, zone_name: str | None
) -> datetime | None:
    """The day at the time given (the end of the day without one), in UTC; None when that is
    no time (25:00, an offset no zone has) or past what a datetime holds (9999-12-31)."""
    zone = _zone(zone_name)
    if zone is None:
        return None
    if hour is None:
        h, m, extra = 0, 0, timedelta(days=1)
    else:
        h, m, extra = int(hour), int(minute or 0), timedelta()
    if half and half.upper().startswith("P") and h < 12:
        h += 12
    if half and half.upper() == "AM" and h == 12:
        h = 0
    if h > 23 or m > 59:
        return None
    try:
        return (day.replace(hour=h, minute=m, tzinfo=zone) + extra).astimezone(UTC)
    except OverflowError:
        return None


_MONTHS = {m: n for n, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}  # fmt: skip
_MONTH = r"(?P<month{n}>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY = r"(?P<day{n}>\d{{1,2}})(?:st|nd|rd|th)?"
_MONTH_DEADLINE = re.compile(
    r"\b(?:until|till|close[sd]?|closing|ends?|ending|deadline(?:\s+is)?|through|by)\b[^\n\d]{0,30}?"
    rf"(?:{_MONTH.format(n=1)}\s+{_DAY.format(n=1)}|{_DAY.format(n=2)}\s+(?:of\s+)?"
    rf"{_MONTH.format(n=2)})(?:,?\s+(?P<year>\d{{4}}))?"
    r"(?:,?\s*(?:at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})\s*(?P<half>[AP]\.?M\.?|M)?)?"
    r"\s*(?P<zone>UTC|GMT|Z|[+-]\d{2}:?\d{2}|[A-Z]{2,4}T)?",
    re.IGNORECASE,
)


def _month_day_deadline(text: str, after: datetime) -> datetime | None:
    found = _MONTH_DEADLINE.search(text)
    if found is None:
        return None
    month_name, day_text = found["month1"] or found["month2"], found["day1"] or found["day2"]
    month, day = _MONTHS[str.lower(month_name[:3])], int(day_text)
    years = [int(found["year"])] if found["year"] else [after.year, after.year + 1]
    for year in years:
        try:
            date = datetime(year, month, day)
        except ValueError:
            return None
        half = found["half"] if found["half"] and found["half"].upper() != "M" else None
        moment = _at(date, found["hour"], found["minute"], half, found["zone"])
        if moment is not None and (found["year"] or moment >= after):
            return moment
    return None


# A comment that closes the vote where it was held (TVM closes GitHub votes this way): the
# caller or a member of the electorate says the vote is over. One named row per phrasing.
_VOTE = r"(?:the\s+|this\s+)?(?:vote|voting(?:\s+period)?|ballot)"
# The clause ends where the verb does: "has passed the halfway mark" or "passes if nobody
# objects" say nothing about the vote being over.
_DONE = r"(?=\s*(?:$|[.!,;:(—–-]|with\b|by\b|now\b|unanimously\b|and\b|as\b|at\b))"
CLOSING_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("has-passed", rf"^{_VOTE}\s+(?:has\s+)?(?:now\s+)?(?:passed|failed|passes|fails){_DONE}"),
        (
            "is-closed",
            rf"^{_VOTE}\s+(?:is|has)\s+(?:now\s+)?(?:closed|over|ended|concluded){_DONE}",
        ),
        ("has-concluded", rf"^{_VOTE}\s+(?:has\s+)?(?:now\s+)?(?:concluded|ended|closed){_DONE}"),
        ("closing-it", rf"^(?:I\s+am|I['’]m|I\s+will\s+be|we\s+are|hereby)\s+closing\s+{_VOTE}\b"),
        ("closing-the-vote", rf"^closing\s+{_VOTE}{_DONE}"),
        # TVM's release managers: "Closed & final result showed …", "Closed and result in …".
        ("closed-result", r"^closed\s*(?:&|and|,)\s*(?:the\s+)?(?:final\s+)?results?\b"),
        # "Thank you all for voting! The result will be showed on …", "Thanks for all who voted"
        (
            "thanks-for-voting",
            r"^(?:thanks?|thank\s+you)\b[^.!?\n]{0,40}?\b(?:for\s+(?:voting|your\s+votes?)|who\s+voted)"
            r"\b(?!\s+so\s+far)",
        ),
        (
            "result-published",
            r"^(?:the\s+)?(?:final\s+)?results?\s+(?:is|are|will\s+be|has\s+been|have\s+been)\s+"
            r"(?:posted|published|showed|shown|showd|announced|sent)\b",
        ),
        (
            "result",
            r"^(?:the\s+)?(?:final\s+(?:vote\s+)?results?|vote\s+results?|results?\s+of\s+the"
            r"\s+vote)\b\s*(?:(?:is|are)\s*)?:",
        ),
    )
)
# What may come before the closing words: thanks, a greeting, or the count that decided it
# ("With 3 binding +1s and no -1, the vote passes").
_CLOSING_LEAD = re.compile(
    r"^\s*(?:(?:thanks?|thank\s+you)[^.!,\n]{0,60}[.!,]\s*|hi\s+all[,.!]?\s*|"
    r"with\s[^,\n]{1,80},\s*|so\s*,?\s*)*",
    re.IGNORECASE,
)


def closing_line(lines: Sequence[str]) -> str | None:
    """The line of a message's own text that says the vote is over, if any."""
    for line in lines:
        if "vot" not in str.lower(line) and "result" not in str.lower(line):
            continue
        lead = _CLOSING_LEAD.match(line)
        rest = line[lead.end() :] if lead else line
        if any(pattern.match(rest) for _, pattern in CLOSING_PHRASES):
            return line.strip()
    return None


# The caller calling the vote again in the same thread (a new release candidate): a new round.
RECALL_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        (
            "restart",
            r"\b(?:re-?start|re-?call|re-?open|re-?run)(?:s|ed|ing)?\s+(?:the\s+|this\s+)?vot",
        ),
        (
            "new-round",
            r"\b(?:start|call|open)(?:s|ed|ing)?\s+(?:for\s+)?a\s+new\s+(?:vote|round)\b",
        ),
        ("new-candidate", r"^\s*\[VOTE\].*\brc\s*\d+"),
    )
)
_CARRY_OVER = re.compile(
    r"\bcarr(?:y|ies|ied)\s+over\b|\b(?:votes?|ballots?)\b[^.\n]{0,40}\b(?:still\s+(?:count|stand|"
    r"apply|valid)|remain\s+valid)",
    re.IGNORECASE,
)


# Before the re-call words, these make it a question, a maybe or a no: "No need to restart the
# vote", "If we find a blocker I will restart the vote", "Should we restart the vote?".
_NOT_SO = re.compile(
    r"\b(?:no|not|never|if|unless|whether|should|would|could|might|may|once|when)\b|n['’]t\b",
    re.IGNORECASE,
)


def recall_line(lines: Sequence[str]) -> tuple[str, bool] | None:
    """The line that calls the vote again, and whether earlier ballots carry over."""
    for line in lines:
        for _, pattern in RECALL_PHRASES:
            found = pattern.search(line)
            if found and "?" not in line and not _NOT_SO.search(line[: found.start()]):
                carried = any(_CARRY_OVER.search(other) for other in lines)
                return line.strip(), carried
    return None
