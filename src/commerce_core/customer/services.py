"""What the customer context offers other contexts inside their own transaction: a customer's
group and segments (pricing and promotion price by group), and how to reach them
(notification)."""

from __future__ import annotations

from commerce_core.customer.errors import CustomerNotFound
from commerce_core.customer.model import DEFAULT_GROUP, CustomerStatus
from commerce_core.customer.ports import CustomerUnitOfWork
from commerce_core.customer.queries import CustomerContact, CustomerSummary

__all__ = ["DEFAULT_GROUP", "contact", "group_of", "summary"]


def summary(uow: CustomerUnitOfWork, customer_id: str) -> CustomerSummary:
    customer = uow.customers.get(customer_id)
    return CustomerSummary(customer.id, customer.email, customer.status.value, customer.group,
                           tuple(customer.segments))


def group_of(uow: CustomerUnitOfWork, customer_id: str | None) -> str:
    """The customer's group; `regular` for a guest or an unknown id."""
    if customer_id is None:
        return DEFAULT_GROUP
    try:
        return uow.customers.get(customer_id).group
    except CustomerNotFound:
        return DEFAULT_GROUP


def contact(uow: CustomerUnitOfWork, customer_id: str) -> CustomerContact | None:
    """The customer's email, phone and language; None for an unknown or erased customer."""
    try:
        customer = uow.customers.get(customer_id)
    except CustomerNotFound:
        return None
    if customer.status is CustomerStatus.DELETED:
        return None
    default = customer.default_address
    phone = customer.phone or (default.phone if default is not None else None) or None
    return CustomerContact(customer.id, customer.email, phone, customer.preferences.language)
