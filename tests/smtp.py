"""A real SMTP server on loopback for the tests (aiosmtpd, in a thread of the test process), and the
settings that point graphapp at it.

``smtp_server`` is the plain one most tests use; :func:`running_smtp` starts one with STARTTLS or TLS
(certificates from a throwaway authority made by trustme) and a password, or one that refuses mail.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

__all__ = ["SmtpServer", "links_in", "running_smtp", "smtp_server"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """What the server received, and how to make it refuse: ``refuse = "550 No such user"`` (a permanent
    refusal) or ``"451 Try again later"`` (a passing one) answers every recipient so until set to None."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: str | None = None
        self.config: dict[str, str] = {}

    # aiosmtpd's handler hooks
    async def handle_RCPT(  # noqa: N802 (aiosmtpd's name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20) -> list[EmailMessage]:
        """The messages, once at least ``count`` have arrived (fails the test after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"expected {count} mail(s) at the test SMTP server, got {len(self.messages)}")
            time.sleep(0.05)
        return list(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received for ``address``."""
        return [m for m in self.messages if address in str(m["To"])]


def links_in(message: EmailMessage) -> list[str]:
    """Every link in a message's plain-text part, in order."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the mail has no plain-text part"
    return re.findall(r"https?://[^\s<>\"]+", part.get_content())


@contextmanager
def running_smtp(
    security: str = "none", user: str = "", password: str = "", certificates: Path | None = None
) -> Iterator[SmtpServer]:
    """An SMTP server on a free loopback port. ``security``: none, starttls or tls (these need
    ``certificates``, a folder for the throwaway authority's files; graphapp is told to trust it through
    ``SSL_CERT_FILE``, which the caller sets from ``server.config``)."""
    handler = SmtpServer()
    port = _free_port()
    kwargs: dict[str, Any] = {}
    if security != "none":
        import trustme

        assert certificates is not None
        authority = trustme.CA()
        issued = authority.issue_cert("127.0.0.1", "localhost")
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        issued.configure_cert(server_context)
        authority_file = certificates / "authority.pem"
        authority.cert_pem.write_to_path(str(authority_file))
        handler.config["SSL_CERT_FILE"] = str(authority_file)
        if security == "starttls":
            kwargs.update(tls_context=server_context, require_starttls=True)
        else:
            kwargs.update(ssl_context=server_context)
    if user:

        def authenticate(
            server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
        ) -> AuthResult:
            ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
                user.encode(),
                password.encode(),
            )
            return AuthResult(success=ok, handled=False)

        # (On a connection that is TLS from the start aiosmtpd does not know it is, and would hide AUTH; and
        # it warns when AUTH is required without TLS. The password is checked whenever the client logs in.)
        kwargs.update(authenticator=authenticate, auth_require_tls=security == "starttls")
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    handler.config.update(
        GRAPHAPP_SMTP_HOST="127.0.0.1",
        GRAPHAPP_SMTP_PORT=str(port),
        GRAPHAPP_SMTP_SECURITY=security,
        GRAPHAPP_SMTP_USER=user,
        GRAPHAPP_SMTP_PASSWORD=password,
        GRAPHAPP_MAIL_FROM="graphapp@example.org",
    )
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server on loopback (no TLS, no password), as a mail relay on the same machine is."""
    with running_smtp() as server:
        yield server
