from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from harvester.core.rules import RuleSettings, choose_rule, decide, rule_named_in
from harvester.model import Ballot, Electorate, Match, RuleName, Status, Tally, Value, Window
from tests.core.factories import T0

CLOSED = Window(T0, T0 + timedelta(hours=72), T0 + timedelta(days=4), "result")
NOW = T0 + timedelta(days=10)


def make_tally(
    plus: int,
    zero: int,
    minus: int,
    *,
    size: int = 10,
    window: Window = CLOSED,
    non_binding_plus: int = 0,
) -> Tally:
    def ballots(value: Value, n: int, binding: bool) -> list[Ballot]:
        return [
            Ballot(
                f"{value.value}-{binding}-{i}",
                None,
                (),
                binding,
                value,
                value.value,
                T0 + timedelta(hours=i),
                "u",
                Match.ASF_ADDRESS,
            )
            for i in range(n)
        ]

    shown = (
        ballots(Value.PLUS, plus, True)
        + ballots(Value.ZERO, zero, True)
        + ballots(Value.MINUS, minus, True)
        + ballots(Value.PLUS, non_binding_plus, False)
    )
    return Tally(
        "[VOTE] X", window, Electorate.PMC, tuple(shown), tuple(shown), (), (), electorate_size=size
    )


@pytest.mark.parametrize(
    ("counts", "passes"),
    [
        ((2, 0, 1), True),  # 3 cast, 2 >= 2
        ((2, 1, 1), True),
        ((3, 0, 2), False),  # 3 < 4
        ((4, 0, 2), True),
        ((2, 0, 0), False),  # fewer than 3 votes
        ((1, 2, 0), True),  # zeros count toward votes cast by default
        ((0, 3, 0), True),
        ((3, 0, 0), True),
    ],
)
def test_lazy_two_thirds(counts: tuple[int, int, int], passes: bool) -> None:
    outcome = decide(make_tally(*counts), RuleName.LAZY_TWO_THIRDS, NOW, RuleSettings())
    assert (outcome.passes, outcome.status) == (passes, Status.PASSED if passes else Status.FAILED)


def test_lazy_two_thirds_strict_reading_ignores_zeros() -> None:
    strict = RuleSettings(zero_counts_as_cast=False)
    assert decide(make_tally(2, 1, 0), RuleName.LAZY_TWO_THIRDS, NOW, RuleSettings()).passes
    assert not decide(make_tally(2, 1, 0), RuleName.LAZY_TWO_THIRDS, NOW, strict).passes
    assert decide(make_tally(2, 1, 1), RuleName.LAZY_TWO_THIRDS, NOW, strict).passes


@pytest.mark.parametrize(
    ("counts", "passes"),
    [((2, 0, 0), False), ((3, 0, 3), False), ((3, 0, 2), True), ((3, 5, 0), True)],
)
def test_majority_approval(counts: tuple[int, int, int], passes: bool) -> None:
    assert (
        decide(make_tally(*counts), RuleName.MAJORITY_APPROVAL, NOW, RuleSettings()).passes
        is passes
    )


@pytest.mark.parametrize(
    ("counts", "passes"), [((3, 0, 0), True), ((5, 0, 1), False), ((2, 1, 0), False)]
)
def test_consensus_approval(counts: tuple[int, int, int], passes: bool) -> None:
    assert (
        decide(make_tally(*counts), RuleName.CONSENSUS_APPROVAL, NOW, RuleSettings()).passes
        is passes
    )


@pytest.mark.parametrize(
    ("counts", "passes"), [((0, 0, 0), True), ((1, 0, 0), True), ((9, 0, 1), False)]
)
def test_lazy_consensus(counts: tuple[int, int, int], passes: bool) -> None:
    assert (
        decide(make_tally(*counts), RuleName.LAZY_CONSENSUS, NOW, RuleSettings()).passes is passes
    )


@pytest.mark.parametrize(
    ("plus", "size", "minimum", "passes"),
    [(5, 10, 4, False), (6, 10, 4, True), (4, 7, 4, True), (3, 5, 4, False), (3, 5, 3, True)],
)
def test_pmc_majority(plus: int, size: int, minimum: int, passes: bool) -> None:
    settings = RuleSettings(pmc_majority_minimum=minimum)
    tally = make_tally(plus, 0, 0, size=size)
    assert decide(tally, RuleName.PMC_MAJORITY, NOW, settings).passes is passes


def test_non_binding_votes_never_decide() -> None:
    tally = make_tally(1, 0, 0, non_binding_plus=20)
    outcome = decide(tally, RuleName.MAJORITY_APPROVAL, NOW, RuleSettings())
    assert not outcome.passes
    assert (outcome.binding.plus, outcome.non_binding.plus) == (1, 20)


def test_open_vote_says_what_would_happen() -> None:
    tally = make_tally(3, 0, 0, window=Window(T0, T0 + timedelta(hours=72)))
    outcome = decide(tally, RuleName.LAZY_TWO_THIRDS, NOW, RuleSettings())
    assert outcome.status is Status.OPEN
    assert outcome.explanation.startswith("Open: would pass under lazy 2/3 majority if closed now")


def test_vote_not_yet_at_its_close_time_is_open() -> None:
    later = Window(T0, None, NOW + timedelta(hours=1), "deadline")
    outcome = decide(
        make_tally(3, 0, 0, window=later), RuleName.LAZY_TWO_THIRDS, NOW, RuleSettings()
    )
    assert outcome.status is Status.OPEN


def test_explanation_shows_the_arithmetic() -> None:
    outcome = decide(make_tally(3, 0, 2), RuleName.LAZY_TWO_THIRDS, NOW, RuleSettings())
    assert outcome.explanation == (
        "Failed under lazy 2/3 majority: binding votes cast (+1, 0 and -1) = 5 >= 3: yes; "
        "binding +1 = 3 >= 2 x binding -1 = 4: no."
    )


def test_cancelled_vote_fails() -> None:
    tally = replace(make_tally(5, 0, 0), cancelled=True)
    outcome = decide(tally, RuleName.LAZY_TWO_THIRDS, NOW, RuleSettings())
    assert outcome.status is Status.FAILED
    assert outcome.explanation.startswith("Cancelled; under lazy 2/3 majority it would have passed")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("This vote follows the lazy 2/3 majority rule.", RuleName.LAZY_TWO_THIRDS),
        ("It needs a two-thirds majority of binding votes", RuleName.LAZY_TWO_THIRDS),
        ("Release votes use majority approval.", RuleName.MAJORITY_APPROVAL),
        ("lazy majority applies", RuleName.MAJORITY_APPROVAL),
        ("We proceed by lazy consensus.", RuleName.LAZY_CONSENSUS),
        ("consensus approval is needed", RuleName.CONSENSUS_APPROVAL),
        ("Please vote.", None),
    ],
)
def test_rule_named_in_call(text: str, rule: RuleName | None) -> None:
    assert rule_named_in(text) is rule


def test_choose_rule_order() -> None:
    assert choose_rule("by lazy consensus", RuleName.PMC_MAJORITY, RuleName.LAZY_TWO_THIRDS) is (
        RuleName.LAZY_CONSENSUS
    )
    assert (
        choose_rule("vote", RuleName.PMC_MAJORITY, RuleName.LAZY_TWO_THIRDS)
        is RuleName.PMC_MAJORITY
    )
    assert choose_rule("vote", None, RuleName.LAZY_TWO_THIRDS) is RuleName.LAZY_TWO_THIRDS
