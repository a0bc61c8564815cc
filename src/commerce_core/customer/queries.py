"""Customer's answers to other contexts and screens."""

from __future__ import annotations

from attrs import frozen


@frozen
class CustomerSummary:
    """What another context may know of a customer: pricing and promotion read `group` and
    `segments` (spec §3: group `regular` by default)."""

    customer_id: str
    email: str
    status: str
    group: str
    segments: tuple[str, ...]


@frozen
class CustomerContact:
    """How to reach a customer, for notification: the profile's email and phone (else the
    default address's phone) and the language they chose (`vi`, `en`, ...)."""

    customer_id: str
    email: str
    phone: str | None
    language: str


@frozen
class SegmentEvaluation:
    """What one evaluator run did: customers looked at, memberships added and removed."""

    customers: int
    added: int
    removed: int


@frozen
class DeletionRun:
    """What one deletion job run did: the customers anonymised, and those whose deletion
    waits because they have orders in progress again."""

    deleted: tuple[str, ...]
    postponed: tuple[str, ...]
