"""Identity's one-time links (password reset, email verification) sent as email notifications.

The link is a *secret variable*: the notification row keeps it sealed (the `Sealer` port, the
shop's Fernet key) and its stored subject and body show a placeholder; the sender renders the
link in only when it hands the message over, and the ciphertext is erased once the message is
sent or has failed for good. So neither the token nor a usable link rests in the database or
passes through a log, while the worker still sends, retries and records the message like any
other. Only the token's SHA-256 is kept (by identity).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import quote

from commerce_core.notification.commands import RequestNotification
from commerce_core.notification.model import LOCALES
from commerce_core.notification.ports import LinkUrls
from commerce_core.shared.bus import Handle
from commerce_core.shared.errors import CommerceError

log = logging.getLogger("commerce.notification")


def link_for(template: str, token: str) -> str:
    return template.replace("{token}", quote(token, safe=""))


class LinkDelivery:
    """Implements `commerce_core.identity.ports.TokenDelivery`: enqueues one transactional
    email (template `password_reset` or `email_verification`) to the account's address, in
    the account's language, expiring with the token. A refusal (no email provider, an
    unsubscribed address) is logged without the link and swallowed: the caller answers the
    same whether or not an account exists."""

    def __init__(self, handle: Handle, urls: LinkUrls) -> None:
        self._handle, self._urls = handle, urls

    def password_reset(self, email: str, token: str, expires_at: datetime, *,
                       locale: str = "vi", customer_id: str | None = None) -> None:
        self._send("password_reset", self._urls.password_reset, email, token, expires_at,
                   locale, customer_id)

    def email_verification(self, email: str, token: str, expires_at: datetime, *,
                           locale: str = "vi", customer_id: str | None = None) -> None:
        self._send("email_verification", self._urls.email_verification, email, token,
                   expires_at, locale, customer_id)

    def _send(self, template_id: str, url: str, email: str, token: str, expires_at: datetime,
              locale: str, customer_id: str | None) -> None:
        until = expires_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        try:
            self._handle(RequestNotification(
                customer_id or f"email:{email}", "email", template_id, {"expires_at": until},
                locale=locale if locale in LOCALES else None, address=email,
                expires_at=expires_at, secret_data={"link": link_for(url, token)},
            ))
        except CommerceError as exc:
            log.warning("a %s link was not enqueued: %s", template_id, exc.code)
