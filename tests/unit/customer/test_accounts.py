"""Registration, profile, preferences and the status machine through `commerce.customers`."""

from __future__ import annotations

from datetime import date

import pytest

from commerce_core.customer.errors import (
    CustomerNotFound,
    EmailTaken,
    InvalidCustomer,
    InvalidStatusChange,
    StaleProfile,
)
from commerce_core.customer.model import CustomerStatus
from tests.shop import events_of
from tests.unit.customer.support import customer_shop


def test_registration_creates_profile_and_spec_default_preferences_with_one_event() -> None:
    commerce = customer_shop()

    customer = commerce.customers.register("  Lan@Example.VN ", "Lan", "Nguyễn",
                                           phone="0901 234 567")

    stored = commerce.customers.get(customer.id)
    assert stored.email == "lan@example.vn"
    assert stored.status is CustomerStatus.PENDING_VERIFICATION
    assert stored.group == "regular"
    assert stored.segments == ["all-customers", "new-customers"]
    prefs = stored.preferences
    assert (prefs.email_marketing, prefs.sms_marketing, prefs.push, prefs.newsletter) == (
        True, False, True, True)
    assert (prefs.data_sharing, prefs.analytics_tracking, prefs.cookie_consent) == (
        False, True, False)
    assert (prefs.order_updates, prefs.promotional_emails) == (True, True)
    created = events_of(commerce, "customer.created")
    assert created == [{
        "customer_id": customer.id, "email": "lan@example.vn", "first_name": "Lan",
        "last_name": "Nguyễn", "phone": "0901234567", "registration_source": "web",
        "status": "pending_verification", "occurred_at": created[0]["occurred_at"],
    }]


def test_a_social_sign_up_with_a_verified_email_is_active_at_once() -> None:
    commerce = customer_shop()

    customer = commerce.customers.register("minh@example.vn", "Minh", "Trần",
                                           email_verified=True, registration_source="mobile")

    assert customer.status is CustomerStatus.ACTIVE


def test_registering_a_taken_email_is_refused_and_changes_nothing() -> None:
    commerce = customer_shop()
    commerce.customers.register("lan@example.vn", "Lan", "Nguyễn")

    with pytest.raises(EmailTaken) as refused:
        commerce.customers.register("LAN@example.vn", "Other", "Person")

    assert refused.value.code == "customer.email_taken"
    assert len(commerce.customers.list()) == 1


def test_registration_with_a_given_id_is_idempotent() -> None:
    commerce = customer_shop()

    first = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn", customer_id="c-77")
    again = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn", customer_id="c-77")

    assert first.id == again.id == "c-77"
    assert len(events_of(commerce, "customer.created")) == 1
    with pytest.raises(EmailTaken):
        commerce.customers.register("other@example.vn", "Lan", "Nguyễn", customer_id="c-77")


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "two@@example.vn"])
def test_a_malformed_email_is_refused(email: str) -> None:
    commerce = customer_shop()

    with pytest.raises(InvalidCustomer):
        commerce.customers.register(email, "Lan", "Nguyễn")


def test_status_changes_follow_the_spec_table() -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id

    with pytest.raises(InvalidStatusChange):
        commerce.customers.suspend(customer_id)  # pending verification first
    with pytest.raises(InvalidStatusChange):
        commerce.customers.activate(customer_id)
    commerce.customers.verify(customer_id)
    commerce.customers.suspend(customer_id, "chargebacks")
    with pytest.raises(InvalidStatusChange):
        commerce.customers.deactivate(customer_id)  # suspended → inactive is not a move
    commerce.customers.activate(customer_id)
    commerce.customers.deactivate(customer_id)

    assert commerce.customers.get(customer_id).status is CustomerStatus.INACTIVE
    moves = [(e["from_status"], e["to_status"])
             for e in events_of(commerce, "customer.status_changed")]
    assert moves == [("pending_verification", "active"), ("active", "suspended"),
                     ("suspended", "active"), ("active", "inactive")]
    assert len(events_of(commerce, "customer.verified")) == 1


def test_profile_updates_are_checked_and_versioned() -> None:
    commerce = customer_shop()
    customer = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn")

    updated = commerce.customers.update_profile(
        customer.id, {"first_name": "Mai", "date_of_birth": date(1992, 3, 8)},
        expected_version=customer.version)
    with pytest.raises(StaleProfile):
        commerce.customers.update_profile(customer.id, {"first_name": "Hoa"},
                                          expected_version=customer.version)
    with pytest.raises(InvalidCustomer):
        commerce.customers.update_profile(customer.id, {"email": "x@example.vn"})
    with pytest.raises(InvalidCustomer):
        commerce.customers.update_profile(customer.id, {"date_of_birth": date(2999, 1, 1)})

    assert updated.version == customer.version + 1
    stored = commerce.customers.get(customer.id)
    assert (stored.first_name, stored.date_of_birth) == ("Mai", date(1992, 3, 8))
    assert events_of(commerce, "customer.updated")[0]["changes"] == {
        "first_name": "Mai", "date_of_birth": "1992-03-08"}


def test_preferences_change_by_name_and_type() -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id

    commerce.customers.update_preferences(customer_id, {"sms_marketing": True,
                                                        "language": "en"})
    with pytest.raises(InvalidCustomer):
        commerce.customers.update_preferences(customer_id, {"sms_marketing": "yes"})
    with pytest.raises(InvalidCustomer):
        commerce.customers.update_preferences(customer_id, {"telepathy": True})

    prefs = commerce.customers.get(customer_id).preferences
    assert (prefs.sms_marketing, prefs.language) == (True, "en")


def test_the_group_is_readable_for_pricing() -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id

    commerce.customers.change_group(customer_id, "wholesale")

    assert commerce.customers.group(customer_id) == "wholesale"
    with pytest.raises(CustomerNotFound):
        commerce.customers.group("nobody")
