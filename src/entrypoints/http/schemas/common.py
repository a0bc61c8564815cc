"""Building blocks every body shares: strict integers, money, the base of request bodies, and
the formats the core enforces, each stated from the core's own constant so the OpenAPI document
and the domain cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Final

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)

from commerce_core.cart.model import MAX_QUANTITY_PER_LINE
from commerce_core.catalog.commands import SLUG_FORMAT
from commerce_core.inventory.commands import BIN_LOCATION_FORMAT, CODE_FORMAT
from commerce_core.pricing.ports import COUNTRY_CODE_FORMAT
from commerce_core.shared.ids import SKU_FORMAT
from commerce_core.shared.money import CURRENCY_FORMAT, Money

# Integers the API takes are bounded, so none can overflow a 64-bit database column.
MAX_COUNT: Final = 1_000_000_000
MAX_AMOUNT: Final = 10**15  # minor units
MAX_OFFSET: Final = 1_000_000
MAX_PRIORITY: Final = 1_000_000



def _integral(value: object) -> object:
    """JSON Schema's `integer` includes `2.0`; strict integers take it as 2 and still refuse
    `2.5`, `"2"` and `true`."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Integral = BeforeValidator(_integral)


def _text(value: object) -> object:
    """Dates and instants travel as text (RFC 3339); a number is not read as a Unix time."""
    if value is not None and not isinstance(value, str):
        raise ValueError("a date or date-time is written as an RFC 3339 string")
    return value


# An instant with its UTC offset (RFC 3339 `date-time`); a calendar day (`Day`) is below.
Timestamp = Annotated[AwareDatetime, BeforeValidator(_text)]
# A JSON number: an integer or a fraction, never a boolean or text.
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]

# Percentages as decimal text, exact: above 0 and at most 100 (a discount), or 0 to 100 with at
# most 4 decimals (a tax rate).
DISCOUNT_PERCENT_FORMAT: Final = r"^(?:100(?:\.0+)?|[1-9][0-9]?(?:\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*)$"
RATE_PERCENT_FORMAT: Final = r"^(?:100(?:\.0{1,4})?|[0-9]{1,2}(?:\.[0-9]{1,4})?)$"


def _decimal_in(pattern: str, *, fractions: bool) -> Callable[[object], object]:
    """A JSON number (an integer only, unless `fractions`) or text matching `pattern`."""
    matches = re.compile(pattern).fullmatch

    def check(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("a percentage is a JSON number or decimal text")
        if isinstance(value, float) and not fractions and not value.is_integer():
            raise ValueError("write a fractional percentage as text, e.g. \"5.25\"")
        if isinstance(value, str) and not matches(value):
            raise ValueError(f"decimal text matching {pattern}")
        return value

    return check


def _decimal_schema(number: dict[str, Any], pattern: str, description: str) -> dict[str, Any]:
    return {"anyOf": [number, {"type": "string", "pattern": pattern}],
            "description": description}


DiscountPercent = Annotated[
    Decimal, Field(gt=0, le=100),
    BeforeValidator(_decimal_in(DISCOUNT_PERCENT_FORMAT, fractions=True)),
    WithJsonSchema(_decimal_schema(
        {"type": "number", "exclusiveMinimum": 0, "maximum": 100}, DISCOUNT_PERCENT_FORMAT,
        "A percentage above 0 and at most 100 (10 for 10%), as a number or decimal text")),
]
RatePercent = Annotated[
    Decimal, Field(ge=0, le=100),
    BeforeValidator(_decimal_in(RATE_PERCENT_FORMAT, fractions=False)),
    WithJsonSchema(_decimal_schema(
        {"type": "integer", "minimum": 0, "maximum": 100}, RATE_PERCENT_FORMAT,
        "Percent, 0 to 100: a whole number, or decimal text with at most 4 decimals "
        "(\"5.25\")")),
]
StrictCount = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT), Integral]
Priority = Annotated[int, Field(strict=True, ge=-MAX_PRIORITY, le=MAX_PRIORITY), Integral]
Quantity = Annotated[int, Field(strict=True, ge=1, le=MAX_QUANTITY_PER_LINE), Integral]
Currency = Annotated[str, Field(pattern=CURRENCY_FORMAT, examples=["VND"],
                                description="ISO 4217, upper-case, one the shop knows")]
Sku = Annotated[str, Field(pattern=SKU_FORMAT, examples=["LINEN-SHIRT-M"],
                           description="Letters, digits, '.', '_', '-'; case-insensitive")]
Slug = Annotated[str, Field(pattern=SLUG_FORMAT, max_length=128, examples=["linen-shirt"])]
Code = Annotated[str, Field(pattern=CODE_FORMAT, examples=["HCM"],
                            description="1-32 letters, digits, '-' or '_'; case-insensitive")]
CountryCode = Annotated[str, Field(pattern=COUNTRY_CODE_FORMAT, examples=["VN"],
                                   description="ISO 3166 alpha-2, upper-case")]
BinLocation = Annotated[str, Field(pattern=BIN_LOCATION_FORMAT, examples=["A-12-03"],
                                   description="aisle-shelf-bin")]
# What Python's `str.strip` removes (the core's "blank"), spelled out: `\s` differs between
# regex engines (ECMA-262's lacks U+0085 and has U+FEFF), so published patterns never use it.
SPACE: Final = ("\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f"
                "\\u205f\\u3000")
NOT_BLANK: Final = f"[^{SPACE}]"
EMAIL_FORMAT: Final = f"^[^@{SPACE}]+@[^@{SPACE}]+\\.[^@{SPACE}]+$"
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
Limit = Annotated[int, Field(ge=1, le=100)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MoneyIn(RequestBody):
    amount: Annotated[int, Integral] = Field(strict=True, ge=0, le=MAX_AMOUNT,
                        description="Integer amount in minor units (VND has none)")
    currency: Currency

    def to_money(self) -> Money:
        return Money(self.amount, self.currency.upper())


class PositiveMoneyIn(MoneyIn):
    """An amount above zero: a base price, a budget, a cap."""

    amount: Annotated[int, Integral] = Field(strict=True, ge=1, le=MAX_AMOUNT,
                        description="Integer amount in minor units, above zero")


class MoneyOut(BaseModel):
    amount: int = Field(description="Integer amount in minor units (VND has none)")
    currency: str
    display: str = Field(description="For display only; never parse it")

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount=money.amount, currency=money.currency, display=str(money))


class Health(BaseModel):
    status: str
    outbox: dict[str, int] | None = None
    # Circuit breaker of each payment gateway (closed, half_open, open); an open one does not
    # make the API unready: checkout fails over to the other gateways.
    gateways: dict[str, str] | None = None


# A calendar day written `YYYY-MM-DD` (a number is not read as a Unix time, nor `0` as 1970):
# days in bodies (expiry dates) and the analytics periods are written so.
DAY_FORMAT: Final = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def _day(value: object) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.match(DAY_FORMAT, value):
        raise ValueError("a day is written YYYY-MM-DD")
    return date.fromisoformat(value)


# The schema says `date` (what generators and clients read); the validator holds every day to
# the pattern, so no number, `0` or other spelling is read as a day.
Day = Annotated[date, BeforeValidator(_day), WithJsonSchema({"type": "string", "format": "date"})]

# A gift card code as printed: 16 characters of the card alphabet (no 0/O, 1/I/L), any case,
# a space or a dash between any two of them (`commerce_core.giftcard.model.normalise_code`).
_CARD_CHARACTER = "[A-HJKMNP-Za-hjkmnp-z2-9]"
GIFT_CARD_CODE: Final = rf"^{_CARD_CHARACTER}(?:[ \-]?{_CARD_CHARACTER}){{15}}$"
GiftCardCode = Annotated[str, Field(min_length=16, max_length=31, pattern=GIFT_CARD_CODE,
                                    examples=["ABCD-EFGH-JKMN-PQRS"])]
