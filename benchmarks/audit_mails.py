"""A seeded archive of votes with their [RESULT] mails, some of them wrong on purpose (issue: "the
audit is measured on a generated archive of 1,000 votes with planted errors").

Everything here is invented and deterministic: the same seed gives the same mbox, roster and
ground truth. bench_audit.py writes the files and checks `harvest audit` against the truth.

What a vote looks like:
- a call ("[VOTE] Release Apache TVM v0.17.2.rc0" or "[VOTE] RFC-0123: …") by a release manager
  (PMC member or committer) with the usual "[ ] +1 approve" menu, the rule named in words
  ("majority approval", "lazy 2/3 majority") or not at all (then the default, lazy 2/3), and
  often the caller's own "+1 (binding) from me to start.";
- replies that vote the way people do ("+1", "+1 (binding)", "LGTM, +1", "-1 because …", "0",
  "+0, no strong opinion …", check lists), questions and answers without a vote, changed votes
  ("-1" then "changing my vote to +1"), each reply quoting its parent under a Gmail, Thunderbird,
  Apple Mail, Pony Mail or Outlook attribution; sometimes a ballot after the result (late);
- a [RESULT] mail by the release manager in one of the shapes in SHAPES, written from what
  harvester should count: the last ballot of each person before the result, binding when the
  person is on the PMC, the outcome of the rule the call names.

Planted errors (one per wrong result, kinds in KINDS) change what the result says, the way hand
counts go wrong: the release manager's own +1 left out, a count that disagrees with its own
list, a binding mark the roster contradicts, someone listed who did not vote, a voter listed
under the wrong value, an outcome the rule does not give, no binding marks at all.
"""

from __future__ import annotations

import binascii
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, formataddr

PROJECT = "tvm"
LIST = f"dev@{PROJECT}.apache.org"
VALUES = ("+1", "0", "-1")
PMC_SIZE = 32
COMMITTERS = 48
COMMUNITY = 70
ROSTER_SINCE = "2018-01-15"
FIRST_VOTE = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)

# The shapes of a result mail. "brief" shapes are the ones the issue names; the others are
# shapes other ASF projects' release managers send (Airflow, Flink, Kafka).
SHAPES = (
    "sentence-lists",  # "The vote has passed with 6 +1 votes (5 binding), …" then per-value lists
    "headed-lists",  # "+1 (binding):" / "+1 (non-binding):" headings over bulleted names
    "spark-stars",  # "(* = binding)" legend, "+1:" then "- Name *" (Apache Spark)
    "count-lines",  # "+1: 5 (3 binding)" / "0: 0" / "-1: 0", no names
    "inline-lists",  # "Binding +1: A, B, C" / "Non-binding +1: D"
    "tvm-stars",  # "+1 votes (* binding):" then "- Name*" (Apache TVM)
    "airflow",  # '4 "+1" binding votes received:' over a list (Apache Airflow)
    "flink",  # "There are 9 approving votes, 5 of which are binding:" (Apache Flink)
    "kafka",  # "+1 votes" / "PMC Members:" / "Committers:" / "Community:" (Apache Kafka)
)
SHAPE_WEIGHTS = dict.fromkeys(SHAPES[:6], 3) | {"airflow": 2, "flink": 2, "kafka": 2}
NAMELESS = frozenset({"count-lines"})
ONLY_PLUS = frozenset({"airflow", "flink"})  # these projects list +1 votes only

KINDS = (
    "rm-own-vote-left-out",
    "count-disagrees-with-list",
    "binding-mark-wrong",
    "listed-but-did-not-vote",
    "listed-under-wrong-value",
    "outcome-rule-does-not-give",
    "no-binding-marks",
)
# The shapes where each kind of error can be written.
KIND_SHAPES: dict[str, tuple[str, ...]] = {
    "rm-own-vote-left-out": SHAPES,
    "count-disagrees-with-list": tuple(s for s in SHAPES if s not in NAMELESS),
    "binding-mark-wrong": tuple(s for s in SHAPES if s not in NAMELESS),
    "listed-but-did-not-vote": tuple(s for s in SHAPES if s not in NAMELESS),
    "listed-under-wrong-value": tuple(
        s for s in SHAPES if s not in NAMELESS and s not in ONLY_PLUS
    ),
    "outcome-rule-does-not-give": SHAPES,
    "no-binding-marks": (
        "sentence-lists",
        "headed-lists",
        "spark-stars",
        "count-lines",
        "inline-lists",
        "tvm-stars",
    ),
}

FIRST = (
    "Hannah", "Tomás", "Priya", "Wei", "Olga", "Kenji", "Maria", "David", "Aisha", "Lars",
    "Sofía", "Rahul", "Emma", "Jin", "Carlos", "Fatima", "Noah", "Yuki", "Ivan", "Chloé",
    "Markus", "Zoë", "Siddharth", "Roman", "Takeshi", "Yuxin", "Kevin", "Olusegun", "Ana",
    "Søren", "François", "Łukasz", "Mei", "Tianqi", "Junru", "Siyuan", "Ruihang", "Leandro",
    "Ingrid", "Mateo", "Nadia", "Pavel", "Hiroshi", "Chen", "Amara", "Eric", "Grace", "Felix",
)  # fmt: skip
LAST = (
    "Morgan", "Becker", "Iyer", "Nakamura", "Kowalski", "Silva", "Okafor", "Jensen", "Rossi",
    "Novak", "Fischer", "Tanaka", "Hughes", "Park", "Dubois", "Khan", "Lindqvist", "Moreau",
    "Quintero", "Valdés", "Raman", "Liu", "Adeyemi", "Brandt", "García", "Müller", "Ødegård",
    "Lefèvre", "Groß", "Åström", "Yılmaz", "Zhang", "Feng", "Lai", "Wang", "Schmidt", "Costa",
    "Petrov", "Sato", "Mensah", "Larsen", "Hoffmann", "Ito", "Nguyen", "Kaur", "Ortiz",
)  # fmt: skip
TOPICS = (
    "Clarify the community strategy decision process",
    "Deprecate the legacy Relay frontend",
    "Move nightly CI to the new runner pool",
    "Make Relax the default IR for new models",
    "Establish the TVM FFI module",
    "Establish the MLC LLM module",
    "Adopt a six-week release cadence",
    "Migrate the documentation site to Sphinx 7",
    "Drop Python 3.8 support",
    "Require two approvals for changes to the runtime",
    "Adopt the Apache-wide code of conduct for the forum",
    "Archive the microTVM repository",
    "Rename the default branch to main",
    "Introduce a security response team",
    "Adopt the new contributor guide",
    "Graduate the Unity branch into main",
    "Add an ARM64 Windows wheel to the release",
    "Sunset the VTA hardware stack",
    "Accept the Metal schedule donation",
    "Publish nightly wheels on PyPI under a separate name",
)
CHECKS = (
    "Verified signatures and checksums",
    "Built from source on Ubuntu 22.04 with LLVM 17",
    "Ran the unit tests, all passed",
    "Checked LICENSE and NOTICE files",
    "No unexpected binary files in the source release",
    "Ran the ResNet-50 tutorial end to end",
    "Verified the Python wheels install on macOS arm64",
)
MINUS_REASONS = {
    "release": (
        "the source tarball contains a compiled jar under 3rdparty/.",
        "the build fails on Windows with MSVC 2022, see the log below.\n\n"
        "  error C2065: 'ssize_t': undeclared identifier",
        "the LICENSE file does not mention the bundled font (OFL 1.1).",
        "the checksum of the source tarball does not match the one in the mail.",
    ),
    "rfc": (
        "the RFC does not say how existing users migrate.",
        "I think we need more discussion on the forum before deciding this.",
        "the proposal moves too much maintenance onto a few committers.",
    ),
}
QUESTIONS = (
    "Question before I vote: is the Python wheel built from the same commit as the source tarball?",
    "I'll try to verify the release candidate over the weekend.",
    "The link to the KEYS file seems to be broken for me, could you double check?",
    "Is there a list of the changes since the last release?",
    "I am still going through the proposal, I will reply by Friday.",
    "Could we add the migration notes to the website before the announcement?",
)
ANSWERS = (
    "Good question. Yes, the wheels are built from the same tag.",
    "I fixed the link, it is https://downloads.apache.org/tvm/KEYS now.",
    "The changes are in the release notes linked above.",
    "Sure, I will add them to the website once this is done.",
)
FOOTER = (
    "---------------------------------------------------------------------\n"
    f"To unsubscribe, e-mail: dev-unsubscribe@{PROJECT}.apache.org\n"
    f"For additional commands, e-mail: dev-help@{PROJECT}.apache.org\n"
)
MAILERS = ("gmail", "gmail", "gmail", "gmail", "thunderbird", "apple", "ponymail", "outlook")
_FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)

Value = str  # "+1", "0" or "-1"


# --- people --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    asf_id: str  # "" when not on the roster
    role: str  # "pmc", "committer" or "" (community)
    emails: tuple[str, ...]  # the roster's addresses for a member, the one address otherwise
    sends_from: str
    display: str  # the From display name
    mailer: str
    tz_hours: float

    @property
    def binding(self) -> bool:
        return self.role == "pmc"

    @property
    def first(self) -> str:
        return self.name.split(" ")[0]


def _ascii(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O"))
    bare = bare.replace("ł", "l").replace("Ł", "L").replace("ß", "ss").replace("ı", "i")
    return "".join(ch for ch in bare if ch.isascii() and ch.isalpha()).lower()


def _name_key(name: str) -> str:
    return " ".join(sorted(_ascii(word) for word in name.split()))


def make_people(rng: random.Random) -> tuple[list[Person], list[Person], list[Person]]:
    """PMC members, committers and community voters (not on the roster), all distinct names."""
    names: list[str] = []
    keys: set[str] = set()
    while len(names) < PMC_SIZE + COMMITTERS + COMMUNITY:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        key = _name_key(name)
        if key not in keys and len(set(key.split())) == 2:
            keys.add(key)
            names.append(name)
    ids: set[str] = set()
    members: list[Person] = []
    for index, name in enumerate(names[: PMC_SIZE + COMMITTERS]):
        first, last = (_ascii(part) for part in name.split(" "))
        asf_id = first[0] + last
        if asf_id in ids:
            asf_id = first[:2] + last
        ids.add(asf_id)
        apache = f"{asf_id}@apache.org"
        personal = rng.choice((f"{first}.{last}@gmail.com", f"{first}{last[0]}@example.com"))
        emails = (apache, personal) if rng.random() < 0.5 else (apache,)
        sends = apache if len(emails) == 1 or rng.random() < 0.6 else personal
        display = name
        if sends == personal and rng.random() < 0.3:
            display = f"{name.split(' ')[1]}, {name.split(' ')[0]}"  # "Chen, Tianqi"
        role = "pmc" if index < PMC_SIZE else "committer"
        members.append(Person(name, asf_id, role, emails, sends, display, *_habits(rng)))
    community: list[Person] = []
    for name in names[PMC_SIZE + COMMITTERS :]:
        first, last = (_ascii(part) for part in name.split(" "))
        domain = rng.choice(("gmail.com", "gmail.com", "outlook.com", "163.com", "corp.example"))
        address = f"{first}{last}{rng.randint(1, 99)}@{domain}"
        community.append(Person(name, "", "", (address,), address, name, *_habits(rng)))
    return members[:PMC_SIZE], members[PMC_SIZE:], community


def _habits(rng: random.Random) -> tuple[str, float]:
    return rng.choice(MAILERS), rng.choice((0.0, -8.0, -5.0, 1.0, 2.0, 5.5, 8.0, 9.0))


def roster_toml(people: Sequence[Person]) -> str:
    lines = [
        "# Roster of the generated audit archive (benchmarks/bench_audit.py). Invented people.",
        "# The electorate of every vote in it is the PMC.",
        "",
    ]
    for person in people:
        emails = ", ".join(f'"{address}"' for address in person.emails)
        lines += [
            "[[members]]",
            f'id = "{person.asf_id}"',
            f'name = "{person.name}"',
            f"emails = [{emails}]",
            f'role = "{person.role}"',
            f"since = {ROSTER_SINCE}",
            "",
        ]
    return "\n".join(lines)


# --- what a result says --------------------------------------------------------------------------


@dataclass
class Listed:
    person: Person
    value: Value
    binding: bool  # the mark the result gives (shown unless Announced.marks is False)


@dataclass
class Announced:
    outcome: str  # "passed" or "failed"
    listed: list[Listed]
    total: dict[Value, int] = field(default_factory=dict)  # counts the result states
    binding: dict[Value, int] = field(default_factory=dict)
    non_binding: dict[Value, int] = field(default_factory=dict)  # printed by "airflow" only
    marks: bool = True  # whether it says which votes are binding
    counts: bool | None = None  # whether it states counts (None: the shape decides)

    def derive(self) -> None:
        """Counts that agree with the list, as a careful hand count writes them."""
        self.total = {v: sum(1 for x in self.listed if x.value == v) for v in VALUES}
        self.binding = {
            v: sum(1 for x in self.listed if x.value == v and x.binding) for v in VALUES
        }
        self.non_binding = {v: self.total[v] - self.binding[v] for v in VALUES}

    def of(self, value: Value, binding: bool | None = None) -> list[Listed]:
        return [
            x for x in self.listed if x.value == value and (binding is None or x.binding == binding)
        ]


@dataclass(frozen=True)
class Planted:
    """One planted error: what was done, and what a difference must name to report it: any
    alternative of `needles` whose patterns all match one difference (case-insensitive).
    COUNTED_BINDING in a pattern stands for the number of binding ballots the audit counted."""

    kind: str
    detail: str
    needles: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Mail:
    msgid: str
    author: Person
    sent: datetime
    subject: str
    body: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class Vote:
    index: int
    title: str  # the call's subject, "[VOTE] …"
    rule: str  # "majority-approval" or "lazy-2/3": what harvester should apply
    rule_named: bool
    shape: str
    status: str  # "passed" or "failed"
    counts: dict[str, dict[Value, int]]  # {"binding": {...}, "non_binding": {...}}
    planted: Planted | None
    result_body: str
    mails: tuple[Mail, ...]
    notes: tuple[str, ...]  # what makes the vote interesting: changed, late, closing comment
    ballots: tuple[tuple[str, Value, bool], ...]  # (name, value, binding) as counted

    def truth(self) -> dict[str, object]:
        planted = None
        if self.planted is not None:
            planted = {
                "kind": self.planted.kind,
                "detail": self.planted.detail,
                "needles": [list(alternative) for alternative in self.planted.needles],
            }
        return {
            "title": self.title,
            "rule": self.rule,
            "rule_named_in_call": self.rule_named,
            "shape": self.shape,
            "status": self.status,
            "counts": self.counts,
            "planted": planted,
            "notes": list(self.notes),
            "ballots": [list(b) for b in self.ballots],
        }


# --- the plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    index: int
    shape: str
    kind: str | None  # the planted error, None for a clean result
    fails: bool  # the vote fails under its rule


def make_plans(
    rng: random.Random, votes: int, share: float, shapes: Sequence[str] = SHAPES
) -> list[Plan]:
    planted = set(rng.sample(range(votes), round(votes * share)))
    kinds = [KINDS[i % len(KINDS)] for i in range(len(planted))]
    rng.shuffle(kinds)
    order = iter(kinds)
    plans: list[Plan] = []
    for index in range(votes):
        kind = next(order) if index in planted else None
        allowed = [s for s in (KIND_SHAPES[kind] if kind else SHAPES) if s in shapes]
        if not allowed:
            kind, allowed = None, list(shapes)
        shape = rng.choices(allowed, weights=[SHAPE_WEIGHTS[s] for s in allowed])[0]
        fails = kind == "outcome-rule-does-not-give" or (
            kind is None and shape not in ONLY_PLUS and rng.random() < 0.06
        )
        plans.append(Plan(index, shape, kind, fails))
    return plans


# --- rules ---------------------------------------------------------------------------------------


def passes(rule: str, plus: int, zero: int, minus: int) -> bool:
    if rule == "majority-approval":
        return plus >= 3 and plus > minus
    return plus + zero + minus >= 3 and plus >= 2 * minus  # lazy-2/3, a 0 counts as cast


# --- one vote ------------------------------------------------------------------------------------


@dataclass
class _Ballot:
    person: Person
    value: Value
    at: datetime
    first: tuple[Value, datetime] | None = None  # an earlier, different ballot (changed vote)


@dataclass
class _Event:
    at: datetime
    author: Person
    text: str
    parent: str = "call"  # what it replies to: "call", "any" earlier mail, "result"


@dataclass(frozen=True)
class _Call:
    kind: str  # "release" or "rfc"
    title: str  # "[VOTE] …"
    what: str  # the thing voted on, in words
    rule: str
    rule_named: bool
    rule_sentence: str
    rm: Person  # the release manager (the caller), who also writes the result
    rm_mode: str  # where the caller votes: "call", "reply" or "none"


class VoteMaker:
    """Writes one vote: the call, the replies, the result, and a planted error if planned."""

    def __init__(
        self,
        rng: random.Random,
        pmc: Sequence[Person],
        committers: Sequence[Person],
        community: Sequence[Person],
    ) -> None:
        self.rng = rng
        self.pmc, self.committers, self.community = pmc, committers, community
        self.version = [0, 6, 0]
        self.rfc = 17

    # titles and rules

    def _title(self) -> tuple[str, str, str]:
        """(kind, title, what: the thing voted on in words)."""
        rng = self.rng
        if rng.random() < 0.6:
            major, minor, patch = self.version
            if rng.random() < 0.3:
                self.version = [major, minor, patch + 1]
            else:
                self.version = [major, minor + 1, 0]
            rc = rng.choice((0, 0, 0, 1, 1, 2))
            release = f"v{major}.{minor}.{patch}"
            return "release", f"Release Apache TVM {release}.rc{rc}", f"Apache TVM {release}"
        self.rfc += rng.randint(1, 3)
        topic = rng.choice(TOPICS)
        return "rfc", f"RFC-{self.rfc:04d}: {topic}", f'"{topic}"'

    def _rule(self, kind: str) -> tuple[str, bool, str]:
        """(rule, named in the call, the call's sentence about it)."""
        rng = self.rng
        if kind == "release":
            sentence = rng.choice(
                (
                    "Votes on releases use majority approval: the vote passes with at least "
                    "three binding +1 votes and more binding +1 than -1 votes.",
                    "This vote is held under majority approval, as for every ASF release.",
                )
            )
            return "majority-approval", True, sentence
        if rng.random() < 0.75:
            return (
                "lazy-2/3",
                True,
                "This vote is held under lazy 2/3 majority: it passes with at least 3 binding "
                "votes and twice as many binding +1 as binding -1 votes.",
            )
        return "lazy-2/3", False, "Votes of PMC members are binding."

    # the ballots

    def _voters(self, rm: Person, fails: bool, only_plus: bool) -> list[tuple[Person, Value]]:
        rng = self.rng
        others_pmc = [p for p in self.pmc if p is not rm]
        others_com = [p for p in self.committers if p is not rm]
        n_pmc = rng.randint(0, 2) if fails else rng.randint(2, 8)
        chosen = rng.sample(others_pmc, n_pmc)
        chosen += rng.sample(others_com, rng.randint(0, 4))
        chosen += rng.sample(list(self.community), rng.randint(0, 4 if not fails else 5))
        rng.shuffle(chosen)
        voters: list[tuple[Person, Value]] = []
        for person in chosen:
            roll = rng.random()
            minus = 0.25 if fails and person.binding else 0.06
            value = "+1" if only_plus or roll >= minus + 0.08 else "-1" if roll < minus else "0"
            voters.append((person, value))
        return voters

    def make(self, plan: Plan, start: datetime) -> Vote:
        rng = self.rng
        kind, what_title, what = self._title()
        rule, named, rule_sentence = self._rule(kind)
        only_plus = plan.shape in ONLY_PLUS
        pool = list(self.pmc) * 3 + list(self.committers)
        rm = rng.choice(pool)
        rm_mode = rng.choices(("call", "reply", "none"), weights=(50, 38, 12))[0]
        if plan.kind == "rm-own-vote-left-out" and rm_mode == "none":
            rm_mode = rng.choice(("call", "reply"))
        for _ in range(200):
            voters = self._voters(rm, plan.fails, only_plus)
            if rm_mode != "none":
                voters.insert(0, (rm, "+1"))
            binding = [v for p, v in voters if p.binding]
            plus, zero, minus = (binding.count(v) for v in VALUES)
            if passes(rule, plus, zero, minus) != plan.fails and len(voters) >= 2:
                break
        else:  # pragma: no cover - the distributions make this unreachable in practice
            raise RuntimeError(f"vote {plan.index}: no ballots fit the plan")
        call = _Call(kind, f"[VOTE] {what_title}", what, rule, named, rule_sentence, rm, rm_mode)
        return self._write(plan, start, call, voters)

    def _write(
        self, plan: Plan, start: datetime, call: _Call, voters: list[tuple[Person, Value]]
    ) -> Vote:
        rng = self.rng
        rm, rm_mode, kind = call.rm, call.rm_mode, call.kind
        hour = timedelta(hours=1)
        notes: list[str] = []
        ballots: list[_Ballot] = []
        for person, value in voters:
            if person is rm and rm_mode == "call":
                ballots.append(_Ballot(person, value, start))
                continue
            at = start + hour * (rng.uniform(0.1, 10) if person is rm else rng.uniform(0.3, 84))
            ballots.append(_Ballot(person, value, at))
        changers = [b for b in ballots if b.person is not rm]
        if changers and rng.random() < 0.12:
            changed = rng.choice(changers)
            if changed.value == "+1":
                old = rng.choice(("-1", "-1", "0"))
            else:
                old = "+1" if not plan.fails else rng.choice(("+1", "0"))
            first_at = start + hour * rng.uniform(0.3, 40)
            changed.first = (old, first_at)
            changed.at = first_at + hour * rng.uniform(3, 36)
            notes.append(f"changed: {changed.person.name} {old} -> {changed.value}")
        last = max(b.at for b in ballots)
        result_at = max(start + hour * rng.uniform(73, 100), last + hour * rng.uniform(0.5, 12))
        events = self._events(call, start, ballots, result_at, notes)
        voted = {b.person.name for b in ballots}
        if rng.random() < 0.07:
            spare = [p for p in (*self.pmc, *self.committers) if p.name not in voted]
            late = rng.choice(spare)
            at = result_at + hour * rng.uniform(1, 30)
            parent = "result" if rng.random() < 0.5 else "any"
            events.append(_Event(at, late, self._late_text(late), parent))
            notes.append(f"late: {late.name}")
            voted.add(late.name)
        # people who wrote in the thread without voting, else anyone who did not vote
        askers = [e.author for e in events if e.author.name not in voted]
        if not askers:
            everyone = (*self.pmc, *self.committers, *self.community)
            askers = [rng.choice([p for p in everyone if p.name not in voted])]
        counted = {
            "binding": dict.fromkeys(VALUES, 0),
            "non_binding": dict.fromkeys(VALUES, 0),
        }
        for ballot in ballots:
            counted["binding" if ballot.person.binding else "non_binding"][ballot.value] += 1
        b = counted["binding"]
        status = "passed" if passes(call.rule, b["+1"], b["0"], b["-1"]) else "failed"
        announced = self._announced(ballots, status, rm, plan)
        planted = None
        if plan.kind is not None:
            planted = plant(rng, plan.kind, plan.shape, announced, ballots, rm, askers, call.rule)
        rc = int(call.title.rsplit(".rc", 1)[1]) if kind == "release" else 0
        result_body = render(rng, plan.shape, announced, kind, call.what, rc, rm)
        call_body = self._call(call)
        mails = self._mails(call.title, start, rm, call_body, events, result_at, result_body)
        return Vote(
            plan.index,
            call.title,
            call.rule,
            call.rule_named,
            plan.shape,
            status,
            counted,
            planted,
            result_body,
            mails,
            tuple(notes),
            tuple((b.person.name, b.value, b.person.binding) for b in ballots),
        )

    def _events(
        self,
        call: _Call,
        start: datetime,
        ballots: Sequence[_Ballot],
        result_at: datetime,
        notes: list[str],
    ) -> list[_Event]:
        """The replies, in time order: ballots (a changed vote is two), questions and answers
        without a vote, sometimes the caller closing the vote just before the result."""
        rng = self.rng
        rm, kind = call.rm, call.kind
        hour = timedelta(hours=1)
        events: list[_Event] = []
        for ballot in ballots:
            person = ballot.person
            if person is rm and call.rm_mode == "call":
                continue
            if ballot.first is not None:
                old, first_at = ballot.first
                before = self._ballot_text(kind, person, old)
                after = self._changed_text(kind, person, ballot.value)
                events.append(_Event(first_at, person, before, "call"))
                events.append(_Event(ballot.at, person, after, "any"))
                continue
            text = self._ballot_text(kind, ballot.person, ballot.value, own=ballot.person is rm)
            events.append(
                _Event(ballot.at, ballot.person, text, "call" if rng.random() < 0.6 else "any")
            )
        everyone = [p for p in (*self.pmc, *self.committers, *self.community) if p is not rm]
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            asker = rng.choice(everyone)
            at = start + hour * rng.uniform(0.5, 60)
            events.append(_Event(at, asker, rng.choice(QUESTIONS), "any"))
            if rng.random() < 0.6:
                events.append(
                    _Event(at + hour * rng.uniform(0.5, 8), rm, rng.choice(ANSWERS), "any")
                )
        if rng.random() < 0.12:
            at = result_at - hour * rng.uniform(0.05, 0.5)
            if at > start + hour * 72 and all(e.at < at for e in events):
                text = rng.choice(
                    (
                        "Thanks everyone for voting. I'm closing the vote now and will send the "
                        "result in a separate thread.",
                        "The vote is now closed, thanks all. I will tally the votes and send the "
                        "result shortly.",
                    )
                )
                events.append(_Event(at, rm, text, "any"))
                notes.append("closing comment before the result")
        return sorted(events, key=lambda e: e.at)

    # texts

    def _ballot_text(self, kind: str, person: Person, value: Value, *, own: bool = False) -> str:
        rng = self.rng
        claim = "binding" if person.binding else "non-binding"
        if rng.random() < 0.03 and person.role == "committer":
            claim = "binding"  # a committer who believes their vote binds: the roster decides
        if value == "+1":
            if own:
                return rng.choice((f"+1 ({claim})", "+1", "+1 from me"))
            forms = [
                f"+1 ({claim})",
                "+1",
                f"Hi,\n\n+1 ({claim})\n\nThanks for driving this!",
                "+1, thanks for driving this",
                "LGTM, +1",
                "+1 from me",
            ]
            if kind == "release":  # what the voter checked, as release votes list it
                forms += [f"+1 ({claim})\n\n{self._checks()}", f"+1\n\n{self._checks()}"]
            return rng.choice(forms)
        if value == "0":
            forms = ["0", "+0", "+0, no strong opinion either way."]
            if person.binding:
                forms.append("0 (binding), I did not have time to look at this properly.")
            return rng.choice(forms)
        reason = rng.choice(MINUS_REASONS[kind])
        mark = f" ({claim})" if rng.random() < 0.5 else ""
        return rng.choice((f"-1{mark} because {reason}", f"-1{mark}\n\nThe reason: {reason}"))

    def _changed_text(self, kind: str, person: Person, new: Value) -> str:
        claim = "binding" if person.binding else "non-binding"
        if new == "+1":
            return self.rng.choice(
                (
                    f"Thanks for the quick fix. I change my vote:\n\n+1 ({claim})",
                    f"The issue is resolved now, changing my vote to +1 ({claim}).",
                    f"My concern was addressed, so:\n\n+1 ({claim})",
                )
            )
        reason = self.rng.choice(MINUS_REASONS[kind])
        if new == "-1":
            return f"Sorry, I have to change my vote: {reason}\n\n-1 ({claim})"
        return f"On second thought I will abstain.\n\n0 ({claim})"

    def _late_text(self, person: Person) -> str:
        claim = "binding" if person.binding else "non-binding"
        return self.rng.choice(
            (
                f"+1 ({claim}), sorry for being late.",
                f"+1 ({claim})\n\nI know the vote is over, but I checked the release too.",
            )
        )

    def _checks(self) -> str:
        checks = self.rng.sample(CHECKS, self.rng.randint(2, 4))
        return "I checked:\n" + "\n".join(f"- {check}" for check in checks)

    def _call(self, call: _Call) -> str:
        rng = self.rng
        kind, what, rm = call.kind, call.what, call.rm
        token = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(32))
        if kind == "release":
            intro = (
                f"This is a call for vote to release {what}.\n\n"
                "The release candidate, its signatures and checksums are at [1], built from the "
                "tag at [2].\nThe release notes are at [3].\n\n"
                f"[1] https://dist.apache.org/repos/dist/dev/tvm/{what.split()[-1]}/\n"
                f"[2] https://github.com/apache/tvm/tree/{what.split()[-1]}\n"
                f"[3] https://github.com/apache/tvm/issues/{rng.randint(15000, 19000)}"
            )
        else:
            intro = (
                f"Following the discussion [1], I'd like to call a vote on the proposal {what}.\n\n"
                f"[1] https://lists.apache.org/thread/{token}"
            )
        menu = rng.choice(
            (
                "[ ] +1 approve\n[ ] +0 no opinion\n[ ] -1 disapprove (please state why)",
                "[ ] +1 Release this package\n[ ] 0 I don't feel strongly about it\n"
                "[ ] -1 Do not release this package because ...",
            )
            if kind == "release"
            else ("[ ] +1 approve\n[ ] 0 no opinion\n[ ] -1 disapprove (please state why)",)
        )
        own = ""
        if call.rm_mode == "call":
            own = rng.choice(
                (
                    "+1 (binding) from me to start." if rm.binding else "+1 from me to start.",
                    "Here is my +1.",
                    "+1 from me.",
                )
            )
            own = f"\n\n{own}"
        hours = rng.choice(("at least 72 hours", "at least 72 hours", "a minimum of 72 hours"))
        return (
            f"Hi all,\n\n{intro}\n\n{call.rule_sentence}\n\nThe vote will be open for {hours}.\n\n"
            f"{menu}{own}\n\n{_signature(rng, rm)}"
        ).rstrip()

    def _mails(
        self,
        title: str,
        start: datetime,
        rm: Person,
        call_body: str,
        events: Sequence[_Event],
        result_at: datetime,
        result_body: str,
    ) -> tuple[Mail, ...]:
        rng = self.rng
        call = Mail(_msgid(rng, rm), rm, start, title, call_body, ())
        thread: list[Mail] = [call]
        result_subject = rng.choice(
            (f"[RESULT][VOTE] {title[7:]}", f"[RESULT] [VOTE] {title[7:]}", f"[RESULT] {title}")
        )
        in_thread = rng.random() < 0.35
        refs = (call.msgid,) if in_thread else ()
        result = Mail(_msgid(rng, rm), rm, result_at, result_subject, result_body, refs)
        done = False
        for event in events:
            if event.at > result_at and not done:
                thread.append(result)
                done = True
            if event.parent == "result" and done:
                parent = result
            elif event.parent == "call":
                parent = call
            else:
                parent = rng.choice(thread)
            subject = (
                parent.subject if parent.subject.startswith("Re:") else f"Re: {parent.subject}"
            )
            body = reply_body(rng, event.author, event.text, parent)
            references = (*parent.references, parent.msgid)[-8:]
            msgid = _msgid(rng, event.author)
            mail = Mail(msgid, event.author, event.at, subject, body, references)
            thread.append(mail)
        if not done:
            thread.append(result)
        return tuple(thread)

    def _announced(
        self, ballots: Sequence[_Ballot], status: str, rm: Person, plan: Plan
    ) -> Announced:
        ordered = sorted(ballots, key=lambda b: (b.person is not rm, b.at))
        listed = [Listed(b.person, b.value, b.person.binding) for b in ordered]
        announced = Announced(status, listed)
        announced.derive()
        return announced


# --- planting ------------------------------------------------------------------------------------


def _name_needles(person: Person) -> tuple[tuple[str, ...], ...]:
    alternatives = [(re.escape(person.name),), (re.escape(person.display),)]
    if person.asf_id:
        alternatives.append((rf"\b{re.escape(person.asf_id)}\b",))
    return tuple(alternatives)


def _number_needle(number: int, value: Value) -> tuple[tuple[str, ...], ...]:
    return ((rf"(?<![\d.]){number}(?![\d.])", re.escape(value)),)


def plant(
    rng: random.Random,
    kind: str,
    shape: str,
    said: Announced,
    ballots: Sequence[_Ballot],
    rm: Person,
    askers: Sequence[Person],
    rule: str,
) -> Planted:
    """Change what the result says in one way a hand count goes wrong; the counts follow the
    changed list (the person counting trusts their own list) unless the error is the count.
    `askers`: people who wrote in the thread but did not vote (or, failing that, one who did
    not write at all)."""
    if kind == "rm-own-vote-left-out":
        said.listed = [x for x in said.listed if x.person is not rm]
        said.derive()
        detail = f"{rm.name}'s own +1 ({'binding' if rm.binding else 'non-binding'}) left out"
        if shape in NAMELESS:
            stated = said.total["+1"]
            return Planted(kind, f"{detail}, +1 stated as {stated}", _number_needle(stated, "+1"))
        return Planted(kind, detail, _name_needles(rm))
    if kind == "count-disagrees-with-list":
        said.counts = True
        value = "+1"
        use_binding = rng.random() < 0.4 and said.marks
        table = said.binding if use_binding else said.total
        which = "binding +1" if use_binding else "+1"
        if shape == "airflow":  # it states binding and non-binding counts over their lists
            use_binding = said.non_binding[value] == 0 or (
                said.binding[value] > 0 and rng.random() < 0.5
            )
            table = said.binding if use_binding else said.non_binding
            which = "binding +1" if use_binding else "non-binding +1"
        right = table[value]
        wrong = right + rng.choice((1, 1, 2)) if right < 2 or rng.random() < 0.6 else right - 1
        table[value] = wrong
        detail = f"states {wrong} {which} votes above a list of {right}"
        return Planted(kind, detail, _number_needle(wrong, value))
    if kind == "binding-mark-wrong":
        non = [x for x in said.listed if not x.person.binding]
        pmc = [x for x in said.listed if x.person.binding]
        if non and (not pmc or rng.random() < 0.6):
            victim = rng.choice(non)
            victim.binding = True
            detail = (
                f"{victim.person.name} ({victim.person.role or 'not on the roster'}) marked binding"
            )
        else:
            victim = rng.choice(pmc)
            victim.binding = False
            detail = f"{victim.person.name} (PMC) marked non-binding"
        said.derive()
        return Planted(kind, detail, _name_needles(victim.person))
    if kind == "listed-but-did-not-vote":
        person = rng.choice(list(askers))
        said.listed.append(Listed(person, "+1", person.binding))
        said.derive()
        return Planted(kind, f"{person.name} listed under +1 without a vote", _name_needles(person))
    if kind == "listed-under-wrong-value":
        changed = [b for b in ballots if b.first is not None]
        if changed:
            ballot = changed[0]
            under = ballot.first[0] if ballot.first else "0"
            why = f"its earlier vote {under}"
        else:
            ballot = rng.choice(list(ballots))
            under = rng.choice([v for v in VALUES if v != ballot.value])
            why = under
        for x in said.listed:
            if x.person is ballot.person:
                x.value = under
        said.derive()
        detail = f"{ballot.person.name} ({ballot.value}) listed under {why}"
        return Planted(kind, detail, _name_needles(ballot.person))
    if kind == "outcome-rule-does-not-give":
        said.outcome = "passed"
        b = said.binding
        detail = f"says passed under {rule}; binding +1/0/-1 = {b['+1']}/{b['0']}/{b['-1']}"
        return Planted(kind, detail, ((r"\bpass(?:ed|es)?\b",),))
    if kind == "no-binding-marks":
        said.marks = False
        binding = sum(1 for b in ballots if b.person.binding)
        detail = f"no binding marks ({binding} binding votes)"
        return Planted(kind, detail, ((r"\bbinding\b", r"(?<![\d.])COUNTED_BINDING(?![\d.])"),))
    raise ValueError(kind)


# --- rendering a result --------------------------------------------------------------------------


_WORDS = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def _n(rng: random.Random, n: int, words: bool) -> str:
    if n == 0:
        return "no" if words or rng.random() < 0.7 else "0"
    return _WORDS[n] if words and n in _WORDS else str(n)


def _votes(n: int, value: Value, number: str) -> str:
    return f"{number} {value} vote{'' if n == 1 else 's'}"


def _zero(rng: random.Random) -> str:
    return rng.choice(("0", "+0", "0"))


@dataclass(frozen=True)
class Context:
    """What a result mail is about: "release" or "rfc", the thing voted on in words, the
    release candidate's number, and how the mail writes each listed person's name."""

    kind: str
    what: str
    rc: int
    name: Callable[[Listed], str]


def render(
    rng: random.Random, shape: str, said: Announced, kind: str, what: str, rc: int, rm: Person
) -> str:
    writer = _RENDERERS[shape]
    names = {id(x): _written_name(rng, x.person) for x in said.listed}
    body = writer(rng, said, Context(kind, what, rc, lambda x: names[id(x)]))
    thread = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(32))
    link = (
        f"\n\nVote thread: https://lists.apache.org/thread/{thread}" if rng.random() < 0.4 else ""
    )
    closing = _closing(rng, said.outcome, kind)
    return f"{body}{link}\n\n{closing}\n\n{_signature(rng, rm, plain=True)}".rstrip() + "\n"


def _written_name(rng: random.Random, person: Person) -> str:
    if person.asf_id and rng.random() < 0.12:
        return f"{person.name} ({person.asf_id})"
    return person.name


def _closing(rng: random.Random, outcome: str, kind: str) -> str:
    if outcome == "passed":
        if kind == "release":
            return rng.choice(
                (
                    "Thanks everyone for voting. I will proceed with publishing the release.",
                    "Thank you all for verifying the release candidate! The release announcement "
                    "will follow shortly.",
                )
            )
        return rng.choice(
            (
                "Thanks everyone for taking part. I will update the docs accordingly.",
                "Thank you all for the discussion and for voting.",
            )
        )
    return rng.choice(
        (
            "Thanks for the reviews. I will address the concerns and start a new vote.",
            "Thank you all. We will continue the discussion on the DISCUSS thread.",
        )
    )


def _greeting(rng: random.Random) -> str:
    return rng.choice(("Hi all,", "Hello everyone,", "Hi,", "Dear community,"))


def _subject_of(rng: random.Random, ctx: Context) -> str:
    what = ctx.what
    if ctx.kind == "release":
        return rng.choice((f"The vote to release {what}", f"The vote for {what}", "The vote"))
    return rng.choice((f"The vote on {what}", "The vote"))


def _passed_word(rng: random.Random, outcome: str) -> str:
    if outcome == "passed":
        return rng.choice(("has passed", "passes", "has passed"))
    return rng.choice(("has failed", "did not pass", "fails"))


def _summary(rng: random.Random, said: Announced, *, zero_word: str | None = None) -> str:
    """ "6 +1 votes (5 binding), no 0 votes and 1 -1 vote" (binding part only with marks)."""
    words = rng.random() < 0.3
    parts: list[str] = []
    zero_token = zero_word or _zero(rng)
    for value in VALUES:
        n = said.total[value]
        token = zero_token if value == "0" else value
        part = _votes(n, token, _n(rng, n, words))
        if said.marks and n and (value == "+1" or rng.random() < 0.7):
            part += f" ({said.binding[value]} binding)"
        parts.append(part)
    if said.total["0"] == 0 and said.total["-1"] == 0 and rng.random() < 0.4:
        return f"{parts[0]} and no {zero_token} or -1 votes"
    comma = "," if rng.random() < 0.5 else ""
    return f"{parts[0]}, {parts[1]}{comma} and {parts[2]}"


def _mark(x: Listed, said: Announced, both: bool) -> str:
    if not said.marks:
        return ""
    if x.binding:
        return " (binding)"
    return " (non-binding)" if both else ""


def _bullet(rng: random.Random) -> str:
    return rng.choice(("- ", "* ", "- ", ""))


def _sentence_lists(rng: random.Random, said: Announced, ctx: Context) -> str:
    lead = _subject_of(rng, ctx)
    text = (
        f"{_greeting(rng)}\n\n{lead} {_passed_word(rng, said.outcome)} with {_summary(rng, said)}."
    )
    both = rng.random() < 0.4
    bullet = _bullet(rng)
    heading = rng.choice(("{v}:", "{v} votes:"))
    for value in VALUES:
        entries = said.of(value)
        token = _zero(rng) if value == "0" else value
        if not entries:
            if rng.random() < 0.4:
                text += f"\n\n{heading.format(v=token)} none"
            continue
        lines = [f"{bullet}{ctx.name(x)}{_mark(x, said, both)}" for x in entries]
        text += f"\n\n{heading.format(v=token)}\n" + "\n".join(lines)
    return text


def _headed_lists(rng: random.Random, said: Announced, ctx: Context) -> str:
    lead = _subject_of(rng, ctx)
    text = f"{_greeting(rng)}\n\n{lead} {_passed_word(rng, said.outcome)}"
    if said.counts or (said.counts is None and rng.random() < 0.4):
        text += f" with {_summary(rng, said)}"
    text += "."
    style = rng.choice(("{v} ({b}):", "{v} ({B}):", "{v} votes ({b}):", "{B} {v}:"))
    bullet = _bullet(rng) or "- "
    for value in VALUES:
        token = _zero(rng) if value == "0" else value
        groups: list[tuple[str, list[Listed]]]
        if said.marks:
            groups = [("binding", said.of(value, True)), ("non-binding", said.of(value, False))]
        else:
            groups = [("", said.of(value))]
        for label, entries in groups:
            if not entries:
                continue
            head = style.format(v=token, b=label, B=label.capitalize()) if label else f"{token}:"
            text += f"\n\n{head}\n" + "\n".join(f"{bullet}{ctx.name(x)}" for x in entries)
    if not said.of("-1") and rng.random() < 0.5:
        text += "\n\n-1: none"
    return text


def _spark_stars(rng: random.Random, said: Announced, ctx: Context) -> str:
    plus, bplus = said.total["+1"], said.binding["+1"]
    verb = "passes" if said.outcome == "passed" else "fails"
    counts = f"{plus} +1s ({bplus} binding +1{'s' if bplus != 1 else ''})"
    if not said.marks:
        counts = f"{plus} +1s"
    minus = said.total["-1"]
    if minus:
        counts += f" and {minus} -1{'s' if minus > 1 else ''}"
    thanks = (
        "Thanks to all who helped with the release!" if ctx.kind == "release" else "Thanks all!"
    )
    text = f"The vote {verb} with {counts}.\n{thanks}\n\n"
    if said.marks:
        text += "(* = binding)\n"
    blocks = []
    for value, token in (("+1", "+1"), ("0", "+0"), ("-1", "-1")):
        entries = said.of(value)
        if not entries:
            blocks.append(f"{token}: None")
            continue
        lines = [f"- {ctx.name(x)}{' *' if said.marks and x.binding else ''}" for x in entries]
        blocks.append(f"{token}:\n" + "\n".join(lines))
    return text + "\n\n".join(blocks)


def _count_lines(rng: random.Random, said: Announced, ctx: Context) -> str:
    lead = _subject_of(rng, ctx)
    intro = rng.choice(
        (
            f"{lead} {_passed_word(rng, said.outcome)} with the following result:",
            f"{lead} {_passed_word(rng, said.outcome)}. The final tally:",
        )
    )
    label = rng.choice(("{v}: ", "{v} votes: "))
    lines = []
    for value in VALUES:
        token = _zero(rng) if value == "0" else value
        n, b = said.total[value], said.binding[value]
        line = label.format(v=token) + str(n)
        if said.marks and n:
            line += f" ({b} binding)" if b else " (non-binding)"
        lines.append(line)
    return f"{_greeting(rng)}\n\n{intro}\n\n" + "\n".join(lines)


def _inline_lists(rng: random.Random, said: Announced, ctx: Context) -> str:
    lead = _subject_of(rng, ctx)
    text = f"{_greeting(rng)}\n\n{lead} {_passed_word(rng, said.outcome)}"
    if said.counts or (said.counts is None and rng.random() < 0.5):
        text += f" with {_summary(rng, said)}"
    text += "."
    plural = rng.random() < 0.4
    joiner = rng.choice((", ", ", ", "; "))
    lines = []
    for value in VALUES:
        token = _zero(rng) if value == "0" else value
        groups: list[tuple[str, list[Listed]]]
        if said.marks:
            groups = [("Binding", said.of(value, True)), ("Non-binding", said.of(value, False))]
        else:
            groups = [("", said.of(value))]
        for label, entries in groups:
            head = f"{label} {token}" if label else token
            head += " votes" if plural else ""
            if entries:
                names = [ctx.name(x) for x in entries]
                if len(names) > 1 and rng.random() < 0.3:
                    listed = joiner.join(names[:-1]) + " and " + names[-1]
                else:
                    listed = joiner.join(names)
                lines.append(f"{head}: {listed}")
            elif label != "Non-binding" and rng.random() < 0.3:
                lines.append(f"{head}: none")
    return text + "\n\n" + "\n".join(lines)


def _tvm_stars(rng: random.Random, said: Announced, ctx: Context) -> str:
    verb = "passes" if said.outcome == "passed" else "fails"
    t, b = said.total, said.binding
    plus = f"{t['+1']} +1 vote{'s' if t['+1'] != 1 else ''}"
    if said.marks:
        plus += f" ({b['+1']} binding)"
    zeros = f"{_n(rng, t['0'], False)} 0 vote{'s' if t['0'] != 1 else ''}"
    minus = f"{t['-1']} -1 vote{'s' if t['-1'] > 1 else ''}"
    text = (
        "Dear TVM community,\n\nI'm glad to announce the results of the vote.\n\n"
        f"This vote {verb} with {plus}, {zeros}, and {minus}.\n\n"
    )
    star = rng.choice(("*", " *"))
    legend = rng.choice(("(* binding)", "(* = binding)"))
    blocks = []
    for value in VALUES:
        entries = said.of(value)
        head = f"{value} votes"
        if value == "+1" and said.marks:
            head += f" {legend}"
        head += rng.choice((":", ""))
        if not entries:
            blocks.append(f"{head}\n- No votes")
            continue
        lines = [f"- {ctx.name(x)}{star if said.marks and x.binding else ''}" for x in entries]
        blocks.append(f"{head}\n" + "\n".join(lines))
    return text + "\n\n".join(blocks)


def _airflow(rng: random.Random, said: Announced, ctx: Context) -> str:
    if ctx.kind == "release":
        head = f"{ctx.what} (based on RC{ctx.rc}) has been accepted."
    else:
        head = f"The proposal {ctx.what} has been accepted."
    text = f"Hello,\n\n{head}"
    for label, binding in (("binding", True), ("non-binding", False)):
        entries = said.of("+1", binding)
        n = said.binding["+1"] if binding else said.non_binding["+1"]
        if not entries and not n:
            continue
        text += f'\n\n{n} "+1" {label} vote{"s" if n != 1 else ""} received:\n'
        text += "\n".join(f"- {ctx.name(x)}" for x in entries)
    return text


def _flink(rng: random.Random, said: Announced, ctx: Context) -> str:
    thing = "this release" if ctx.kind == "release" else "this proposal"
    unanimous = "unanimously " if not said.of("0") and not said.of("-1") else ""
    t, b = said.total["+1"], said.binding["+1"]
    text = (
        f"Hi everyone,\n\nI'm happy to announce that we have {unanimous}approved {thing}.\n\n"
        f"There are {t} approving votes, {b} of which are binding:\n"
    )
    text += "\n".join(
        f"* {ctx.name(x)} ({'binding' if x.binding else 'non-binding'})" for x in said.of("+1")
    )
    return text + "\n\nThere are no disapproving votes."


def _kafka(rng: random.Random, said: Announced, ctx: Context) -> str:
    t, b = said.total, said.binding
    verb = "passes" if said.outcome == "passed" else "fails"
    plus = f"{t['+1']} +1 vote{'s' if t['+1'] != 1 else ''} ({b['+1']} bindings)"
    if not t["0"] and not t["-1"]:
        rest = "no 0 or -1 votes"
        sentence = f"This vote {verb} with {plus} and {rest}."
    else:
        zeros = f"{_n(rng, t['0'], False)} 0 vote{'s' if t['0'] != 1 else ''}"
        minus = f"{_n(rng, t['-1'], False)} -1 vote{'s' if t['-1'] != 1 else ''}"
        sentence = f"This vote {verb} with {plus}, {zeros} and {minus}."
    text = f"Hi all,\n\n{sentence}\n\n"
    blocks = []
    for value in VALUES:
        entries = said.of(value)
        if not entries:
            blocks.append(f"{value} votes\n* No votes")
            continue
        parts = [f"{value} votes"]
        sections = (
            ("PMC Members:", [x for x in entries if x.binding]),
            ("Committers:", [x for x in entries if not x.binding and x.person.role]),
            ("Community:", [x for x in entries if not x.binding and not x.person.role]),
        )
        for label, people in sections:
            if people:
                parts.append(f"{label}\n" + "\n".join(f"* {ctx.name(x)}" for x in people))
        blocks.append(f"{parts[0]}\n" + "\n\n".join(parts[1:]))
    return text + "\n\n".join(blocks)


_RENDERERS: dict[str, Callable[[random.Random, Announced, Context], str]]
_RENDERERS = {
    "sentence-lists": _sentence_lists,
    "headed-lists": _headed_lists,
    "spark-stars": _spark_stars,
    "count-lines": _count_lines,
    "inline-lists": _inline_lists,
    "tvm-stars": _tvm_stars,
    "airflow": _airflow,
    "flink": _flink,
    "kafka": _kafka,
}


# --- replies and quoting -------------------------------------------------------------------------


def _signature(rng: random.Random, person: Person, *, plain: bool = False) -> str:
    roll = rng.random()
    if roll < 0.25 and not plain:
        return f"-- \n{person.name}"
    if roll < 0.6:
        return f"Thanks,\n{person.first}"
    if roll < 0.85:
        return f"Best regards,\n{person.name}"
    return person.first


def _local(person: Person, when: datetime) -> datetime:
    return when.astimezone(timezone(timedelta(hours=person.tz_hours)))


def attribution(replier: Person, parent: Mail) -> str:
    when = _local(replier, parent.sent)
    who = parent.author
    if replier.mailer == "thunderbird":
        return f"On {when.month}/{when.day}/{when:%y} {when:%I:%M %p}, {who.display} wrote:"
    if replier.mailer == "ponymail":
        return f'On {when:%Y/%m/%d %H:%M:%S} "{who.display}" wrote:'
    if replier.mailer == "apple":
        day = f"{when:%b} {when.day}, {when.year}"
        return f"On {day}, at {when:%H:%M}, {who.display} <{who.sends_from}> wrote:"
    line = (
        f"On {when:%a, %b} {when.day}, {when.year} at {when.hour % 12 or 12}:{when:%M %p} "
        f"{who.display} <{who.sends_from}>"
    )
    return f"{line}\nwrote:" if len(line) > 70 else f"{line} wrote:"


def quote(text: str) -> str:
    out = []
    for line in text.split("\n"):
        if not line:
            out.append(">")
        elif line.startswith(">"):
            out.append(">" + line)
        else:
            out.append("> " + line)
    return "\n".join(out)


def reply_body(rng: random.Random, author: Person, own: str, parent: Mail) -> str:
    quoted_lines = parent.body.split("\n")[:40]
    signature = _signature(rng, author)
    if author.mailer == "outlook":
        when = _local(author, parent.sent)
        block = (
            "________________________________\n"
            f"From: {parent.author.display} <{parent.author.sends_from}>\n"
            f"Sent: {when:%A, %B} {when.day}, {when.year} {when:%I:%M %p}\n"
            f"To: {LIST} <{LIST}>\n"
            f"Subject: {parent.subject}\n\n" + "\n".join(quoted_lines)
        )
        return f"{own}\n\n{signature}\n\n{block}"
    quoted = quote("\n".join(quoted_lines))
    said = attribution(author, parent)
    if author.mailer == "thunderbird":
        return f"{said}\n{quoted}\n\n{own}\n\n{signature}"
    if author.mailer == "apple":
        return f"{own}\n\n{signature}\n\n{quote(said)}\n>\n{quoted}"
    return f"{own}\n\n{signature}\n\n{said}\n\n{quoted}"


_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _msgid(rng: random.Random, person: Person) -> str:
    token = "".join(rng.choices(_ID_CHARS, k=40))
    host = "mail.gmail.com" if person.mailer == "gmail" else person.sends_from.split("@")[1]
    return f"<CA{token}@{host}>"


# --- the mbox ------------------------------------------------------------------------------------


def mail_bytes(rng: random.Random, mail: Mail) -> bytes:
    """One mbox entry: the envelope line, headers (RFC 2047 for non-ASCII names), a text/plain
    UTF-8 body sent 8bit or quoted-printable, ">From " escaping (mboxrd)."""
    headers = [
        f"From: {formataddr((mail.author.display, mail.author.sends_from), 'utf-8')}",
        f"To: {LIST}",
        f"Date: {format_datetime(_local(mail.author, mail.sent))}",
        f"Message-ID: {mail.msgid}",
        f"Subject: {mail.subject}",
        f"List-Id: <dev.{PROJECT}.apache.org>",
    ]
    if mail.references:
        headers.append(f"In-Reply-To: {mail.references[-1]}")
        headers.append("References: " + "\n ".join(mail.references))
    body = mail.body if rng.random() < 0.7 else f"{mail.body}\n\n{FOOTER}"
    data = (body.rstrip("\n") + "\n").encode("utf-8")
    encoding = "8bit"
    if rng.random() < 0.3:
        data, encoding = binascii.b2a_qp(data, istext=True), "quoted-printable"
    headers += [
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="UTF-8"',
        f"Content-Transfer-Encoding: {encoding}",
    ]
    stamp = mail.sent.astimezone(UTC).strftime("%a %b %d %H:%M:%S %Y")
    head = f"From {mail.author.sends_from} {stamp}\n" + "\n".join(headers) + "\n\n"
    return head.encode("ascii") + _FROM_LINE.sub(rb">\1", data) + b"\n"


@dataclass(frozen=True)
class Archive:
    votes: list[Vote]
    people: list[Person]  # the roster's members
    community: list[Person]  # voters not on the roster
    mails: list[Mail]

    @property
    def everyone(self) -> list[Person]:
        return [*self.people, *self.community]


def make_archive(
    seed: int, votes: int = 1000, share: float = 0.3, shapes: Sequence[str] = SHAPES
) -> Archive:
    rng = random.Random(seed)
    pmc, committers, community = make_people(rng)
    maker = VoteMaker(rng, pmc, committers, community)
    made: list[Vote] = []
    start = FIRST_VOTE
    for plan in make_plans(rng, votes, share, shapes):
        made.append(maker.make(plan, start))
        start += timedelta(hours=rng.uniform(12, 60))
    mails = sorted((m for v in made for m in v.mails), key=lambda m: m.sent)
    return Archive(made, [*pmc, *committers], community, mails)


def write_mbox(archive: Archive, path: str, seed: int) -> None:
    rng = random.Random(seed * 7919 + 1)
    with open(path, "wb") as out:
        for mail in archive.mails:
            out.write(mail_bytes(rng, mail))
