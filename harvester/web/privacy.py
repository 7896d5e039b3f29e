"""What a reader who is not signed in may see: names, ids and @apache.org addresses, never a
member's private address (lists.apache.org hides them from the public too)."""

from __future__ import annotations

import re
from typing import Any, TypeVar

HIDDEN = "(address hidden)"
_ADDRESS = re.compile(r"[A-Za-z0-9._%+'=-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_PUBLIC_DOMAIN = re.compile(r"(?:.+\.)?apache\.org", re.IGNORECASE)  # ids and list addresses
_LINK_PREFIXES = ("mid:", "http://", "https://")  # Message-IDs and links stay usable
# A Message-ID inside a text ("mid:…", or "Message-ID <…>" as the [RESULT] draft names its
# thread) names a mail, not a person: the list archive shows it to everyone.
_BEFORE_MESSAGE_ID = re.compile(r"(?:mid:|message-id:?\s*<)\Z", re.IGNORECASE)
Data = TypeVar("Data")


def public_view(data: Data) -> Data:
    """`data` (a JSON-able value) with every private address in every string hidden."""
    return _walk(data)  # type: ignore[no-any-return]


def _walk(value: Any) -> Any:
    if isinstance(value, str):
        return hide_addresses(value)
    if isinstance(value, dict):
        return {key: _walk(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(item) for item in value]
    return value


def hide_addresses(text: str) -> str:
    """`text` with each address outside apache.org replaced by HIDDEN; a Message-ID (after
    "mid:" or in "Message-ID <…>") or a link is kept as it is."""
    if "@" not in text or text.startswith(_LINK_PREFIXES):
        return text

    def replace(found: re.Match[str]) -> str:
        if _BEFORE_MESSAGE_ID.search(text, max(0, found.start() - 16), found.start()):
            return found.group(0)
        return found.group(0) if _PUBLIC_DOMAIN.fullmatch(found.group(1)) else HIDDEN

    return _ADDRESS.sub(replace, text)
