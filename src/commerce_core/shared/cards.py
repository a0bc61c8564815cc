"""Payment card numbers never enter the shop.

The shopper's card stays with the gateway; the shop keeps only the gateway's tokens and
references (PCI DSS SAQ A scope, docs/payments.md). A card number typed into a free-text field (a
product name, an adjustment's notes, a refund reason, a search) would otherwise be stored, copied
into events and logged, so every command is checked before its handler runs and one carrying a
card-like number is refused with `CardNumberRefused`: nothing is written.

What counts as card-like: 14 to 19 digits standing on their own (not inside a longer word or
identifier), written as one run or in the groups cards are printed in (4-4-4-4 with up to three
more, 4-6-5, 4-6-4; spaces or dashes), that pass the Luhn check and start as issued cards do
(Diners 30/36/38/39 at 14 digits, American Express 34/37 at 15, a first digit from 2 to 6 at 16
to 19). Thirteen-digit numbers are left alone: they are EAN-13 barcodes far more often than the
thirteen-digit Visa cards no longer issued. Digits inside an identifier are left alone too: a
UUID's all-digit groups (`…-1234-5678-9012-3456…`) are not a card someone typed.

Fields that hold identifiers rather than text (`…_id`, `…_ids`, `reference`, `phone`) are not
checked: they are looked up, not written as given, or have their own format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import attrs

from commerce_core.shared.errors import InvalidInput

_EDGE: Final = r"[0-9A-Za-z_-]"
_RUN: Final = re.compile(
    rf"(?<!{_EDGE})(?:\d{{14,19}}"
    r"|\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?"
    r"|\d{4}([ -])\d{6}\2\d{4,5})"
    rf"(?!{_EDGE})"
)
_SEPARATORS: Final = re.compile(r"[ -]")
_NOT_TEXT: Final = re.compile(r"(_ids?|^reference|^phone)$")


class CardNumberRefused(InvalidInput):
    code = "commerce.card_number_refused"


def luhn(digits: str) -> bool:
    """Whether `digits` pass the Luhn check (the check digit of card numbers)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def is_card_number(digits: str) -> bool:
    """Whether a run of digits (no separators) is shaped like an issued card number."""
    length = len(digits)
    if length == 14:
        issued = digits[:2] in ("30", "36", "38", "39")
    elif length == 15:
        issued = digits[:2] in ("34", "37")
    else:
        issued = 16 <= length <= 19 and "2" <= digits[0] <= "6"
    return issued and luhn(digits)


def card_numbers_in(text: str) -> list[str]:
    """The card-like numbers in `text`, as written there."""
    if len(text) < 14:
        return []
    return [run.group(0) for run in _RUN.finditer(text)
            if is_card_number(_SEPARATORS.sub("", run.group(0)))]


def refuse_card_numbers(command: object) -> None:
    """Raise `CardNumberRefused` naming the first field of `command` (an attrs instance, looked
    into through nested attrs instances, sequences and mappings) that holds a card number."""
    found = _first_card(command, (type(command).__name__,))
    if found is not None:
        path = "".join(_unwind(found))
        raise CardNumberRefused(
            f"{path} looks like a payment card number; card numbers are never accepted "
            "or stored (the payment provider takes them on its own page)",
            field=path,
        )


# Every command passes through here, so the walk does no work a text too short to hold a card
# number (most of them) does not need: the path is kept as a chain of parts and written out only
# for the field that is refused, and each class's fields to look at are chosen once.
_Path = tuple[Any, ...]  # (parent path, part) or (root name,)
_TEXT_FIELDS: dict[type, tuple[str, ...]] = {}


def _unwind(path: _Path) -> list[str]:
    parts: list[str] = []
    while len(path) == 2:
        path, part = path
        parts.append(part)
    parts.append(path[0])
    return parts[::-1]


def _text_fields(cls: type) -> tuple[str, ...]:
    names = _TEXT_FIELDS.get(cls)
    if names is None:
        names = _TEXT_FIELDS[cls] = tuple(
            f.name for f in attrs.fields(cls) if not _NOT_TEXT.search(f.name))
    return names


def _first_card(value: Any, path: _Path) -> _Path | None:
    """The path of the first text under `value` holding a card number, in field order."""
    if isinstance(value, str):
        return path if len(value) >= _SHORTEST and card_numbers_in(value) else None
    cls = type(value)
    if value is None or cls in _SCALARS:
        return None
    if attrs.has(cls):
        for name in _text_fields(cls):
            found = _first_card(getattr(value, name), (path, f".{name}"))
            if found is not None:
                return found
    elif isinstance(value, Mapping):
        # Entries by position: a key could be the very number the message must not repeat.
        for position, (key, item) in enumerate(value.items()):
            found = (_first_card(key, (path, f"[{position}]"))
                     or _first_card(item, (path, f"[{position}]")))
            if found is not None:
                return found
    elif isinstance(value, (list, tuple, set, frozenset)):
        for position, item in enumerate(value):
            found = _first_card(item, (path, f"[{position}]"))
            if found is not None:
                return found
    return None


_SHORTEST: Final = 14  # the shortest card number `card_numbers_in` finds
_SCALARS: Final = frozenset({int, float, bool})
