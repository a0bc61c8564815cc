"""Inventory errors."""

from commerce_core.shared.errors import BusinessRuleViolation, Conflict, InvalidInput, NotFound


class InsufficientStock(BusinessRuleViolation):
    """Not enough available stock; `details` carries the SKU, requested and available quantity."""

    code = "inventory.insufficient_stock"


class WarehouseNotFound(NotFound):
    code = "inventory.warehouse_not_found"


class DuplicateWarehouse(Conflict):
    code = "inventory.duplicate_warehouse"


class ReservationNotFound(NotFound):
    code = "inventory.reservation_not_found"


class ReservationNotActive(Conflict):
    """The reservation cannot take this step in its current state (expired, released, ...)."""

    code = "inventory.reservation_not_active"


class MoreThanReserved(BusinessRuleViolation):
    """More units fulfilled than the reservation still holds."""

    code = "inventory.more_than_reserved"


class InvalidStockChange(InvalidInput):
    code = "inventory.invalid_stock_change"


class StockBelowReserved(BusinessRuleViolation):
    """On hand may never drop below what is reserved for customers."""

    code = "inventory.stock_below_reserved"


class WarehouseInactive(Conflict):
    """The warehouse is deactivated: it takes no new reservations or transfers."""

    code = "inventory.warehouse_inactive"


class InvalidWarehouse(InvalidInput):
    code = "inventory.invalid_warehouse"


class DefaultWarehouseRequired(BusinessRuleViolation):
    """The shop always has one active default warehouse: name another before deactivating it."""

    code = "inventory.default_warehouse_required"


class DistributorNotFound(NotFound):
    code = "inventory.distributor_not_found"


class DuplicateDistributor(Conflict):
    code = "inventory.duplicate_distributor"


class ExtensionRefused(BusinessRuleViolation):
    """A reservation may be extended only while active, into the future, and to at most twice
    its original time to live counted from its creation (spec A2.5, ambiguity 7)."""

    code = "inventory.extension_refused"


class AdjustmentNotFound(NotFound):
    code = "inventory.adjustment_not_found"


class AdjustmentNotPending(Conflict):
    """The adjustment request was already decided the other way (approved or rejected)."""

    code = "inventory.adjustment_not_pending"


class TransferNotFound(NotFound):
    code = "inventory.transfer_not_found"


class InvalidTransferStep(Conflict):
    """The transfer is not in the state this step needs (e.g. receiving before shipping)."""

    code = "inventory.invalid_transfer_step"
