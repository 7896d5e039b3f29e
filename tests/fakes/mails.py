"""Raw list mails for the fake archive and the tests that read them back."""

from __future__ import annotations

DEFAULT_SUBJECT = "Re: [VOTE] Release Apache TVM v0.14.0"


def bracketed(message_id: str) -> str:
    return message_id if message_id.startswith("<") else f"<{message_id}>"


def raw_mail(
    message_id: str,
    *,
    sender: str,
    date: str,
    body: str,
    subject: str = DEFAULT_SUBJECT,
    irt: str | None = None,
    refs: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
    list_id: str = "dev.tvm.apache.org",
) -> bytes:
    """A plain list mail, the Message-ID folded onto its own line as real mailers do; ids may be
    given with or without angle brackets."""
    headers = [
        f"List-Id: <{list_id}>",
        f"Message-ID:\n {bracketed(message_id)}",
        f"From: {sender}",
        "To: dev@tvm.apache.org",
        f"Subject: {subject}",
        f"Date: {date}",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        *extra,
    ]
    if irt:
        headers.append(f"In-Reply-To: {bracketed(irt)}")
    if refs:
        headers.append("References: " + "\n ".join(bracketed(r) for r in refs))
    return ("\n".join(headers) + "\n\n" + body).encode()
