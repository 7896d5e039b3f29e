"""The vote's own [RESULT] against the count: every disagreement as a sentence a PMC can act on.

What hand counts get wrong (published TVM results hold each of these): a voter left out or added,
a number that disagrees with the result's own list, a binding mark the roster contradicts, an
outcome the rule does not give, no binding marks at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from harvester.core.announcement import Claims, Listed
from harvester.core.identity import normalise_name
from harvester.core.rules import RULE_TITLES
from harvester.model import (
    Announcement,
    Ballot,
    Counts,
    Electorate,
    Member,
    Outcome,
    Roster,
    Status,
    Tally,
    Value,
)

_VALUES = (Value.PLUS, Value.ZERO, Value.MINUS)
_BODY = {Electorate.PMC: "PMC", Electorate.COMMITTERS: "committers"}


def check_announcement(
    claims: Claims, tally: Tally, outcome: Outcome, roster: Roster
) -> Announcement:
    members = {m.id: m for m in roster.members}
    differences = [
        *_outcome_differences(claims, outcome),
        *_count_differences(claims, outcome),
        *_list_differences(claims),
        *_name_differences(claims, tally, members),
        *_binding_marks(claims, tally),
    ]
    return Announcement(
        claims.url,
        _stated(claims.binding, _listed_binding(claims)),
        _stated(claims.total, _listed_totals(claims)),
        tuple(dict.fromkeys(differences)),
    )


def _count(counts: Counts, value: Value) -> int:
    return {Value.PLUS: counts.plus, Value.ZERO: counts.zero, Value.MINUS: counts.minus}[value]


def _stated(
    stated: dict[Value, int], fallback: dict[Value, int]
) -> tuple[int | None, int | None, int | None] | None:
    said = [stated.get(v, fallback.get(v)) for v in _VALUES]
    return None if all(n is None for n in said) else (said[0], said[1], said[2])


def _listed_totals(claims: Claims) -> dict[Value, int]:
    return {v: sum(1 for x in claims.listed if x.value is v) for v in claims.listed_values}


def _listed_binding(claims: Claims) -> dict[Value, int]:
    if not any(x.binding is not None for x in claims.listed):
        return {}
    return {
        v: sum(1 for x in claims.listed if x.value is v and x.binding) for v in claims.listed_values
    }


def _votes(n: int, value: Value, binding: str = "") -> str:
    return f"{n} {binding}{value.value} vote{'' if n == 1 else 's'}"


def _outcome_differences(claims: Claims, outcome: Outcome) -> Iterable[str]:
    if claims.outcome not in ("passed", "failed") or outcome.status is Status.OPEN:
        return
    counted = "passed" if outcome.passes else "failed"
    if claims.outcome != counted:
        rule = RULE_TITLES.get(outcome.rule, outcome.rule.value)
        unmet = [c.text for c in outcome.conditions if not c.met] or [
            c.text for c in outcome.conditions
        ]
        why = f" ({'; '.join(unmet)})" if unmet else ""
        yield f"The result says the vote {claims.outcome}; under {rule} it {counted}{why}."


def _count_differences(claims: Claims, outcome: Outcome) -> Iterable[str]:
    for value in _VALUES:
        counted = _count(outcome.binding, value)
        said = claims.binding.get(value)
        if said is not None and said != counted:
            yield (
                f"The result says {_votes(said, value, 'binding ')}; the threads hold {counted}."
            )
        others = _count(outcome.non_binding, value)
        said = claims.non_binding.get(value)
        if said is not None and said != others:
            yield (
                f"The result says {_votes(said, value, 'non-binding ')}; the threads hold {others}."
            )
        total = counted + others
        said = claims.total.get(value)
        if said is not None and said != total:
            yield f"The result says {_votes(said, value)} in all; the threads hold {total}."


def _list_differences(claims: Claims) -> Iterable[str]:
    """Numbers that disagree with the result's own list of names."""
    listed = _listed_totals(claims)
    for value in _VALUES:
        said = claims.total.get(value)
        if said is not None and value in listed and listed[value] != said:
            names = listed[value]
            yield (
                f"The result says {_votes(said, value)} but lists {names} "
                f"name{'' if names == 1 else 's'} under {value.value}."
            )
    marked = _listed_binding(claims)
    for value in _VALUES:
        said = claims.binding.get(value)
        if said is not None and value in marked and marked[value] != said:
            yield (
                f"The result says {_votes(said, value, 'binding ')} but marks "
                f"{marked[value]} of its {value.value} names binding."
            )
    for value in _VALUES:
        said = claims.non_binding.get(value)
        listed_others = sum(1 for x in claims.listed if x.value is value and x.binding is False)
        if said is not None and value in claims.listed_values and listed_others != said:
            plural = "" if listed_others == 1 else "s"
            yield (
                f"The result says {_votes(said, value, 'non-binding ')} but lists "
                f"{listed_others} non-binding {value.value} name{plural}."
            )
    twice = Counter((normalise_name(x.name), x.value) for x in claims.listed)
    for x in claims.listed:
        if twice[(normalise_name(x.name), x.value)] > 1:
            yield f"The result lists {x.name} more than once under {x.value.value}."


def _keys(ballot: Ballot, members: dict[str, Member]) -> set[str]:
    keys = {normalise_name(ballot.voter)}
    member = members.get(ballot.member_id or "")
    if member is not None:
        keys |= {member.id.lower(), normalise_name(member.name), *map(str.lower, member.github)}
        keys |= {a.lower().partition("@")[0] for a in member.emails if a.endswith("apache.org")}
    for username in ballot.usernames:
        keys.add(username.lower())
        if username.lower().endswith("@apache.org"):
            keys.add(username.lower().partition("@")[0])
    return {k for k in keys if k}


def _listed_keys(listed: Listed) -> set[str]:
    keys = {normalise_name(listed.name), listed.name.lower()}
    for alias in listed.aliases:
        keys |= {alias, normalise_name(alias), alias.partition("@")[0]}
    return {k for k in keys if k}


def _match(listed: Listed, ballots: Sequence[Ballot], members: dict[str, Member]) -> Ballot | None:
    wanted = _listed_keys(listed)
    found = [b for b in ballots if wanted & _keys(b, members)]
    counted = [b for b in found if b.counted]
    chosen = counted or found
    return chosen[0] if chosen else None


def _name_differences(claims: Claims, tally: Tally, members: dict[str, Member]) -> Iterable[str]:
    if not claims.listed_values:
        return  # a result without lists names nobody: nothing to compare name by name
    ballots = list(tally.ballots)
    matched: set[int] = set()
    for listed in claims.listed:
        ballot = _match(listed, ballots, members)
        if ballot is None:
            yield (
                f"The result lists {listed.name} under {listed.value.value}, but no vote of "
                f"{listed.name} is in the threads."
            )
            continue
        matched.add(id(ballot))
        yield from _listed_against(listed, ballot, tally.electorate)
    for ballot in ballots:
        if ballot.counted and id(ballot) not in matched and _expected(claims, ballot):
            binding = " (binding)" if ballot.binding else ""
            yield f"The result leaves out {ballot.voter}'s {ballot.value.value}{binding}."


def _expected(claims: Claims, ballot: Ballot) -> bool:
    """Whether the result's lists should name this ballot: a value it lists, and not a
    non-binding one where it lists only binding votes ("+1 (binding):" alone)."""
    if ballot.value not in claims.listed_values:
        return False
    return ballot.binding or claims.headings.get(ballot.value) != {True}


def _listed_against(listed: Listed, ballot: Ballot, electorate: Electorate) -> Iterable[str]:
    name = listed.name
    if not ballot.counted:
        yield (
            f"The result counts {name}'s {listed.value.value}, but it came after the vote "
            "closed and is not counted."
        )
        return
    if ballot.value is not listed.value:
        yield (
            f"The result lists {name} under {listed.value.value}, but {name}'s counted vote "
            f"is {ballot.value.value}."
        )
    body = _BODY.get(electorate, electorate.value)
    if listed.binding is True and not ballot.binding:
        yield f"The result marks {name} binding, but {name} is not in the {body} on the roster."
    if listed.binding is False and ballot.binding:
        yield f"The result marks {name} non-binding, but {name} is in the {body} on the roster."


def _binding_marks(claims: Claims, tally: Tally) -> Iterable[str]:
    binding = sum(1 for b in tally.ballots if b.counted and b.binding)
    if claims.says_anything and not claims.marks_binding and binding:
        yield (
            f"The result does not say which votes are binding; {binding} of the counted "
            f"vote{'' if binding == 1 else 's'} {'is' if binding == 1 else 'are'}."
        )
