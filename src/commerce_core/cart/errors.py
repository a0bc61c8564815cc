"""Cart errors."""

from commerce_core.shared.errors import BusinessRuleViolation, Conflict, InvalidInput, NotFound


class CartNotFound(NotFound):
    code = "cart.not_found"


class CartLineNotFound(NotFound):
    code = "cart.line_not_found"


class InvalidQuantity(InvalidInput):
    code = "cart.invalid_quantity"


class CartLimitReached(BusinessRuleViolation):
    code = "cart.limit_reached"


class CartNotEditable(Conflict):
    """Lines change only while the cart is active (not during or after checkout)."""

    code = "cart.not_editable"


class CartEmpty(BusinessRuleViolation):
    code = "cart.empty"


class PricedInAnotherCurrency(BusinessRuleViolation):
    """The SKU has no price in the cart's currency: a cart holds lines of one currency."""

    code = "cart.priced_in_another_currency"


class CurrencyNotSupported(InvalidInput):
    code = "cart.currency_not_supported"


class SkuNotSold(NotFound):
    code = "cart.sku_not_found"


class ItemNotForSale(BusinessRuleViolation):
    """The SKU exists but its product is not published."""

    code = "cart.item_not_for_sale"


class CouponNotOnCart(NotFound):
    code = "cart.coupon_not_found"


class InvalidCouponCode(InvalidInput):
    code = "cart.invalid_coupon_code"


class CartsNotMergeable(Conflict):
    """A guest cart merges only into its customer's active cart, in the same currency."""

    code = "cart.not_mergeable"
