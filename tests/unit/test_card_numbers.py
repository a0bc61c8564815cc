"""Card-like numbers are refused by every command before its handler runs (nothing is written),
whatever the entry point: HTTP, the CLI and embedding apps all go through the bus."""

from __future__ import annotations

import typing
import uuid
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.memory import bundle
from commerce_core import Commerce, Money
from commerce_core.catalog.commands import CreateProduct, VariantSpec
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.shared.cards import (
    CardNumberRefused,
    card_numbers_in,
    is_card_number,
    luhn,
    refuse_card_numbers,
)


def check_digit(partial: str) -> str:
    """The digit that makes `partial` + digit pass the Luhn check."""
    return next(d for d in "0123456789" if luhn(partial + d))


def card(prefix: str, length: int = 16) -> str:
    body = prefix + "1" * (length - 1 - len(prefix))
    return body + check_digit(body)


VISA = card("4")
MASTERCARD = card("51")
AMEX = card("37", 15)
DINERS = card("36", 14)
UNIONPAY = card("62", 19)


@pytest.mark.parametrize("number", [VISA, MASTERCARD, AMEX, DINERS, UNIONPAY, card("2221")])
def test_issued_shapes_that_pass_luhn_are_card_numbers(number: str) -> None:
    assert is_card_number(number)


@pytest.mark.parametrize("number", [
    VISA[:-1] + str((int(VISA[-1]) + 1) % 10),  # the check digit is off
    card("8"), card("9"), card("1"),  # no card network issues these
    card("4", 13),  # as long as an EAN-13 barcode
    card("12", 14), card("41", 15),  # wrong network for the length
    card("4", 20),
])
def test_other_numbers_are_not(number: str) -> None:
    assert not is_card_number(number)


def test_numbers_grouped_by_spaces_or_dashes_are_found_as_written() -> None:
    spaced = " ".join(VISA[i:i + 4] for i in range(0, 16, 4))
    dashed = "-".join(VISA[i:i + 4] for i in range(0, 16, 4))

    assert card_numbers_in(f"pay with {spaced} please") == [spaced]
    assert card_numbers_in(f"card:{dashed}.") == [dashed]
    assert card_numbers_in(f"order 2026-12-07 for +84 912 345 678, {VISA}0") == []


@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_a_visa_number_is_found_and_one_wrong_digit_hides_it(digits: str) -> None:
    partial = "4" + digits[1:]
    number = partial + check_digit(partial)
    wrong = partial + str((int(number[-1]) + 5) % 10)

    assert card_numbers_in(f"note {number} end") == [number]
    assert card_numbers_in(f"note {wrong} end") == []


def test_nested_values_mapping_keys_and_sequences_are_looked_into() -> None:
    variant = VariantSpec("TEA-1", Money(10_000, "VND"), attributes={f"gift {VISA}": "x"})
    product = CreateProduct(name="Tea", slug="tea", variants=(variant,))

    with pytest.raises(CardNumberRefused) as refused:
        refuse_card_numbers(product)
    assert refused.value.details == {"field": "CreateProduct.variants[0].attributes[0]"}
    assert VISA not in str(refused.value), "the message must not repeat the number"

    @attrs.frozen
    class Inner:
        notes: str

    @attrs.frozen
    class Outer:
        lines: tuple[Inner, ...]
        order_id: str

    with pytest.raises(CardNumberRefused) as refused:
        refuse_card_numbers(Outer((Inner("fine"), Inner(f"use {MASTERCARD}")), "o-1"))
    assert refused.value.details == {"field": "Outer.lines[1].notes"}
    refuse_card_numbers(Outer((Inner("fine"),), VISA))  # an identifier is looked up, not stored


def _blank(command_type: type[Any], field: str, value: Any) -> Any:
    """An instance of `command_type` with every field None but `field`: the check runs before
    the handler, which would refuse such a command for other reasons."""
    command = object.__new__(command_type)
    for each in attrs.fields(command_type):
        object.__setattr__(command, each.name, value if each.name == field else None)
    return command


def _text_fields(command_type: type[Any]) -> list[tuple[str, Any]]:
    """(field, a value carrying a card number) for every field of text the command takes."""
    hints = typing.get_type_hints(command_type)
    found: list[tuple[str, Any]] = []
    for field in attrs.fields(command_type):
        if field.name.endswith(("_id", "_ids")) or field.name in ("reference", "phone"):
            continue
        shape = str(hints[field.name]).removesuffix(" | None")
        note = f"call me, card {VISA}"
        if shape in ("<class 'str'>", "str"):
            found.append((field.name, note))
        elif shape == "tuple[str, ...]":
            found.append((field.name, ("fine", note)))
        elif shape in ("dict[str, str]", "collections.abc.Mapping[str, typing.Any]"):
            found.append((field.name, {"note": note}))
    return found


def test_every_command_refuses_a_card_number_in_each_of_its_text_fields() -> None:
    commerce = Commerce(bundle())
    checked = 0
    for command_type in commerce.bus.handles():
        for field, value in _text_fields(command_type):
            with pytest.raises(CardNumberRefused):
                commerce.handle(_blank(command_type, field, value))
            checked += 1

    assert checked >= 40, "the commands' text fields were not found"
    with commerce.ports.uow() as uow:
        assert uow.outbox.pending(100) == []


@given(st.uuids(), st.sampled_from(["k-{}", "{}", "order {} placed", "cart:{}:v3"]))
def test_identifiers_are_never_taken_for_card_numbers(value: uuid.UUID, template: str) -> None:
    """A UUID's all-digit groups can read like a grouped card number that passes Luhn; inside
    an identifier they are not one (an idempotency key `k-<cart id>` must never be refused)."""
    refuse_card_numbers(PlaceOrder("cart-1", idempotency_key=template.format(value)))


def test_a_key_embedding_digit_groups_of_a_uuid_is_accepted() -> None:
    body = "4242-4242-4242-4242"  # four all-digit groups, as a UUID may hold
    assert is_card_number(body.replace("-", ""))

    assert card_numbers_in(f"k-01938a2b-{body}abcdef12") == []
    assert card_numbers_in(f"card {body}") == [body]
