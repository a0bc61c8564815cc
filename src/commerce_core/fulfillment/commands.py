"""Fulfillment commands. A warehouse is named by its code (HCM) or its id."""

from __future__ import annotations

from attrs import frozen

from commerce_core.fulfillment.model import PackageSpec


@frozen
class GeneratePicklist:
    """One pick list for fulfillments of a warehouse in planning: the given ones, or the
    oldest `limit` of them (batch picking)."""

    warehouse: str
    fulfillment_ids: tuple[str, ...] = ()
    limit: int = 50


@frozen
class StartPicklist:
    picklist_id: str


@frozen
class CompletePicklist:
    """Picked units per pick-list line (`(sequence, quantity)`; none given: all in full).
    Short lines leave their fulfillments `pick_failed` unless `accept_short`, which ships
    what was found and gives the rest back to stock."""

    picklist_id: str
    picked: tuple[tuple[int, int], ...] | None = None
    accept_short: bool = False


@frozen
class ConfirmPicked:
    """Picked units of one fulfillment, by SKU (none given: everything)."""

    fulfillment_id: str
    picked: tuple[tuple[str, int], ...] | None = None
    accept_short: bool = False


@frozen
class RetryPick:
    fulfillment_id: str


@frozen
class StartPacking:
    fulfillment_id: str


@frozen
class ConfirmPacked:
    fulfillment_id: str
    packages: tuple[PackageSpec, ...]


@frozen
class RecordQcResult:
    fulfillment_id: str
    passed: bool
    reason: str = ""


@frozen
class MarkReadyToShip:
    fulfillment_id: str


@frozen
class ShipFulfillment:
    """Hand a ready fulfillment to the carrier through the shipping adapter (once)."""

    fulfillment_id: str
    service_type: str = "standard"


@frozen
class MarkDelivered:
    fulfillment_id: str


@frozen
class CancelFulfillment:
    fulfillment_id: str
    reason: str = "manual"


@frozen
class MarkCompensated:
    """The goods of a fulfillment cancelled after shipping came back."""

    fulfillment_id: str


@frozen
class CompleteShippedFulfillments:
    """The job completing fulfillments shipped longer ago than the policy's 7 days."""

    batch_size: int = 50


@frozen
class CheckFulfillmentSla:
    """The job publishing one breach per fulfillment and status past its SLA."""

    batch_size: int = 500


@frozen
class ExpirePicklists:
    batch_size: int = 100
