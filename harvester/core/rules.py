"""Tally + rule -> Outcome, with the arithmetic spelled out. Each rule lives here and only here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from harvester.model import Condition, Counts, Outcome, ReviewItem, RuleName, Status, Tally, Value

# Phrases a call for votes uses to name its rule, most specific first.
_RULE_PHRASES: tuple[tuple[re.Pattern[str], RuleName], ...] = (
    (
        re.compile(r"\b(?:lazy\s+)?(?:2/3|two[-\s]thirds?)\s+majority\b", re.I),
        RuleName.LAZY_TWO_THIRDS,
    ),
    (re.compile(r"\bconsensus\s+approval\b", re.I), RuleName.CONSENSUS_APPROVAL),
    (re.compile(r"\b(?:majority\s+approval|lazy\s+majority)\b", re.I), RuleName.MAJORITY_APPROVAL),
    (re.compile(r"\blazy\s+consensus\b", re.I), RuleName.LAZY_CONSENSUS),
    (re.compile(r"\bmajority\s+of\s+(?:the\s+)?PMC\b", re.I), RuleName.PMC_MAJORITY),
)

RULE_TITLES = {
    RuleName.LAZY_TWO_THIRDS: "lazy 2/3 majority",
    RuleName.MAJORITY_APPROVAL: "majority approval",
    RuleName.CONSENSUS_APPROVAL: "consensus approval",
    RuleName.LAZY_CONSENSUS: "lazy consensus",
    RuleName.PMC_MAJORITY: "majority of the PMC",
}


def rule_named_in(text: str) -> RuleName | None:
    for pattern, rule in _RULE_PHRASES:
        if pattern.search(text):
            return rule
    return None


def parse_rule_name(name: str) -> RuleName | None:
    try:
        return RuleName(name.strip().lower())
    except ValueError:
        return None


def choose_rule(call_text: str, requested: RuleName | None, default: RuleName) -> RuleName:
    """The call text wins when it names a rule, then --rule, then the configured default."""
    return rule_named_in(call_text) or requested or default


@dataclass(frozen=True)
class RuleSettings:
    zero_counts_as_cast: bool = True  # lazy-2/3: does a 0 count toward "votes cast"?
    pmc_majority_minimum: int = 4  # "more than three PMC members endorse"


def count(tally: Tally, *, binding: bool) -> Counts:
    ballots = tally.counted(binding=binding)
    return Counts(
        plus=sum(1 for b in ballots if b.value is Value.PLUS),
        zero=sum(1 for b in ballots if b.value is Value.ZERO),
        minus=sum(1 for b in ballots if b.value is Value.MINUS),
    )


def _yes(ok: bool) -> str:
    return "yes" if ok else "no"


def _condition(
    label: str, have: float, relation: str, need: float, shown: str, *, quorum: bool = False
) -> Condition:
    met = Condition(label, have, relation, need, "").met
    return Condition(label, have, relation, need, f"{shown}: {_yes(met)}", quorum)


def lazy_two_thirds(c: Counts, tally: Tally, s: RuleSettings) -> list[Condition]:
    cast = c.cast if s.zero_counts_as_cast else c.plus + c.minus
    which = "+1, 0 and -1" if s.zero_counts_as_cast else "+1 and -1"
    return [
        _condition(
            "binding votes cast",
            cast,
            ">=",
            3,
            f"binding votes cast ({which}) = {cast} >= 3",
            quorum=True,
        ),
        _condition(
            "binding +1 against 2 × binding -1",
            c.plus,
            ">=",
            2 * c.minus,
            f"binding +1 = {c.plus} >= 2 x binding -1 = {2 * c.minus}",
        ),
    ]


def majority_approval(c: Counts, tally: Tally, s: RuleSettings) -> list[Condition]:
    return [
        _condition("binding +1", c.plus, ">=", 3, f"binding +1 = {c.plus} >= 3", quorum=True),
        _condition(
            "binding +1 against binding -1",
            c.plus,
            ">",
            c.minus,
            f"binding +1 = {c.plus} > binding -1 = {c.minus}",
        ),
    ]


def consensus_approval(c: Counts, tally: Tally, s: RuleSettings) -> list[Condition]:
    return [
        _condition("binding +1", c.plus, ">=", 3, f"binding +1 = {c.plus} >= 3", quorum=True),
        _condition("binding -1", c.minus, "==", 0, f"binding -1 = {c.minus} = 0"),
    ]


def lazy_consensus(c: Counts, tally: Tally, s: RuleSettings) -> list[Condition]:
    return [_condition("binding -1", c.minus, "==", 0, f"binding -1 = {c.minus} = 0")]


def pmc_majority(c: Counts, tally: Tally, s: RuleSettings) -> list[Condition]:
    size = tally.electorate_size
    half = size / 2
    least = s.pmc_majority_minimum
    return [
        _condition(
            f"binding +1 against half of the {size} members",
            c.plus,
            ">",
            half,
            f"binding +1 = {c.plus} > half of the {size} members of the electorate = {half:g}",
            quorum=True,
        ),
        _condition(
            "binding +1", c.plus, ">=", least, f"binding +1 = {c.plus} >= {least}", quorum=True
        ),
    ]


RuleCheck = Callable[[Counts, Tally, RuleSettings], list[Condition]]
RULES: dict[RuleName, RuleCheck] = {
    RuleName.LAZY_TWO_THIRDS: lazy_two_thirds,
    RuleName.MAJORITY_APPROVAL: majority_approval,
    RuleName.CONSENSUS_APPROVAL: consensus_approval,
    RuleName.LAZY_CONSENSUS: lazy_consensus,
    RuleName.PMC_MAJORITY: pmc_majority,
}


def is_closed(tally: Tally, now: datetime) -> bool:
    closes_at = tally.window.closes_at
    return closes_at is not None and closes_at <= now


def _passes_with(values: dict[str, Value], tally: Tally, rule: RuleName, s: RuleSettings) -> bool:
    counted = list(values.values())
    counts = Counts(
        counted.count(Value.PLUS), counted.count(Value.ZERO), counted.count(Value.MINUS)
    )
    return all(c.met for c in RULES[rule](counts, tally, s))


def pending_review(
    tally: Tally, rule: RuleName, settings: RuleSettings, passes: bool
) -> tuple[ReviewItem, ...]:
    """The open review items whose answer could change the outcome: would the rule decide
    otherwise without an unconfirmed ballot (or all of them), or with a flagged, blocked or
    possible ballot counted as any value it could stand for?"""
    base = {b.member_id or b.url: b.value for b in tally.counted(binding=True)}
    doubts = [d for d in tally.doubts if d.binding]

    def differs(values: dict[str, Value]) -> bool:
        return _passes_with(values, tally, rule, settings) != passes

    matter: list[ReviewItem] = []
    for doubt in doubts:
        key = doubt.member_id or doubt.item.url
        without = {k: v for k, v in base.items() if k != key}
        scenarios = ([without] if doubt.counted is not None else []) + [
            {**base, key: value} for value in doubt.possible
        ]
        if any(differs(values) for values in scenarios):
            matter.append(doubt.item)
    unconfirmed = [d for d in doubts if d.counted is not None]
    keys = {d.member_id or d.item.url for d in unconfirmed}
    if unconfirmed and differs({k: v for k, v in base.items() if k not in keys}):
        matter.extend(d.item for d in unconfirmed)
    return tuple(dict.fromkeys(matter))


def decide(tally: Tally, rule: RuleName, now: datetime, settings: RuleSettings) -> Outcome:
    """Apply the rule to the binding ballots; an open vote says what would happen now, and an
    outcome that rests on unconfirmed or flagged ballots says so."""
    binding, non_binding = count(tally, binding=True), count(tally, binding=False)
    conditions = tuple(RULES[rule](binding, tally, settings))
    passes = all(c.met for c in conditions)
    pending = pending_review(tally, rule, settings, passes)
    arithmetic = "; ".join(c.text for c in conditions)
    title = RULE_TITLES[rule]
    if tally.cancelled:
        status = Status.FAILED
        sentence = f"Cancelled; under {title} it would have {_past(passes)}"
    elif is_closed(tally, now):
        status = Status.PASSED if passes else Status.FAILED
        sentence = f"{_past(passes).capitalize()} under {title}"
    else:
        status = Status.OPEN
        sentence = f"Open: would {'pass' if passes else 'fail'} under {title} if closed now"
    if pending:
        sentence += f", pending review of {len(pending)} {'item' if len(pending) == 1 else 'items'}"
    explanation = f"{sentence}: {arithmetic}."
    return Outcome(rule, status, passes, explanation, binding, non_binding, conditions, pending)


def _past(passes: bool) -> str:
    return "passed" if passes else "failed"
