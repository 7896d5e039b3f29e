"""ADAPTER out: an RFC 5322 message -> SMTP (aiosmtplib), or an .eml file in a dry run.

Transport only: which drafts go out, and when, is the outbox's business (harvester.store.outbox);
this module sends one message once and says how it went. Every failure is a MailError with one
line naming the server and what it said, and whether trying again later is worthwhile.

A failure while the message itself was being transferred (the connection dropped or timed out
after DATA) is ambiguous: the server may have accepted and delivered it. Such a MailError has
`maybe_sent` set and is never transient, so nothing resends a mail that may have gone out.
"""

from __future__ import annotations

import os
import re
import ssl
import tempfile
from dataclasses import dataclass
from email.utils import getaddresses, parseaddr
from pathlib import Path

import aiosmtplib

from harvester.errors import HarvesterError

SECURITY = ("starttls", "ssl", "none")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_CONNECTION = (
    aiosmtplib.SMTPConnectError,
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPTimeoutError,
)


@dataclass(frozen=True)
class MailOptions:
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # "starttls" | "ssl" | "none"
    username: str = ""
    password: str = ""
    sender: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    timeout: float = 30.0
    dry_run_dir: str = ""


class MailError(HarvesterError):
    """A message could not be sent (or written). `transient`: worth retrying later (connection
    refused or reset before the message went out, a timeout, a 4xx answer); otherwise the server
    refused it for good (5xx, every recipient refused) or it may already have been delivered."""

    exit_code = 1

    def __init__(
        self, where: str, problem: str, *, transient: bool, maybe_sent: bool = False
    ) -> None:
        super().__init__(where, problem)
        self.transient = transient and not maybe_sent
        self.maybe_sent = maybe_sent


async def deliver(raw: str, options: MailOptions, *, name: str) -> str:
    """Send `raw` to options.to + options.cc from options.sender, once; return where it went
    ("smtp host:port", or the .eml path in a dry run)."""
    if options.dry_run_dir:
        return write_eml(raw, options.dry_run_dir, name)
    sender, recipients = envelope(options)
    where = f"smtp {options.host}:{options.port}"
    refused = await _send(raw, options, sender, recipients, where)
    if refused:  # some recipients got it: not worth failing (and resending to) the others
        return f"{where} (refused: {', '.join(refused)})"
    return where


def envelope(options: MailOptions) -> tuple[str, list[str]]:
    """The SMTP envelope: the bare sender address and every To and Cc address."""
    where = f"smtp {options.host}:{options.port}"
    if options.security not in SECURITY:
        raise MailError(where, f"unknown mail.security {options.security!r}", transient=False)
    sender = parseaddr(options.sender)[1]
    found = getaddresses([*options.to, *options.cc])
    recipients = list(dict.fromkeys(address for _, address in found if address))  # once each
    if not sender:
        raise MailError(where, "no sender address (set mail.sender)", transient=False)
    if not recipients:
        raise MailError(where, "no recipient addresses (set mail.to)", transient=False)
    return sender, recipients


def write_eml(raw: str, directory: str, name: str) -> str:
    """Dry run: <directory>/<name>.eml, written whole or not at all (temp file + rename)."""
    folder = Path(directory)
    target = folder / f"{_UNSAFE_NAME.sub('_', name).strip('.') or 'message'}.eml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".", suffix=".eml.tmp", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(raw)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise MailError(
            str(target), f"cannot write the dry-run mail ({exc})", transient=False
        ) from None
    return str(target)


def _client(options: MailOptions) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=options.host,
        port=options.port,
        timeout=options.timeout,
        use_tls=options.security == "ssl",
        start_tls=options.security == "starttls",  # False: never upgrade on its own
        username=options.username or None,  # login only when a username is set
        password=options.password if options.username else None,
    )


async def _send(
    raw: str, options: MailOptions, sender: str, recipients: list[str], where: str
) -> list[str]:
    """One SMTP conversation; returns the recipients the server refused while taking the rest."""
    client = _client(options)
    try:
        await client.connect()
        await client.mail(sender, options=_body_options(client, raw))
        refused = await _recipients(client, recipients)
        if len(refused) == len(recipients):
            raise aiosmtplib.SMTPRecipientsRefused(list(refused.values()))
        await _data(client, raw, where)
    except aiosmtplib.SMTPException as exc:
        raise _mail_error(exc, where) from None
    # A certificate problem is not transient; SSLError is also an OSError (and a failed
    # verification a ValueError), so it comes first.
    except ssl.SSLError as exc:
        raise MailError(where, f"TLS failed ({exc})", transient=False) from None
    except ValueError as exc:  # an address aiosmtplib will not put on the wire
        raise MailError(where, f"cannot send ({exc})", transient=False) from None
    except (OSError, TimeoutError) as exc:
        raise MailError(where, f"connection failed ({_said(exc)})", transient=True) from None
    finally:
        await _close(client)
    return list(refused)


def _body_options(client: aiosmtplib.SMTP, raw: str) -> list[str]:
    # as_email produces 7-bit text; anything else goes as 8BITMIME when the server offers it.
    return ["BODY=8BITMIME"] if not raw.isascii() and client.supports_extension("8bitmime") else []


async def _recipients(
    client: aiosmtplib.SMTP, recipients: list[str]
) -> dict[str, aiosmtplib.SMTPRecipientRefused]:
    refused: dict[str, aiosmtplib.SMTPRecipientRefused] = {}
    for address in recipients:
        try:
            await client.rcpt(address)
        except aiosmtplib.SMTPRecipientRefused as exc:
            refused[address] = exc
    return refused


async def _data(client: aiosmtplib.SMTP, raw: str, where: str) -> None:
    """DATA: an answer from the server is clear; losing it leaves us not knowing."""
    try:
        await client.data(raw.encode("utf-8"))
    except aiosmtplib.SMTPResponseException:
        raise
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise MailError(
            where,
            f"no answer after the message was sent ({_said(exc)}): it may have been delivered",
            transient=False,
            maybe_sent=True,
        ) from None


async def _close(client: aiosmtplib.SMTP) -> None:
    """QUIT politely; a server that hangs up first changes nothing about the outcome."""
    if not client.is_connected:
        return
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()


def _mail_error(exc: aiosmtplib.SMTPException, where: str) -> MailError:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        said = "; ".join(f"{r.recipient}: {r.code} {_one_line(r.message)}" for r in exc.recipients)
        transient = bool(codes) and all(400 <= code < 500 for code in codes)  # e.g. greylisting
        return MailError(where, f"every recipient was refused ({said})", transient=transient)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        transient = 400 <= exc.code < 500
        return MailError(where, f"server said {_said(exc)}", transient=transient)
    if isinstance(exc.__cause__, ssl.SSLError):  # a certificate problem: a setting to fix
        return MailError(where, f"TLS failed ({_said(exc)})", transient=False)
    if isinstance(exc, _CONNECTION):  # nothing was sent yet: try again later
        return MailError(
            where, f"connection failed ({_said(exc.__cause__ or exc)})", transient=True
        )
    # No STARTTLS, no AUTH, …: what the server offers does not fit the settings.
    return MailError(where, f"cannot send ({_said(exc)})", transient=False)


def _said(exc: BaseException) -> str:
    if isinstance(exc.__cause__, OSError) and exc.__cause__.errno:
        exc = exc.__cause__  # "Connection refused" rather than the library's wrapping
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {_one_line(exc.message)}"
    if isinstance(exc, aiosmtplib.SMTPException):
        return _one_line(exc.message) or type(exc).__name__
    if isinstance(exc, OSError) and exc.errno:  # "Connection refused", not asyncio's wording
        return os.strerror(exc.errno)
    return _one_line(str(exc)) or type(exc).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())
