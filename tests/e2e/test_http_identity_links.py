"""One-time links go out as email notifications: a shop on SQLite with a local SMTP server.
The password-reset and verification links reach the mailbox and work, in the account's
language; the notification rows (and every other table) and the logs never hold the token nor
the link in clear, before or after the message is sent."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import attrs
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from adapters.notify import JinjaRenderer, SmtpEmailNotifier, SmtpSettings
from commerce_core.app import Commerce
from commerce_core.notification.ports import Channel, LinkUrls, NotificationPorts
from entrypoints.http.app import create_app
from tests.e2e.conftest import settings
from tests.identity_support import PASSWORD, with_identity
from tests.smtp_server import RecordingHandler, smtp_server

LINKS = LinkUrls("https://shop.test/reset?token={token}", "https://shop.test/verify?token={token}")
TOKEN = re.compile(r"https://shop\.test/(reset|verify)\?token=(\S+)")


@pytest.fixture
def mail() -> Iterator[tuple[int, RecordingHandler]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shop.db'}"


@pytest.fixture
def commerce(url: str, mail: tuple[int, RecordingHandler]) -> Commerce:
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=SequentialIds(), pool_size=2)
    ports = attrs.evolve(ports, notifications=NotificationPorts(
        JinjaRenderer(),
        {Channel.EMAIL: SmtpEmailNotifier(SmtpSettings("127.0.0.1", mail[0], "shop@shop.test"))},
        rng=random.Random(3), links=LINKS))
    return Commerce(with_identity(ports))


def dump(url: str) -> str:
    engine = sql.create_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            return "\n".join(
                " ".join(str(value) for value in row)
                for table in sa.inspect(connection).get_table_names()
                for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')))
    finally:
        engine.dispose()


def body_of(message: object) -> str:
    from email.message import EmailMessage
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_reset_and_verification_links_are_mailed_and_never_stored_in_clear(
        commerce: Commerce, url: str, mail: tuple[int, RecordingHandler],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _, inbox = mail
    with TestClient(create_app(commerce, settings())) as client:
        registered = client.post("/auth/register", json={
            "email": "john@example.com", "password": PASSWORD, "locale": "en"})
        assert registered.status_code == 201, registered.text
        assert client.post("/auth/password/forgot",
                           json={"email": "john@example.com"}).status_code == 202
        assert client.post("/auth/password/forgot",
                           json={"email": "nobody@example.com"}).status_code == 202

        stored_before = dump(url)
        rows = commerce.notifications.list(recipient_id=registered.json()["customer_id"])
        assert sorted(n.template_id for n in rows) == ["email_verification", "password_reset"]
        for row in rows:
            assert "[sealed]" in row.text
            assert "https://shop.test" not in row.text + row.html
            assert row.sealed_data
            assert row.expires_at is not None

        report = commerce.notifications.send_due()
        assert report.sent == 2
        assert {m["To"] for m in inbox.messages} == {"john@example.com"}  # nobody@: nothing
        links = {kind: unquote(token) for m in inbox.messages
                 for kind, token in TOKEN.findall(body_of(m))}
        assert set(links) == {"reset", "verify"}
        subjects = sorted(str(m["Subject"]) for m in inbox.messages)
        assert subjects == ["Confirm your email address", "Reset your password"]  # locale en

        verified = client.post("/auth/email/verify", json={"token": links["verify"]})
        assert verified.status_code == 200
        assert verified.json()["email_verified"]
        reset = client.post("/auth/password/reset",
                            json={"token": links["reset"], "password": "Brand-New-Pass-2"})
        assert reset.status_code == 204, reset.text
        signed_in = client.post("/auth/login", json={
            "identifier": "john@example.com", "password": "Brand-New-Pass-2"})
        assert signed_in.status_code == 200

    stored_after = dump(url)
    assert "john@example.com" in stored_after  # the scan reads the tables
    for row in commerce.notifications.list(recipient_id=registered.json()["customer_id"]):
        assert row.sealed_data == ""  # sent: even the ciphertext is gone
    # The receiving server (aiosmtpd, logger `mail.log`) is the mailbox: it may show the mail.
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records
                       if not r.name.startswith("mail."))
    for token in links.values():
        for where in (stored_before, stored_after, logged):
            assert token not in where
            assert token.partition(".")[2] not in where


def test_a_failed_link_message_is_erased_and_not_retried(
        commerce: Commerce, mail: tuple[int, RecordingHandler]) -> None:
    commerce.identity.register("bounce@example.com", PASSWORD)
    (notification,) = commerce.notifications.list()
    assert notification.template_id == "email_verification"
    assert notification.locale == "vi"
    assert commerce.notifications.send_due().failed == 1  # the server refuses the mailbox
    failed = commerce.notifications.get(notification.id)
    assert failed.status.value == "failed"
    assert failed.sealed_data == ""
    with pytest.raises(Exception, match="one-time secret"):
        commerce.notifications.retry(notification.id)
    commerce.identity.request_email_verification("bounce@example.com")  # asks for a new one
    assert len(commerce.notifications.list()) == 2
