"""format=flowed (RFC 3676): soft line breaks a mailer added, undone before a body is read."""

from __future__ import annotations


def unflow(text: str, *, delsp: bool) -> str:
    """Join flowed lines (ending in a space) with the next line of the same quote depth.

    With delsp=yes the trailing space was inserted by the sender and is removed when joining.
    """
    out: list[str] = []
    pending: list[str] = []
    pending_depth = -1
    for line in text.split("\n"):
        depth, content = _flowed_line(line)
        if pending and depth != pending_depth:
            out.append(_quoted(pending_depth, _close(pending, delsp)))
            pending = []
        if content.endswith(" ") and content != "-- ":
            pending.append(content[:-1] if delsp else content)
            pending_depth = depth
            continue
        if pending:
            out.append(_quoted(depth, "".join(pending) + content))
            pending = []
        else:
            out.append(_quoted(depth, content))
    if pending:
        out.append(_quoted(pending_depth, _close(pending, delsp)))
    return "\n".join(out)


def _flowed_line(line: str) -> tuple[int, str]:
    """(quote depth, content with quote marks and one stuffed space removed)."""
    depth = len(line) - len(line.lstrip(">"))
    content = line[depth:]
    if content.startswith(" "):
        content = content[1:]
    return depth, content


def _close(pending: list[str], delsp: bool) -> str:
    """A paragraph cut short by a quote-depth change or the end: drop its flowed space."""
    joined = "".join(pending)
    return joined if delsp else joined[:-1]


def _quoted(depth: int, content: str) -> str:
    if depth == 0:
        return content
    return ">" * depth + (" " + content if content else "")
