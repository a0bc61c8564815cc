"""Request and response bodies of the HTTP API, and their translation to commands and from views.

Money travels as `{"amount": <int, minor units>, "currency": "VND"}` (plus a `display` string on
the way out, never parsed back). Request bodies forbid unknown fields, so a client cannot slip in
a price or a status; integers are strict, so `"2"`, `2.5` and `true` are not quantities.
"""

from entrypoints.http.schemas.cart import (
    CartItemChange,
    CartLineOut,
    CartOut,
    NewCart,
    NewCartItem,
    OpenedCartOut,
)
from entrypoints.http.schemas.catalog import (
    CategoryOut,
    NewCategory,
    NewProduct,
    NewVariant,
    ProductChanges,
    ProductOut,
    ProductPage,
    VariantOut,
)
from entrypoints.http.schemas.checkout import (
    CheckoutOut,
    NewOrder,
    PlacedOrderOut,
)
from entrypoints.http.schemas.common import (
    Currency,
    Health,
    MoneyIn,
    MoneyOut,
    Quantity,
    RequestBody,
    Sku,
    StrictCount,
)
from entrypoints.http.schemas.inventory import (
    Availability,
    NewWarehouse,
    ReservationOut,
    StockCount,
    StockLevelOut,
    WarehouseOut,
)
from entrypoints.http.schemas.orders import (
    CancelRequest,
    OrderLineOut,
    OrderOut,
    OrderSummary,
    PaymentOut,
    StatusChangeOut,
    TotalsOut,
)

__all__ = [
    "Availability",
    "CancelRequest",
    "CartItemChange",
    "CartLineOut",
    "CartOut",
    "CategoryOut",
    "CheckoutOut",
    "Currency",
    "Health",
    "MoneyIn",
    "MoneyOut",
    "NewCart",
    "NewCartItem",
    "NewCategory",
    "NewOrder",
    "NewProduct",
    "NewVariant",
    "NewWarehouse",
    "OpenedCartOut",
    "OrderLineOut",
    "OrderOut",
    "OrderSummary",
    "PaymentOut",
    "PlacedOrderOut",
    "ProductChanges",
    "ProductOut",
    "ProductPage",
    "Quantity",
    "RequestBody",
    "ReservationOut",
    "Sku",
    "StatusChangeOut",
    "StockCount",
    "StockLevelOut",
    "StrictCount",
    "TotalsOut",
    "VariantOut",
    "WarehouseOut",
]
