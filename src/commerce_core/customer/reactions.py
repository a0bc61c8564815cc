"""What the customer context does when identity announces an account: a shopper who signs up
gets a profile under the id identity generated, and verifying the email verifies the customer
(which links their guest orders, see `ordering.link_guest_orders_on_email_verified`).

Both are idempotent: a redelivered event finds the profile there, or the customer verified.
"""

from __future__ import annotations

import logging
from typing import Any

from attrs import evolve

from commerce_core.customer.errors import CustomerNotFound
from commerce_core.customer.model import ALL_CUSTOMERS, NEW_CUSTOMERS, Customer, normalise_email
from commerce_core.shared.clock import Clock
from commerce_core.shared.events import EventEnvelope

log = logging.getLogger("commerce.customer")


class ProfileOnCustomerRegistered:
    """`identity.customer_registered` → the customer with profile and preferences."""

    name = "customer.profile_on_customer_registered"
    event_type = "identity.customer_registered"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        payload = envelope.payload
        customer_id = str(payload["customer_id"])
        try:
            uow.customers.get(customer_id)
            return  # a redelivery: the profile stands
        except CustomerNotFound:
            pass
        email = normalise_email(str(payload["email"]))
        if uow.customers.by_email(email) is not None:
            # A profile with this email exists already (made by staff before the sign-up): the
            # account signs in, and staff merge the two; a second profile is never made.
            log.warning("account %s: a customer with its email exists; no second profile",
                        payload.get("account_id"))
            return
        # The name as the shopper typed it (a Vietnamese name puts the family name first, so it
        # is not split); a sign-up without a name is called by its email until they say.
        first, last = str(payload.get("name") or "").strip() or email.partition("@")[0], ""
        now = self._clock.now()
        customer = Customer.register(
            customer_id=customer_id, email=email, first_name=first, last_name=last.strip(),
            phone=None, registration_source="web", email_verified=False,
            customer_type="individual", segments=(ALL_CUSTOMERS, NEW_CUSTOMERS), now=now)
        locale = str(payload.get("locale") or "").strip()
        if locale:  # the language chosen at sign-up is the one messages speak
            customer.preferences = evolve(customer.preferences, language=locale[:16])
        uow.customers.add(customer)


class VerifyOnEmailVerified:
    """`identity.email_verified` of a customer account → the customer is verified."""

    name = "customer.verify_on_email_verified"
    event_type = "identity.email_verified"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        customer_id = envelope.payload.get("customer_id")
        if not customer_id:
            return  # a staff account
        try:
            customer = uow.customers.get(str(customer_id))
        except CustomerNotFound:
            return  # no profile (it predates the account): nothing to verify
        customer.verify(now=self._clock.now())
