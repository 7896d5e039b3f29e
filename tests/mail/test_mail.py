"""The SMTP adapter against a real server on loopback: what arrives, what a failure says, and
whether it is worth retrying."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.core.draft import as_email
from harvester.mail import MailError, MailOptions, deliver
from harvester.model import Draft
from tests.fakes.smtp import (
    PERMANENT,
    TRANSIENT,
    FakeSMTP,
    free_port,
    self_signed,
    server_context,
    smtp_server,
)

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SENDER = "Release Manager <rm@tvm.apache.org>"
DRAFT = Draft(
    subject="[RESULT][VOTE] Clarify Community Strategy Decision Process",
    body="The vote passed.\n\n+1 (binding): Ada, Bo, Cy\n",
    in_reply_to="call-1@apache.org",
    references=("root-0@apache.org", "call-1@apache.org"),
)


def options(server: FakeSMTP | None = None, **changes: object) -> MailOptions:
    base: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server.port if server else free_port(),
        "security": "none",
        "sender": SENDER,
        "to": ("dev@tvm.apache.org",),
        "cc": ("Private List <private@tvm.apache.org>",),
        "timeout": 5.0,
    }
    return MailOptions(**{**base, **changes})  # type: ignore[arg-type]


def raw(draft: Draft = DRAFT) -> str:
    return as_email(
        draft,
        sender=SENDER,
        to="dev@tvm.apache.org",
        cc="Private List <private@tvm.apache.org>",
        date=NOW,
        message_id="harvester.1.abc@tvm.apache.org",
    )


def send(message: str, mail: MailOptions, name: str = "draft-1") -> str:
    return asyncio.run(deliver(message, mail, name=name))


def failure(message: str, mail: MailOptions) -> MailError:
    with pytest.raises(MailError) as caught:
        send(message, mail)
    assert "\n" not in str(caught.value)
    return caught.value


def test_headers_and_envelope_arrive_intact() -> None:
    with smtp_server() as server:
        where = send(raw(), options(server))
    assert where == f"smtp 127.0.0.1:{server.port}"
    [got] = server.received
    assert got.mail_from == "rm@tvm.apache.org"
    assert got.rcpt_tos == ("dev@tvm.apache.org", "private@tvm.apache.org")
    message = got.message()
    assert message["From"] == SENDER
    assert message["To"] == "dev@tvm.apache.org"
    assert message["Cc"] == "Private List <private@tvm.apache.org>"
    assert message["Subject"] == DRAFT.subject
    assert message["Message-ID"] == "<harvester.1.abc@tvm.apache.org>"
    assert message["In-Reply-To"] == "<call-1@apache.org>"
    assert message["References"] == "<root-0@apache.org> <call-1@apache.org>"
    assert message.get_content().replace("\r\n", "\n") == DRAFT.body  # CRLF on the wire


def test_non_ascii_subject_and_body_survive() -> None:
    draft = Draft("[RESULT][VOTE] Über-Plan für 2027 ✓", "Zoë: +1 ✓\n")
    with smtp_server() as server:
        send(raw(draft), options(server))
    message = server.received[0].message()
    assert message["Subject"] == draft.subject
    assert message.get_content().replace("\r\n", "\n") == draft.body


def test_a_line_break_in_the_subject_cannot_add_a_header_or_a_recipient() -> None:
    evil = Draft("[RESULT][VOTE] X\r\nBcc: victim@example.org\nX-Injected: yes", "body\n")
    with smtp_server() as server:
        send(raw(evil), options(server))
    [got] = server.received
    assert got.rcpt_tos == ("dev@tvm.apache.org", "private@tvm.apache.org")
    message = got.message()
    assert message["Bcc"] is None
    assert message["X-Injected"] is None
    assert message["Subject"] == "[RESULT][VOTE] X Bcc: victim@example.org X-Injected: yes"


def test_dry_run_writes_one_eml_and_contacts_no_server(tmp_path: Path) -> None:
    folder = tmp_path / "outbox" / "new"  # created on demand
    with smtp_server() as server:
        where = send(raw(), options(server, dry_run_dir=str(folder)), name="draft-7")
    assert where == str(folder / "draft-7.eml")
    assert [p.name for p in folder.iterdir()] == ["draft-7.eml"]  # no temp file left behind
    assert (folder / "draft-7.eml").read_text(encoding="utf-8") == raw()
    assert server.sessions == 0
    assert server.received == []


def test_dry_run_names_cannot_leave_the_directory(tmp_path: Path) -> None:
    where = send(raw(), options(dry_run_dir=str(tmp_path)), name="../../etc/passwd")
    assert Path(where).parent == tmp_path


def test_connection_refused_is_transient_and_one_line() -> None:
    mail = options()  # a free port: nobody listens
    error = failure(raw(), mail)
    assert error.transient
    assert not error.maybe_sent
    assert str(error) == f"smtp 127.0.0.1:{mail.port}: connection failed (Connection refused)"


def test_550_is_permanent_and_names_what_the_server_said() -> None:
    with smtp_server() as server:
        server.fail_next(1, PERMANENT)
        error = failure(raw(), options(server))
    assert not error.transient
    assert str(error) == f"smtp 127.0.0.1:{server.port}: server said {PERMANENT}"
    assert server.received == []


def test_451_is_transient() -> None:
    with smtp_server() as server:
        server.fail_next(1, TRANSIENT)
        error = failure(raw(), options(server))
        assert error.transient
        send(raw(), options(server))  # the next try goes through
    assert len(server.received) == 1


def test_no_answer_after_the_message_may_have_been_delivered_and_is_not_transient() -> None:
    with smtp_server() as server:
        server.hang_next(2.0)
        error = failure(raw(), options(server, timeout=0.5))
        assert len(server.received) == 1  # the server did take it
    assert error.maybe_sent
    assert not error.transient
    assert "may have been delivered" in str(error)


def test_one_refused_recipient_does_not_stop_the_others() -> None:
    with smtp_server(refuse=frozenset({"private@tvm.apache.org"})) as server:
        where = send(raw(), options(server))
    assert where == f"smtp 127.0.0.1:{server.port} (refused: private@tvm.apache.org)"
    assert server.received[0].rcpt_tos == ("dev@tvm.apache.org",)


def test_every_recipient_refused_is_permanent() -> None:
    refused = frozenset({"dev@tvm.apache.org", "private@tvm.apache.org"})
    with smtp_server(refuse=refused) as server:
        error = failure(raw(), options(server))
    assert not error.transient
    assert "every recipient was refused (dev@tvm.apache.org: 550" in str(error)


def test_login_when_a_username_is_set() -> None:
    with smtp_server(login=("rm", "s3cret")) as server:
        send(raw(), options(server, username="rm", password="s3cret"))
        error = failure(raw(), options(server, username="rm", password="wrong"))
        unauthenticated = failure(raw(), options(server))
    assert len(server.received) == 1
    assert not error.transient
    assert "535" in str(error)
    assert not unauthenticated.transient  # 530 authentication required


def test_no_sender_or_no_recipient_is_a_clear_error_before_connecting() -> None:
    assert "set mail.sender" in str(failure(raw(), options(sender="")))
    assert "set mail.to" in str(failure(raw(), options(to=(), cc=())))


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A self-signed certificate for 127.0.0.1 that the client trusts (via SSL_CERT_FILE)."""
    cert = self_signed(tmp_path)
    if cert is None:
        pytest.skip("no openssl command to make a test certificate")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return cert


def test_starttls_with_login(certificate: Path) -> None:
    with smtp_server(starttls=server_context(certificate), login=("rm", "pw")) as server:
        send(raw(), options(server, security="starttls", username="rm", password="pw"))
        refused = failure(raw(), options(server, security="none"))  # the server wants TLS
    assert len(server.received) == 1
    assert not refused.transient


def test_implicit_tls(certificate: Path) -> None:
    with smtp_server(implicit_tls=server_context(certificate)) as server:
        send(raw(), options(server, security="ssl"))
    assert len(server.received) == 1


def test_an_untrusted_certificate_is_not_retried(
    certificate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    with smtp_server(starttls=server_context(certificate)) as server:
        error = failure(raw(), options(server, security="starttls"))
    assert not error.transient
    assert "TLS failed" in str(error)
    assert server.received == []


def test_an_address_in_both_to_and_cc_gets_one_copy() -> None:
    with smtp_server() as server:
        send(raw(), options(server, cc=("Dev List <dev@tvm.apache.org>",)))
    assert server.received[0].rcpt_tos == ("dev@tvm.apache.org",)
