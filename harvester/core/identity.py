"""Author -> roster member, in the design's order, recording which step matched."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from harvester.model import Author, Identity, IdentityVerdict, Match, Member, Roster

_ASF_DOMAIN = "apache.org"
_GITHUB_SENDERS = frozenset({"notifications@github.com", "noreply@github.com"})
# "Jane via dev", and Discourse mailing-list mode: "Jane via Apache TVM Discuss"
# The shortest name and list end in white space only when one character long: so they stop
# short of a run of it, rather than try every split of it.
_VIA = re.compile(
    r"^(?P<name>.+?)(?:(?<!\s)|(?<=^.))\s+via\s+(?P<list>\S.*?)(?<!\s)\s*$", re.IGNORECASE
)
_GITHUB_NAME_SUFFIX = re.compile(r"(?<!\s)\s*\(@?(?P<login>[\w-]+)\)\s*$")
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})  # controls, format (zero-width, bidi)
_LOOK_ALIKE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"})


def normalise_address(address: str) -> str:
    """Lower-case; drop the ".INVALID" ezmlm appends for DMARC-rejecting domains."""
    cleaned = str.lower(address.strip().strip("<>"))
    return cleaned.removesuffix(".invalid")


def asf_id(address: str) -> str | None:
    local, _, domain = normalise_address(address).partition("@")
    return local if domain == _ASF_DOMAIN and local else None


def _visible(text: str) -> str:
    """Without zero-width, bidi and control characters: they hide inside names unseen."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)


@functools.lru_cache(maxsize=1 << 14)  # the same voters' names, message after message
def normalise_name(name: str) -> str:
    """Case, accents, width, punctuation, spacing and word order do not tell people apart:
    "Chen, Tianqi", "tianqi  chen" and full-width "Ｔｉａｎｑｉ Ｃｈｅｎ" are the same name."""
    text = unicodedata.normalize("NFKC", _visible(name)).strip().strip("\"'")
    if text.count(",") == 1:
        last, first = text.split(",")
        text = f"{first} {last}"
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.findall(r"\w+", bare.casefold())
    return " ".join(sorted(words))


@functools.lru_cache(maxsize=1 << 14)
def confusable_scripts(name: str) -> tuple[str, ...]:
    """The look-alike scripts a name mixes ("Hаnnah" with a Cyrillic а): such a name only
    looks like a member's. Latin beside CJK ("Tianqi Chen 陈天奇") is no disguise."""
    found: set[str] = set()
    for ch in unicodedata.normalize("NFKC", name):
        if ch.isalpha():
            script = unicodedata.name(ch, "").partition(" ")[0]
            if script in _LOOK_ALIKE_SCRIPTS:
                found.add(script)
    return tuple(sorted(found)) if len(found) > 1 else ()


@dataclass(frozen=True)
class RosterIndex:
    """Look-up tables over a roster, built once per tally."""

    by_id: dict[str, Member]
    by_address: dict[str, Member]
    by_username: dict[str, Member]
    by_name: dict[str, list[Member]]
    confirmed: dict[str, Member] = field(default_factory=dict)  # identity -> member, by a person
    rejected: frozenset[tuple[str, str]] = frozenset()  # (identity, member id) said not to match


def index_roster(roster: Roster, verdicts: Iterable[IdentityVerdict] = ()) -> RosterIndex:
    by_id: dict[str, Member] = {}
    by_address: dict[str, Member] = {}
    by_username: dict[str, Member] = {}
    by_name: dict[str, list[Member]] = {}
    for member in roster.members:
        by_id[str.lower(member.id)] = member
        for address in member.emails:
            by_address[normalise_address(address)] = member
        for username in (*member.github, *member.discourse):
            by_username[str.lower(username)] = member
        by_name.setdefault(normalise_name(member.name), []).append(member)
    confirmed: dict[str, Member] = {}
    rejected: set[tuple[str, str]] = set()
    for verdict in verdicts:  # oldest first: a later word on the same identity wins
        named = by_id.get(str.lower(verdict.member_id))
        key = str.lower(verdict.identity.strip())
        if verdict.confirmed and named is not None:
            confirmed[key] = named
        elif not verdict.confirmed:
            rejected.add((key, str.lower(verdict.member_id)))
            confirmed.pop(key, None)
    return RosterIndex(by_id, by_address, by_username, by_name, confirmed, frozenset(rejected))


def _by_addresses(index: RosterIndex, addresses: Iterable[str]) -> tuple[Member, Match] | None:
    for address in addresses:
        if not address:
            continue
        found = asf_id(address)
        if found and found in index.by_id:
            return index.by_id[found], Match.ASF_ADDRESS
        member = index.by_address.get(normalise_address(address))
        if member:
            return member, Match.LISTED_ADDRESS
        member = index.confirmed.get(normalise_address(address))
        if member:
            return member, Match.CONFIRMED
    return None


def _by_username(index: RosterIndex, username: str) -> Member | None:
    """A login or username on the roster, or one a person confirmed as the member's."""
    key = str.lower(username)
    return index.by_username.get(key) or index.confirmed.get(key)


def _by_name(index: RosterIndex, name: str) -> Member | None:
    candidates = index.by_name.get(normalise_name(name), []) if name.strip() else []
    return candidates[0] if len(candidates) == 1 else None


def _identities(author: Author, *extra: str) -> tuple[str, ...]:
    """What the sources called this person; a list's or GitHub's shared sender address is
    nobody's identity."""
    address = normalise_address(author.address)
    if address in _GITHUB_SENDERS or dmarc_name(author) is not None:
        address = ""
    seen = [author.username, author.github_sender, address, *map(normalise_address, extra)]
    return tuple(dict.fromkeys(value for value in seen if value))


def identity_of(author: Author) -> str:
    """The one address or username a person can confirm or reject for this author: the
    sender's own, never a list's or GitHub's shared address."""
    found = _identities(author)
    return found[0] if found else ""


def _matched(author: Author, member: Member, match: Match, *extra: str) -> Identity:
    return Identity(member.name, member, match, _identities(author, *extra))


def _unmatched(author: Author, name: str, reason: str, *extra: str) -> Identity:
    shown = name or author.username or normalise_address(author.address) or "(unknown)"
    return Identity(shown, None, Match.UNKNOWN, _identities(author, *extra), reason=reason)


def _by_display_name(author: Author, index: RosterIndex, name: str, why: str) -> Identity:
    mixed = confusable_scripts(name)
    if mixed:
        scripts = " and ".join(script.title() for script in mixed)
        return _unmatched(author, name, f"name mixes {scripts} letters: matched to nobody ({why})")
    member = _by_name(index, name)
    if member and any((who, str.lower(member.id)) in index.rejected for who in _identities(author)):
        return _unmatched(author, name, f"a person said this is not {member.id} ({why})")
    if member:
        return Identity(
            member.name,
            member,
            Match.DISPLAY_NAME,
            _identities(author),
            low_confidence=True,
            reason=f"matched to {member.id} by display name only ({why})",
        )
    return _unmatched(author, name, f"not on the roster ({why})")


def identify_github_login(author: Author, index: RosterIndex) -> Identity:
    """A GitHub comment or notification mail: the login decides, then the display name."""
    login = author.github_sender or author.username
    shown = _GITHUB_NAME_SUFFIX.sub("", author.name)
    suffix = _GITHUB_NAME_SUFFIX.search(author.name)
    login = login or (suffix["login"] if suffix else "")
    member = _by_username(index, login) if login else None
    if member:
        step = Match.GITHUB_NOTIFICATION if author.address else Match.USERNAME
        return _matched(author, member, step, login)
    return _by_display_name(author, index, shown or login, f"GitHub login {login or '?'}")


def is_github_notification(author: Author) -> bool:
    return normalise_address(author.address) in _GITHUB_SENDERS


def dmarc_name(author: Author) -> str | None:
    """The person's name in "Jane Doe via dev <dev@…>", the list's DMARC rewrite."""
    found = _VIA.match(author.name)
    return found["name"].strip().strip("'\"") if found else None


def identify(author: Author, roster_index: RosterIndex) -> Identity:
    """Who wrote a message: roster member and the step that matched, or why none did."""
    if is_github_notification(author) or (author.username and not author.address):
        if author.github_sender or is_github_notification(author):
            return identify_github_login(author, roster_index)
        member = _by_username(roster_index, author.username)
        if member:
            step = (
                Match.USERNAME if str.lower(author.username) in roster_index.by_username else None
            )
            return _matched(author, member, step or Match.CONFIRMED)
        return _by_display_name(author, roster_index, author.name, f"user {author.username}")
    found = _by_addresses(roster_index, [author.address])
    if found:
        return _matched(author, *found)
    via = dmarc_name(author)
    if via is not None:
        # The list rewrote From: the SPF-checked envelope sender, then Reply-To or Cc.
        for addresses in (author.envelope_from, (*author.reply_to, *author.cc)):
            rewritten = _by_addresses(roster_index, addresses)
            if rewritten:
                return _matched(author, rewritten[0], Match.DMARC_REWRITE, *addresses[:1])
        return _by_display_name(author, roster_index, via, "list rewrote the sender")
    return _by_display_name(author, roster_index, author.name, "address not on the roster")


def identify_by_signature(signature: str, bot: str, index: RosterIndex) -> Identity:
    """A repost whose author the mail does not name: credited by the signature, against the
    roster's full names and then its first names, always unconfirmed."""
    shown = f"{signature} (via {bot})"
    why = f"reposted by {bot}; credited by the signature {signature!r} only"
    if confusable_scripts(signature):
        return Identity(shown, None, Match.UNKNOWN, (bot,), reason=f"{why}: mixes scripts")
    member = _by_name(index, signature) or _by_first_name(index, signature)
    if member is None:
        return Identity(shown, None, Match.UNKNOWN, (bot,), reason=f"{why}: not on the roster")
    return Identity(
        f"{member.name} (via {bot})",
        member,
        Match.BOT_REPOST,
        (bot,),
        low_confidence=True,
        reason=f"{why}: matched to {member.id}",
    )


def _by_first_name(index: RosterIndex, name: str) -> Member | None:
    """A signature of one word is a first name: it names a member only when no other member
    has that first name."""
    wanted = normalise_name(name)
    if not wanted or " " in wanted:
        return None
    found = [m for m in index.by_id.values() if normalise_name(m.name.split()[0]) == wanted]
    return found[0] if len(found) == 1 else None


def voter_key(who: Identity) -> str:
    """One key per person in a count: their roster id, else their normalised name."""
    if who.member is not None:
        return f"member:{str.lower(who.member.id)}"
    return "unknown:" + (normalise_name(who.voter) or ",".join(who.usernames))
