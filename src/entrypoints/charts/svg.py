"""A tiny SVG writer: elements as data, every attribute and text escaped on the way out.

Charts carry text from the shop's data (status names, return reasons typed by shoppers, product
names), so nothing is ever pasted into markup: `render` escapes every value, and drops the
characters XML 1.0 cannot carry at all, so a label can neither break the document nor inject an
element. Numbers are written with at most two decimals, so the same data gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html import escape
from typing import Final

from attrs import field, frozen

SVG_NS: Final = "http://www.w3.org/2000/svg"
# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates
# and U+FFFE/U+FFFF; anything else makes a parser refuse the whole document.
_NOT_XML: Final = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Value = str | int | float


def num(value: float) -> str:
    """A coordinate as text: rounded to two decimals, without trailing zeros or `-0`."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def clean(text: str) -> str:
    """`text` without the characters XML cannot carry."""
    return _NOT_XML.sub("", text)


@frozen
class Element:
    tag: str
    attrs: Mapping[str, Value] = field(factory=dict)
    children: tuple[Element | str, ...] = ()


def el(tag: str, attrs: Mapping[str, Value | None] | None = None,
       *children: Element | str | None) -> Element:
    """An element; attributes whose value is None and children that are None are left out."""
    kept = {k: v for k, v in (attrs or {}).items() if v is not None}
    return Element(tag, kept, tuple(c for c in children if c is not None))


def group(attrs: Mapping[str, Value | None] | None, children: Iterable[Element | str]) -> Element:
    return el("g", attrs, *children)


def _attr(value: Value) -> str:
    if isinstance(value, bool):
        raise TypeError("SVG attributes take text or numbers, not booleans")
    if isinstance(value, float):
        return num(value)
    return escape(clean(str(value)), quote=True)


def render(node: Element | str) -> str:
    """The element as markup, every attribute value and text node escaped."""
    if isinstance(node, str):
        return escape(clean(node), quote=False)
    attrs = "".join(f' {name}="{_attr(value)}"' for name, value in node.attrs.items())
    if not node.children:
        return f"<{node.tag}{attrs}/>"
    inner = "".join(render(child) for child in node.children)
    return f"<{node.tag}{attrs}>{inner}</{node.tag}>"
