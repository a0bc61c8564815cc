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


class InvalidStockChange(InvalidInput):
    code = "inventory.invalid_stock_change"


class StockBelowReserved(BusinessRuleViolation):
    """On hand may never drop below what is reserved for customers."""

    code = "inventory.stock_below_reserved"
