"""Notification routes: the operators' view of what was sent to customers (with each
message's delivery log) and the manual retry of a failed one; and Twilio's signed status
callbacks. Shoppers' own preferences come with customer accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from adapters.notify import verify_twilio_signature
from adapters.notify.twilio import STATUSES
from commerce_core.notification.model import Notification
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import PUBLIC, permit
from entrypoints.http.dependencies import CommerceDep, SettingsDep
from entrypoints.http.problems import HttpProblem
from entrypoints.http.schemas.common import MAX_OFFSET

admin = APIRouter(tags=["notifications admin"])
router = APIRouter(tags=["notification callbacks"])


class AttemptOut(BaseModel):
    number: int
    provider: str
    status: str = Field(description="sent or failed")
    permanent: bool = Field(description="A failure that is not retried")
    error_code: str | None
    response: str
    provider_message_id: str | None
    started_at: datetime
    finished_at: datetime


class NotificationOut(BaseModel):
    id: str
    correlation_id: str
    recipient_id: str
    channel: str
    category: str
    template_id: str
    locale: str
    status: str
    subject: str
    attempt_count: int
    max_attempts: int
    scheduled_at: datetime
    next_retry_at: datetime | None
    expires_at: datetime | None
    provider: str | None
    provider_message_id: str | None
    error: str | None
    source_event_type: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(
            id=n.id, correlation_id=n.correlation_id, recipient_id=n.recipient_id,
            channel=n.channel.value, category=n.category.value, template_id=n.template_id,
            locale=n.locale, status=n.status.value, subject=n.subject,
            attempt_count=n.attempt_count, max_attempts=n.max_attempts,
            scheduled_at=n.scheduled_at, next_retry_at=n.next_retry_at,
            expires_at=n.expires_at, provider=n.provider,
            provider_message_id=n.provider_message_id, error=n.error,
            source_event_type=n.source_event_type, created_at=n.created_at,
            sent_at=n.sent_at, delivered_at=n.delivered_at,
        )


class NotificationDetailOut(NotificationOut):
    text: str
    html: str
    attempts: list[AttemptOut] = Field(description="The delivery log, one entry per attempt")

    @classmethod
    def detail(cls, n: Notification) -> NotificationDetailOut:
        return cls(
            **NotificationOut.of(n).model_dump(), text=n.text, html=n.html,
            attempts=[AttemptOut(
                number=a.number, provider=a.provider, status=a.status, permanent=a.permanent,
                error_code=a.error_code, response=a.response,
                provider_message_id=a.provider_message_id, started_at=a.started_at,
                finished_at=a.finished_at) for a in n.attempts],
        )


Status = Literal["pending", "scheduled", "sending", "sent", "delivered", "opened", "clicked",
                 "failed", "cancelled"]


@admin.get("/notifications",
           dependencies=[permit(Permission.NOTIFICATIONS_READ)],
           summary="Notifications, newest first, by status, channel or "
           "recipient")
def list_notifications(
    commerce: CommerceDep,
    status: Status | None = None,
    channel: Literal["email", "sms", "push"] | None = None,
    recipient_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[NotificationOut]:
    return [NotificationOut.of(n) for n in commerce.notifications.list(
        status=status, channel=channel, recipient_id=recipient_id, limit=limit, offset=offset)]


@admin.get("/notifications/{notification_id}", dependencies=[permit(Permission.NOTIFICATIONS_READ)],
           summary="One notification with its content and delivery log")
def get_notification(notification_id: str, commerce: CommerceDep) -> NotificationDetailOut:
    return NotificationDetailOut.detail(commerce.notifications.get(notification_id))


@admin.post("/notifications/{notification_id}/retry",
            dependencies=[permit(Permission.NOTIFICATIONS_MANAGE)],
            summary="Send a failed notification again (a fresh round of attempts)")
def retry_notification(notification_id: str, commerce: CommerceDep) -> NotificationDetailOut:
    return NotificationDetailOut.detail(commerce.notifications.retry(notification_id))


@router.post("/webhooks/notifications/twilio", dependencies=[PUBLIC],
             summary="Twilio's status callback for an SMS, signed with X-Twilio-Signature")
async def twilio_status(request: Request, commerce: CommerceDep,
                        settings: SettingsDep) -> Response:
    token = settings.twilio_auth_token
    url = settings.twilio_status_callback_url
    if token is None or not url:
        raise HttpProblem(404, "notification.unknown_provider",
                          "Twilio status callbacks are not configured.")
    # Twilio posts a flat urlencoded form; parsed here without a multipart library.
    form = dict(parse_qsl((await request.body()).decode(errors="replace"),
                          keep_blank_values=True))
    signature = request.headers.get("X-Twilio-Signature", "")
    # Signed over the URL Twilio was given, which a proxy may rewrite before it reaches us.
    if not verify_twilio_signature(token.get_secret_value(), url, form, signature):
        raise HttpProblem(400, "notification.invalid_signature",
                          "The X-Twilio-Signature does not match the callback.")
    status = STATUSES.get(form.get("MessageStatus", ""))
    sid = form.get("MessageSid", "")
    if status is not None and sid:
        commerce.notifications.record_delivery("twilio", sid, status)
    # Acknowledged in every case: a refusal only makes Twilio send it again.
    return Response(status_code=204)
