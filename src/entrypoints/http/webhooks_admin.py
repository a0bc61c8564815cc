"""Outbound webhook routes for operators: subscriptions of third-party apps (the signing
secret is in the answer to a create or a rotation, and nowhere else), each subscription's
delivery log, and replays of one delivery or of a time range. Inbound provider webhooks are
in `entrypoints.http.webhooks`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from commerce_core.shared.permissions import Permission
from commerce_core.webhooks.ports import Attempt, Delivery, Subscription
from commerce_core.webhooks.queries import SubscriptionWithSecret
from entrypoints.http.access import permit
from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.schemas.common import MAX_OFFSET, RequestBody

admin = APIRouter(tags=["webhooks admin"])
MANAGE = [permit(Permission.WEBHOOKS_MANAGE)]

EventTypes = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]],
                       Field(min_length=1, max_length=100)]


# The scheme, in either case (the target is checked further when it is saved).
HTTP_URL = r"^[Hh][Tt][Tt][Pp][Ss]?://"

class SubscriptionOut(BaseModel):
    id: str
    url: str
    event_types: list[str] = Field(description="Exact types, `<context>.*` or `*`")
    description: str
    status: str = Field(description="active, disabled or deleted")
    disabled_reason: str | None = Field(description="manual or consecutive_failures")
    consecutive_failures: int = Field(description="Deliveries that failed in a row")
    previous_secret_until: datetime | None = Field(
        description="Until then the previous secret signs too (after a rotation)")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, s: Subscription) -> SubscriptionOut:
        return cls(id=s.id, url=s.url, event_types=list(s.event_types),
                   description=s.description, status=s.status.value,
                   disabled_reason=s.disabled_reason,
                   consecutive_failures=s.consecutive_failures,
                   previous_secret_until=s.previous_secret_until, created_at=s.created_at,
                   updated_at=s.updated_at)


class SubscriptionWithSecretOut(SubscriptionOut):
    secret: str = Field(description="The `whsec_` signing secret, shown this once")

    @classmethod
    def with_secret(cls, created: SubscriptionWithSecret) -> SubscriptionWithSecretOut:
        return cls(**SubscriptionOut.of(created.subscription).model_dump(),
                   secret=created.secret)


class AttemptOut(BaseModel):
    number: int
    started_at: datetime
    finished_at: datetime
    status_code: int | None = Field(description="None: no answer (timeout, refused)")
    duration_ms: int
    error: str | None
    response: str = Field(description="The start of the answer's body")

    @classmethod
    def of(cls, a: Attempt) -> AttemptOut:
        return cls(number=a.number, started_at=a.started_at, finished_at=a.finished_at,
                   status_code=a.status_code, duration_ms=a.duration_ms, error=a.error,
                   response=a.response)


class DeliveryOut(BaseModel):
    id: str
    subscription_id: str
    event_id: str = Field(description="Also the `webhook-id` header of every attempt")
    event_type: str
    occurred_at: datetime
    replay: bool
    replay_of: str | None
    status: str = Field(description="pending, sending, succeeded, failed or cancelled")
    attempt_count: int
    max_attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    attempts: list[AttemptOut] = Field(description="The delivery log, one entry per attempt")

    @classmethod
    def of(cls, d: Delivery) -> DeliveryOut:
        return cls(id=d.id, subscription_id=d.subscription_id, event_id=d.event_id,
                   event_type=d.event_type, occurred_at=d.occurred_at, replay=d.replay,
                   replay_of=d.replay_of, status=d.status.value,
                   attempt_count=d.attempt_count, max_attempts=d.max_attempts,
                   next_attempt_at=d.next_attempt_at, last_status_code=d.last_status_code,
                   last_error=d.last_error, created_at=d.created_at, updated_at=d.updated_at,
                   attempts=[AttemptOut.of(a) for a in d.attempts])


class ReplayOut(BaseModel):
    subscription_id: str
    replayed: int
    delivery_ids: list[str]


class SubscriptionIn(RequestBody):
    url: str = Field(min_length=1, max_length=2000, pattern=HTTP_URL, description="An http(s) URL")
    event_types: EventTypes
    description: str = Field("", max_length=500)


class SubscriptionChange(RequestBody):
    url: str | None = Field(None, min_length=1, max_length=2000, pattern=HTTP_URL)
    event_types: EventTypes | None = None
    description: str | None = Field(None, max_length=500)


@admin.post("/webhooks", status_code=201, dependencies=MANAGE,
            summary="Subscribe a target URL to event types; the answer holds the signing "
                    "secret, shown this once")
def create_subscription(body: SubscriptionIn,
                        commerce: CommerceDep) -> SubscriptionWithSecretOut:
    return SubscriptionWithSecretOut.with_secret(
        commerce.webhooks.create(body.url, body.event_types, body.description))


@admin.get("/webhooks", dependencies=MANAGE, summary="Webhook subscriptions, oldest first")
def list_subscriptions(commerce: CommerceDep,
                       include_deleted: bool = False) -> list[SubscriptionOut]:
    return [SubscriptionOut.of(s) for s in
            commerce.webhooks.list(include_deleted=include_deleted)]


@admin.get("/webhooks/{subscription_id}", dependencies=MANAGE,
           summary="One webhook subscription")
def get_subscription(subscription_id: str, commerce: CommerceDep) -> SubscriptionOut:
    return SubscriptionOut.of(commerce.webhooks.get(subscription_id))


@admin.patch("/webhooks/{subscription_id}", dependencies=MANAGE,
             summary="Change a subscription's URL, event types or description")
def update_subscription(subscription_id: str, body: SubscriptionChange,
                        commerce: CommerceDep) -> SubscriptionOut:
    return SubscriptionOut.of(commerce.webhooks.update(
        subscription_id, url=body.url, event_types=body.event_types,
        description=body.description))


@admin.post("/webhooks/{subscription_id}/rotate-secret", dependencies=MANAGE,
            summary="A new signing secret, shown this once; the old one signs too for 24 h")
def rotate_secret(subscription_id: str, commerce: CommerceDep) -> SubscriptionWithSecretOut:
    return SubscriptionWithSecretOut.with_secret(commerce.webhooks.rotate_secret(subscription_id))


@admin.post("/webhooks/{subscription_id}/enable", dependencies=MANAGE,
            summary="Send to this subscription again (its failure count starts over)")
def enable_subscription(subscription_id: str, commerce: CommerceDep) -> SubscriptionOut:
    return SubscriptionOut.of(commerce.webhooks.enable(subscription_id))


@admin.post("/webhooks/{subscription_id}/disable", dependencies=MANAGE,
            summary="Stop sending to this subscription (deliveries due meanwhile are "
                    "cancelled)")
def disable_subscription(subscription_id: str, commerce: CommerceDep) -> SubscriptionOut:
    return SubscriptionOut.of(commerce.webhooks.disable(subscription_id))


@admin.delete("/webhooks/{subscription_id}", status_code=204, dependencies=MANAGE,
              summary="Delete a subscription (its delivery log is kept)")
def delete_subscription(subscription_id: str, commerce: CommerceDep) -> Response:
    commerce.webhooks.delete(subscription_id)
    return Response(status_code=204)


DeliveryStatusQuery = Literal["pending", "sending", "succeeded", "failed", "cancelled"]


@admin.get("/webhooks/{subscription_id}/deliveries", dependencies=MANAGE,
           summary="A subscription's delivery log, newest first")
def list_deliveries(
    subscription_id: str, commerce: CommerceDep,
    status: DeliveryStatusQuery | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[DeliveryOut]:
    return [DeliveryOut.of(d) for d in commerce.webhooks.deliveries(
        subscription_id, status=status, limit=limit, offset=offset)]


@admin.post("/webhooks/{subscription_id}/replay", status_code=202, dependencies=MANAGE,
            summary="Send again every event the subscription was sent that occurred in "
                    "[from, to)")
def replay_range(
    subscription_id: str, commerce: CommerceDep,
    start: Annotated[datetime, Query(alias="from", description="ISO 8601 with a zone")],
    end: Annotated[datetime, Query(alias="to", description="ISO 8601 with a zone")],
) -> ReplayOut:
    report = commerce.webhooks.replay_range(subscription_id, start, end)
    return ReplayOut(subscription_id=subscription_id, replayed=report.count,
                     delivery_ids=list(report.delivery_ids))


@admin.get("/webhook-deliveries/{delivery_id}", dependencies=MANAGE,
           summary="One delivery with its attempts")
def get_delivery(delivery_id: str, commerce: CommerceDep) -> DeliveryOut:
    return DeliveryOut.of(commerce.webhooks.delivery(delivery_id))


@admin.post("/webhook-deliveries/{delivery_id}/replay", status_code=202, dependencies=MANAGE,
            summary="Send one delivery's event again (a new delivery flagged as a replay)")
def replay_delivery(delivery_id: str, commerce: CommerceDep) -> DeliveryOut:
    return DeliveryOut.of(commerce.webhooks.replay(delivery_id))
