"""CustomerRepository and SegmentRepository contract: a customer reads back whole (preferences,
addresses in order, segment memberships), emails are unique on commit, updates are versioned,
and the reads the jobs and screens use (by email, lists, the id cursor, due deletions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from commerce_core.customer.commands import AddressFields, SegmentRule
from commerce_core.customer.errors import CustomerNotFound, EmailTaken, SegmentNotFound
from commerce_core.customer.model import Customer, CustomerStatus, Place, Segment
from commerce_core.shared.errors import ConcurrencyConflict
from tests.contract.conftest import Store

HOME = Place("Phường Bến Thành", None, "Thành phố Hồ Chí Minh", "VN")


def register(store: Store, email: str, *, customer_id: str | None = None) -> Customer:
    customer = Customer.register(
        customer_id=customer_id or store.ids.new_id(), email=email, first_name="Lan",
        last_name="Nguyễn", phone="+84901234567", registration_source="web",
        email_verified=False, customer_type="individual",
        segments=("all-customers", "new-customers"), now=store.clock.now())
    with store.uow() as uow:
        uow.customers.add(customer)
        uow.commit()
    return customer


def address(line1: str = "12 Lê Lợi") -> AddressFields:
    return AddressFields("Lan", "Nguyễn", "+84901234567", line1, "vn-hcm-ben-thanh")


def test_a_customer_reads_back_whole_by_id_and_by_email(store: Store) -> None:
    added = register(store, "lan@example.vn")
    with store.uow() as uow:
        customer = uow.customers.get(added.id)
        customer.update_profile({"date_of_birth": date(1990, 5, 17), "gender": "female"},
                                now=store.clock.now())
        customer.update_preferences({"sms_marketing": True, "language": "en",
                                     "custom": {"theme": "dark"}}, now=store.clock.now())
        customer.add_address("a1", address(), HOME, make_default=False, now=store.clock.now())
        customer.add_address("a2", address("5 Nguyễn Huệ"), HOME, make_default=True,
                             now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        read = uow.customers.get(added.id)
        by_email = uow.customers.by_email("lan@example.vn")
        missing = uow.customers.by_email("minh@example.vn")

    assert by_email is not None
    assert by_email.id == added.id
    assert missing is None
    assert read.email == "lan@example.vn"
    assert read.status is CustomerStatus.PENDING_VERIFICATION
    assert read.date_of_birth == date(1990, 5, 17)
    assert read.gender == "female"
    assert read.preferences.sms_marketing is True
    assert read.preferences.language == "en"
    assert dict(read.preferences.custom) == {"theme": "dark"}
    assert read.preferences.email_marketing is True  # the spec default, untouched
    assert [(a.id, a.line1, a.is_default) for a in read.addresses] == [
        ("a1", "12 Lê Lợi", False), ("a2", "5 Nguyễn Huệ", True)]
    assert read.addresses[0].ward == "Phường Bến Thành"
    assert read.addresses[0].district is None
    assert read.segments == ["all-customers", "new-customers"]
    assert read.group == "regular"
    assert read.version == 1


def test_an_unknown_customer_is_not_found(store: Store) -> None:
    with store.uow() as uow, pytest.raises(CustomerNotFound):
        uow.customers.get("nobody")


def test_a_second_customer_with_the_same_email_is_refused_on_commit(store: Store) -> None:
    register(store, "lan@example.vn")

    with pytest.raises(EmailTaken):
        register(store, "lan@example.vn")

    with store.uow() as uow:
        assert len(uow.customers.list()) == 1


def test_a_stale_update_is_refused(store: Store) -> None:
    added = register(store, "lan@example.vn")
    with store.uow() as first:
        first.customers.get(added.id)
        first.commit()
        held = first.held()
    with store.uow() as uow:
        theirs = uow.customers.get(added.id)
        theirs.update_profile({"first_name": "Mai"}, now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        uow.adopt(held)
        mine = uow.customers.get(added.id)
        mine.update_profile({"first_name": "Hoa"}, now=store.clock.now())
        with pytest.raises(ConcurrencyConflict):
            uow.commit()

    with store.uow() as uow:
        assert uow.customers.get(added.id).first_name == "Mai"


def test_lists_filter_by_status_group_segment_and_email_newest_first(store: Store) -> None:
    lan = register(store, "lan@example.vn")
    store.clock.advance(timedelta(minutes=1))
    minh = register(store, "minh@shop.vn")
    with store.uow() as uow:
        customer = uow.customers.get(minh.id)
        customer.verify(now=store.clock.now())
        customer.change_group("vip", now=store.clock.now())
        customer.join_segment("big-spenders", now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        everyone = [c.id for c in uow.customers.list()]
        active = [c.id for c in uow.customers.list(status=CustomerStatus.ACTIVE)]
        vip = [c.id for c in uow.customers.list(group="vip")]
        big = [c.id for c in uow.customers.list(segment="big-spenders")]
        by_email = [c.id for c in uow.customers.list(email_contains="EXAMPLE")]
        paged = [c.id for c in uow.customers.list(limit=1, offset=1)]
        count = uow.customers.count()

    assert everyone == [minh.id, lan.id]
    assert active == vip == big == [minh.id]
    assert by_email == [lan.id]
    assert paged == [lan.id]
    assert count == 2


def test_the_cursor_walks_every_customer_by_id(store: Store) -> None:
    ids = sorted(register(store, f"c{i}@example.vn").id for i in range(5))

    with store.uow() as uow:
        first = [c.id for c in uow.customers.after(None, 2)]
        second = [c.id for c in uow.customers.after(first[-1], 2)]
        last = [c.id for c in uow.customers.after(second[-1], 2)]
        done = uow.customers.after(last[-1], 2)

    assert first + second + last == ids
    assert done == []


def test_due_deletions_are_those_whose_time_passed_and_not_yet_deleted(store: Store) -> None:
    early, late, gone = (register(store, f"{n}@example.vn") for n in ("early", "late", "gone"))
    now = store.clock.now()
    with store.uow() as uow:
        for customer_id, ahead in ((early.id, 1), (late.id, 40), (gone.id, 0)):
            customer = uow.customers.get(customer_id)
            customer.verify(now=now)
            customer.schedule_deletion("asked", now=now, grace=timedelta(days=ahead))
        uow.customers.get(gone.id).anonymise(now=now)
        uow.commit()

    with store.uow() as uow:
        due = [c.id for c in uow.customers.due_for_deletion(now + timedelta(days=2), 10)]
        anonymised = uow.customers.get(gone.id)
        tombstone = uow.customers.by_email(f"deleted-{gone.id}@deleted.invalid")

    assert due == [early.id]
    assert anonymised.status is CustomerStatus.DELETED
    assert tombstone is not None
    assert tombstone.id == gone.id


def test_segments_read_back_with_their_rules(store: Store) -> None:
    now = store.clock.now()
    segment = Segment.define("loyal", "Loyal", (SegmentRule("total_orders", "gt", "5"),),
                             now=now)
    with store.uow() as uow:
        uow.segments.add(segment)
        uow.segments.add(Segment.define("b2b", "Business", (), now=now))
        uow.commit()
    with store.uow() as uow:
        read = uow.segments.get("loyal")
        read.change("Loyal ones", (*read.rules, SegmentRule("email", "contains", ".vn", 2)),
                    is_active=False, now=now)
        uow.commit()

    with store.uow() as uow:
        listed = uow.segments.list()
        found = uow.segments.find("loyal")
        assert uow.segments.find("nope") is None
        with pytest.raises(SegmentNotFound):
            uow.segments.get("nope")

    assert [s.id for s in listed] == ["b2b", "loyal"]
    assert found is not None
    assert found.name == "Loyal ones"
    assert found.is_active is False
    assert found.rules == (SegmentRule("total_orders", "gt", "5"),
                           SegmentRule("email", "contains", ".vn", 2))


def test_anonymising_removes_addresses_and_memberships_for_good(store: Store) -> None:
    added = register(store, "lan@example.vn")
    with store.uow() as uow:
        customer = uow.customers.get(added.id)
        customer.add_address("a1", address(), HOME, make_default=False, now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        customer = uow.customers.get(added.id)
        customer.anonymise(now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        read = uow.customers.get(added.id)
    assert read.addresses == []
    assert read.segments == []
    assert (read.first_name, read.last_name, read.phone) == ("deleted", "deleted", None)
    assert read.preferences.email_marketing is False
