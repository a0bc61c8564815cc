"""A shop that notifies: memory adapters, recording notifiers per channel, a directory that
knows the customer's phone and device, a seeded jitter."""

from __future__ import annotations

import random

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from adapters.memory.fulfillment import RecordingCarrier
from adapters.memory.notification import FormatRenderer, RecordingNotifier, StaticDirectory
from commerce_core import Commerce
from commerce_core.fulfillment.model import FulfillmentPolicy
from commerce_core.notification.ports import Channel, NotificationPorts, Recipient
from tests.shop import stock_shop

CUSTOMER = "cus-an"
EMAIL = "an@example.vn"
PHONE = "+84901234567"
DEVICE = "device-token-an"


def notifying_shop(*, directory: StaticDirectory | None = None) -> Commerce:
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())
    ports.carrier = RecordingCarrier()
    ports.notifications = NotificationPorts(
        FormatRenderer(),
        {Channel.EMAIL: RecordingNotifier("mailer"), Channel.SMS: RecordingNotifier("sms"),
         Channel.PUSH: RecordingNotifier("push")},
        directory if directory is not None else StaticDirectory(
            {CUSTOMER: Recipient(CUSTOMER, phone=PHONE, device_token=DEVICE)}),
        rng=random.Random(7),
    )
    commerce = Commerce(ports, fulfillment_policy=FulfillmentPolicy(qc_sample_percent=0))
    stock_shop(commerce)
    return commerce


def notifier(commerce: Commerce, channel: Channel) -> RecordingNotifier:
    given = commerce.ports.notifications
    assert given is not None
    found = given.notifiers[channel]
    assert isinstance(found, RecordingNotifier)
    return found
