"""A local SMTP server for tests (aiosmtpd): it keeps what it accepts, refuses recipients whose
local part starts with `bounce` for good (550) and those starting with `later` for now (451),
and checks a login when given credentials."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class RecordingHandler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str],
    ) -> str:
        local = address.partition("@")[0]
        if local.startswith("bounce"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("later"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any,
    ) -> str:
        parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                          policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server(*, login: tuple[str, str] | None = None) -> Iterator[tuple[int,
                                                                          RecordingHandler]]:
    handler = RecordingHandler()
    options: dict[str, Any] = {}
    if login is not None:
        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                         auth_data: Any) -> AuthResult:
            ok = (isinstance(auth_data, LoginPassword)
                  and (auth_data.login.decode(), auth_data.password.decode()) == login)
            return AuthResult(success=ok)

        options = {"authenticator": authenticate, "auth_require_tls": False,
                   "auth_required": True}
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()
