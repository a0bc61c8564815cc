"""Email over SMTP with the standard library: STARTTLS and login when configured, one
connection per message (the sender is a batch job; a pooled connection would have to survive
the provider closing it between runs)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from attrs import frozen

from commerce_core.notification.errors import DeliveryFailed
from commerce_core.notification.ports import OutgoingMessage, SendReceipt


@frozen
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    sender: str = "shop@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0


class SmtpEmailNotifier:
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    @property
    def provider(self) -> str:
        return "smtp"

    def send(self, message: OutgoingMessage) -> SendReceipt:
        s = self._settings
        email = EmailMessage()
        domain = s.sender.rpartition("@")[2] or "localhost"
        message_id = make_msgid(idstring=message.key, domain=domain)
        email["Message-ID"] = message_id
        email["From"] = s.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email.set_content(message.text)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as client:
                if s.starttls:
                    client.starttls()
                if s.username:
                    client.login(s.username, s.password or "")
                client.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise _failure(code, reply) from exc
        except smtplib.SMTPResponseException as exc:
            raise _failure(exc.smtp_code, exc.smtp_error) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"SMTP server unreachable: {type(exc).__name__}",
                                 permanent=False, error_code="unavailable") from exc
        return SendReceipt(self.provider, message_id.strip("<>"), "250 queued")


def _failure(code: int, reply: bytes | str) -> DeliveryFailed:
    # 5xx replies are final (RFC 5321 §4.2.1); 4xx are "try again later".
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    permanent = code >= 500
    return DeliveryFailed(f"SMTP {code} {text}"[:300], permanent=permanent,
                          error_code=f"smtp_{code}", status=code)
