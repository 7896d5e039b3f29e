"""The most one mail may hold ([limits] in the config): bigger is reported for review, not read.

Without caps a hostile list member controls our memory: one 40 MB base64 part cost ~1 GB to
decode and read, a 50 MB header line ~700 MB, and `/dev/zero` never ends.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    message_bytes: int = 64 * MB  # one raw message, attachments included
    part_bytes: int = 8 * MB  # one text part, still transfer-encoded
    header_bytes: int = 1024 * 1024  # one message's header block


DEFAULT_LIMITS = ReadLimits()


def size_text(size: int) -> str:
    """A byte count as people say it: "3.2 MB", "712 KB", "80 bytes"."""
    if size >= MB:
        return f"{size / MB:.1f}".removesuffix(".0") + " MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def message_too_large(size: int, limits: ReadLimits) -> str:
    return (
        f"the message is {size_text(size)}, over the {size_text(limits.message_bytes)} cap on one "
        "message ([limits] message_mb): only its header is read, any ballot in it is not counted"
    )


def part_too_large(size: int, limits: ReadLimits) -> str:
    return (
        f"its text part is {size_text(size)}, over the {size_text(limits.part_bytes)} cap on one "
        "part ([limits] part_mb): not decoded, any ballot in it is not counted"
    )


def header_too_large(size: int, limits: ReadLimits) -> str:
    return (
        f"its header is {size_text(size)}, over the {size_text(limits.header_bytes)} cap "
        "([limits] header_kb): read up to the cap"
    )
