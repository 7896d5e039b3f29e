"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it was given and can misbehave.

It runs in its own thread and event loop (aiosmtpd's Controller), so plain tests and asyncio code
alike can use it. Faults are queued for the next DATA commands: an error reply (451 transient,
550 permanent), or taking the message and then not answering (the client cannot know whether it
was delivered). Optional AUTH (LOGIN/PLAIN with one username/password) and TLS (STARTTLS or
implicit) with a self-signed certificate made by the `openssl` command at test time.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as Server
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

TRANSIENT = "451 4.3.0 Temporary local problem, try again later"
PERMANENT = "550 5.7.1 Message rejected by policy"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


@dataclass(frozen=True)
class _Fault:
    reply: str = ""  # answer this instead of taking the message
    hang: float = 0.0  # take the message, then wait this long before answering


class Recorder:
    """The aiosmtpd handler: records envelopes, counts sessions, plays queued faults."""

    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._faults: list[_Fault] = []
        self.refuse = refuse  # recipients answered with 550 at RCPT
        self.sessions = 0

    def queue(self, fault: _Fault, count: int) -> None:
        with self._lock:
            self._faults.extend([fault] * count)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    async def handle_EHLO(
        self, server: Server, session: Session, envelope: Envelope, hostname: str, responses: Any
    ) -> Any:
        with self._lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self,
        server: Server,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Server, session: Session, envelope: Envelope) -> str:
        with self._lock:
            fault = self._faults.pop(0) if self._faults else _Fault()
        if fault.reply:
            return fault.reply
        self._record(envelope)
        if fault.hang:
            await asyncio.sleep(fault.hang)
        return "250 2.0.0 OK: queued"

    def _record(self, envelope: Envelope) -> None:
        content = envelope.content
        data = content if isinstance(content, bytes) else str(content).encode("utf-8")
        with self._lock:
            self._received.append(Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), data))


class FakeSMTP:
    def __init__(self, recorder: Recorder, controller: Controller) -> None:
        self.recorder = recorder
        self.controller = controller
        self.host = "127.0.0.1"
        self.port = int(controller.port)

    @property
    def received(self) -> list[Received]:
        return self.recorder.received

    @property
    def sessions(self) -> int:
        return self.recorder.sessions

    def fail_next(self, count: int = 1, reply: str = TRANSIENT) -> None:
        """Answer the next `count` DATA commands with `reply` (TRANSIENT or PERMANENT)."""
        self.recorder.queue(_Fault(reply=reply), count)

    def hang_next(self, seconds: float) -> None:
        """Take the next message, then say nothing for `seconds`: a lost final answer."""
        self.recorder.queue(_Fault(hang=seconds), 1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _authenticator(username: str, password: str) -> Any:
    def check(
        server: Server, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data == (
            username.encode(),
            password.encode(),
        )
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535

    return check


@contextmanager
def smtp_server(
    *,
    login: tuple[str, str] | None = None,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    refuse: frozenset[str] = frozenset(),
) -> Iterator[FakeSMTP]:
    """A running server; `starttls` offers (and requires) STARTTLS, `implicit_tls` speaks TLS
    from the first byte; `login` requires AUTH with that username and password."""
    recorder = Recorder(refuse)
    extra: dict[str, Any] = {}
    if login is not None:
        extra.update(authenticator=_authenticator(*login), auth_require_tls=False)
        extra["auth_required"] = True
    if starttls is not None:
        extra.update(tls_context=starttls, require_starttls=True)
    controller = Controller(
        recorder, hostname="127.0.0.1", port=free_port(), ssl_context=implicit_tls, **extra
    )
    controller.start()
    try:
        yield FakeSMTP(recorder, controller)
    finally:
        controller.stop()


def self_signed(directory: Path) -> Path | None:
    """A certificate for 127.0.0.1 with its key (one PEM file), or None without `openssl`."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert),
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert


def server_context(cert: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, cert.parent / "key.pem")
    return context
