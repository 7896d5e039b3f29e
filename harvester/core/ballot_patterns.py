"""Tables of named patterns for reading ballots (used by core/ballots.py).

One row per phrasing or language, each with its own example in tests/core/test_ballot_phrasings.py
(a test fails when a row has none), so the next phrasing people use is one row and one example.
Patterns run on text already put through NFKC, so full-width forms ("＋１", "同意，") need no rows.
"""

from __future__ import annotations

from typing import Final

# A sign as people type it: ASCII, the minus sign, the en dash, and "±0".
SIGN: Final = r"[+\-−–±]"

# A colon, but not the one that opens an emoji code such as ":+1:".
_COLON = rf":(?!{SIGN}\d+:)"
# Punctuation that ends a clause before the token: "Thanks for driving this, +1".
_CLAUSE_END = rf"(?:[,!.;]|{_COLON})"

# Lead-ins: words before a vote token at the start of a line ("I vote +1", "LGTM, +1").
# Rows may follow each other ("Yes, I vote +1", "I am voting +1"). A row ends where its
# words end; the punctuation after it is read by LEAD_IN_GAP.
LEAD_INS: Final[tuple[tuple[str, str], ...]] = (
    ("i-vote", r"I(?:['’]ll)?(?:\s+(?:also|hereby|will|shall|now|still))*\s+vote\b(?:\s+for\b)?"),
    ("voting", r"voting\b(?:\s+for\b)?"),
    ("my-vote", r"(?:my\s+(?:own\s+)?)?vote\b(?:\s+is\b)?"),
    ("here-is-my", r"here(?:['’]s|\s+is)\s+my(?:\s+own)?\b"),
    ("i-am", r"I(?:['’]m|\s+am)(?:\s+(?:also|still|now|a|definitely|firmly))*\b"),
    (
        "intensity",
        r"(?:a\s+)?(?:very\s+)?(?:big|huge|strong|strongly|definite|definitely|absolute|"
        r"absolutely|enthusiastic|hearty|solid|massive|firm|full)\b",
    ),
    # Only before a plain +1/0/-1: "binding +10, non-binding +3" is a running count.
    (
        "claim",
        rf"\(?(?:non[-\s]?binding|not\s+binding|binding)\)?(?=\s*(?:[:,]\s*)?{SIGN}\s?[01](?!\d))",
    ),
    # "Agree with Jane, +1"; "agree with Jane's -1" has no comma and is left to review.
    (
        "agree",
        r"(?:I\s+)?(?:also\s+|fully\s+|totally\s+|strongly\s+)?agree[ds]?\b"
        rf"(?:\s+with\s+[^,.;:!?\n{SIGN[1:-1]}]{{1,40}}?{_CLAUSE_END})?",
    ),
    ("chinese-agree", r"我?(?:也)?(?:同意|赞成|贊成)"),
    ("chinese-support", r"我?(?:也)?支持"),
    ("chinese-vote", r"我?(?:也)?投(?:了)?(?:票)?"),
    ("japanese-agree", r"(?:私も?)?賛成(?:します|です|いたします)?(?:[。、]|\s)*[（(]?"),
    ("german-vote", r"(?:ich\s+stimme(?:\s+mit)?|von\s+mir(?:\s+(?:ein|eine|ganz\s+klar))?)\b"),
    ("french-vote", r"(?:je\s+vote|mon\s+vote(?:\s+est)?|de\s+ma\s+part)\b"),
    ("spanish-vote", r"(?:mi\s+voto(?:\s+es)?|voto)\b"),
    ("in-favour", r"(?:I\s+am\s+)?in\s+favou?r(?:\s+of\s+(?:this|it|the\s+proposal))?\b"),
    ("conclusion", r"(?:overall|hence|so|thus|therefore|in\s+short|in\s+summary|all\s+in\s+all)\b"),
    ("update", r"(?:update|edit|edited|updated)\b"),
    ("lgtm", r"LGTM\b"),
    (
        "looks-good",
        r"(?:it\s+|this\s+)?(?:looks|sounds|seems)\s+(?:good|great|fine)(?:\s+to\s+me)?\b",
    ),
    ("yes", r"(?:yes|yep|yeah)\b"),
    ("also", r"(?:also|me\s+too|same\s+here|likewise)\b"),
    # "Thanks for driving this, +1": the thanks must end in punctuation before the token, so
    # "thanks for the +1" stays a mention.
    ("thanks", rf"thanks?(?:\s+you)?\b[^\n{SIGN[1:-1]}]{{0,60}}?{_CLAUSE_END}"),
)
# A colon before ":+1:" belongs to the emoji code, which counts only when emoji votes do.
LEAD_IN_GAP: Final[str] = rf"(?:[\s,;.!。、]|{_COLON})*"

# Mentions: a vote-like token in prose that is not a vote. Each row is searched in a context
# string "<before>⟦<token>⟧<after>" built around one token, so a row can look either way.
OPEN, CLOSE = "⟦", "⟧"
_BINDING_ADJ = r"(?:(?:non[-\s]?)?binding\s+)?"
MENTIONS: Final[tuple[tuple[str, str], ...]] = (
    (
        "determiner",
        r"\b(?:the|those|these|any|no|many|several|enough|all|each|every|few|fewer|such)\s+"
        + _BINDING_ADJ
        + "⟦",
    ),
    (
        "possessive",
        r"(?:\b(?!(?:it|that|here|there|what|he|she|who|let|where|how)['’]s\b)\w+['’]s"
        r"|\b(?:your|his|her|their|our))\s+" + _BINDING_ADJ + "⟦",
    ),
    (
        "count",
        r"(?:\b\d+|\b(?:two|three|four|five|six|seven|eight|nine|ten))\s+(?:more\s+)?"
        + _BINDING_ADJ
        + "⟦",
    ),
    ("plural", r"⟧['’]?s\b"),
    (
        "votes-noun",
        r"⟧\s+(?:votes|ballots)\b|⟧\s+(?:vote|ballot)\s+(?:is|are|was|were|needed|required|"
        r"needs|counts?|from\s+(?!me\b))",
    ),
    (
        "a-token-does",
        r"\ban?\s+⟦[^⟧]*⟧\s+(?:is|was|would|will|means|counts|must|should|can|could|needs|"
        r"requires|blocks|has)\b",
    ),
    (
        "alternative",
        r"\b(?:or|nor|vs\.?|versus)\s+⟦|⟧\s+(?:or|nor|vs\.?|versus)\s+(?:a\s+)?[+\-−–±0]",
    ),
    # Within one clause: "Thanks for driving this, I'd say +1" is a vote, not a mention.
    ("thanks-for", r"\bthanks?(?:\s+you)?\b[^⟦.!?,;]*\bfor\b[^⟦.!?,;]*⟦"),
    (
        "someone-else",
        r"\b(?:if|unless|when|whether)\s+(?:you|anyone|someone|somebody|anybody|people|others?|"
        r"they|a\s+\w+\s+member)\b[^⟦.;!?]*⟦|\b(?:please|pls)\s+(?:vote\s+|reply\s+|respond\s+)?"
        r"(?:with\s+)?⟦",
    ),
    # "+1 from Bob" reports someone else's vote; "+1 from me" is one's own.
    (
        "from-someone",
        r"⟧\s+(?:\((?:non[-\s]?)?binding\)\s+)?(?:from|by)\s+(?!me\b)(?:@\w|(?-i:[A-Z]))",
    ),
    # The value someone had before: "+1 (was -1)".
    ("was-before", r"\(\s*(?:was|previously|formerly|before|changed\s+from)\s*:?\s*⟦"),
    # A token negated earlier in its sentence is not cast: "not enough to vote +1".
    ("negated", r"(?:\b(?:not|never|nor)|n['’]t)\b[^⟦.!?;]{0,60}⟦"),
    ("quoted-token", r"[\"'“‘«`]⟦[^⟧]*⟧[\"'”’»`]"),
    ("emoji-code", r":⟦[^⟧]*⟧:"),
    ("arithmetic", r"[A-Za-z0-9)\]]\s*⟦[+\-−–±]\s"),
    ("phone", r"⟧[\s\-.]?\(?\d{3}\)?[\s\-.]?\d{3}"),
    ("timezone", r"\b(?-i:UTC|GMT|CET|CEST|PST|PDT|EST|EDT|IST|JST|BST)\s*⟦"),
    (
        "listing-count",
        r"⟧\s*(?:\((?:non[-\s]?)?binding\)\s*)?(?:votes?\s*)?[:=：]\s*(?:none|nobody|no\s*one|"
        r"n/?a|\d+(?:\s+votes?)?)\s*(?:[,;.)(]|$)",
    ),
)

# Not a mention, whatever a row says: a token the author endorses ("I agree with Jane's -1").
ENDORSEMENT: Final = (
    r"\b(?:agree[ds]?|support(?:s|ed)?|second(?:s|ed)?|echo(?:es|ed)?|concur|share)\s+"
    r"(?:with\s+)?(?:the\s+)?(?:@?[\w.-]+['’]s|your|his|her|their)\s+" + _BINDING_ADJ + "⟦"
)

# Result listings: "+1 (binding): Alice, Bob", "-1: none", "+1: 5".
LISTING_HEAD: Final = r"^\s*(?:[(\[]?(?:non[-\s]?)?binding[)\]]?\s*)?(?:votes?\s*)?[:=：]\s*"
LISTING_EMPTY: Final = r"^(?:none|nobody|no\s*one|n/?a|nil|-+|—|无|無)\s*[.,]?$"
LISTING_COUNT: Final = r"^\d+(?:\s+votes?)?(?:\s*\([^)]*\))?\s*[.,]?$"
# The items end at ";", at the end of a sentence, or where the next value's list starts
# ("+1: A, B, -1: none").
# A run of commas and spaces is tried from its start only (the look-behinds): the lookahead
# can hold only at its end, and trying every place in a long run cost quadratic time.
LISTING_ITEMS_END: Final[str] = rf";|[.!?](?:\s|$)|(?<![,\s])[,\s]+(?={SIGN}\s?\d|0\s*[:=])"
LISTING_SPLIT: Final = r"(?:[,，、&]|\band\b)\s*|(?<!\s)\s+(?:[,，、&]|\band\b)\s*"
# A name as a result lists it: "Tianqi Chen (tqchen)", "Alice*", "@bob", "陈天奇".
NAME_STRICT: Final = (
    r"^@?(?:[A-Z][\w.'’-]*|[\u3400-\u9fff]{2,4})(?:\s+[A-Z][\w.'’-]*){0,3}"
    r"(?:\s*\([^)]*\))?\s*\*?$"
)
# In a message that is plainly a result, ASF ids and logins are names too: "tqchen, junrushao".
NAME_LOOSE: Final = r"^@?[\w.'’-]+(?:\s*\([^)]*\))?\s*\*?$"
# Words that make a message a result or a closing summary.
RESULT_CUES: Final = (
    r"\b(?:(?:vote|voting)\s+(?:results?|summary)|results?\s+(?:so\s+far|of\s+the\s+vot\w*)|"
    r"tally|summary\s+of\s+(?:the\s+)?vot\w*|final\s+count|"
    r"the\s+vote\s+(?:has\s+)?(?:passed|passes|failed|closed|is\s+closed)|"
    r"votes?\s+(?:so\s+far|received|cast))\b"
)
# A running count on one line: "binding +3, non-binding +1", "Binding: 2, Total: 5".
TALLY_ITEM: Final = (
    r"\b(?:(?:non[-\s]?)?binding|total|pmc|committers?)\s*(?:votes?\s*)?(?:[:=]\s*)?[+\-]?\s?\d+\b"
)
