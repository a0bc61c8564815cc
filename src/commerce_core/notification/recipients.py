"""Who a recipient is: the customer context first (profile email and phone, the language of
their preferences), read in the caller's transaction; the shop's own `RecipientDirectory` for
what customers do not hold (a device token) and for recipients that are not customers."""

from __future__ import annotations

from commerce_core.customer.services import contact
from commerce_core.notification.model import LOCALES
from commerce_core.notification.ports import (
    NotificationUnitOfWork,
    Recipient,
    RecipientDirectory,
)
from commerce_core.shared.uow import UnitOfWorkFactory


class CustomerDirectory:
    """A `RecipientDirectory` over the customer context. `within(uow, id)` answers inside a
    transaction already open (a trigger's); `recipient(id)` opens a short one of its own."""

    def __init__(self, uow: UnitOfWorkFactory[NotificationUnitOfWork],
                 fallback: RecipientDirectory | None = None) -> None:
        self._uow, self._fallback = uow, fallback

    def recipient(self, recipient_id: str) -> Recipient | None:
        with self._uow() as uow:
            return self.within(uow, recipient_id)

    def within(self, uow: NotificationUnitOfWork, recipient_id: str) -> Recipient | None:
        other = self._fallback.recipient(recipient_id) if self._fallback is not None else None
        # Guests are `email:<address>`; a customer id never has that form.
        customer = None if recipient_id.startswith("email:") else contact(uow, recipient_id)
        if customer is None:
            return other
        other = other or Recipient(recipient_id)
        # A language messages have no templates in falls back to what the shop says.
        locale = customer.language if customer.language in LOCALES else other.locale
        return Recipient(recipient_id, email=customer.email or other.email,
                         phone=customer.phone or other.phone,
                         device_token=other.device_token, locale=locale)

