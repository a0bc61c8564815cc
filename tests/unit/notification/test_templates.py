"""The shipped Jinja2 templates: every template renders in both locales on its channels, HTML
is autoescaped, required variables are checked, unknown templates are refused."""

from __future__ import annotations

import pytest

from adapters.notify.templates import REQUIRED, JinjaRenderer
from commerce_core.notification.errors import InvalidNotification
from commerce_core.notification.ports import Channel

SHIPPED = {
    "order_confirmed": (Channel.EMAIL, Channel.PUSH),
    "payment_captured": (Channel.EMAIL,),
    "order_shipped": (Channel.EMAIL, Channel.SMS, Channel.PUSH),
    "refund_processed": (Channel.EMAIL,),
    "promotion": (Channel.EMAIL, Channel.SMS, Channel.PUSH),
}


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("template_id", sorted(SHIPPED))
def test_every_shipped_template_renders_on_its_channels(template_id: str, locale: str) -> None:
    renderer = JinjaRenderer()
    data = {name: f"<{name}>" for name in REQUIRED[template_id]}

    for channel in SHIPPED[template_id]:
        rendered = renderer.render(template_id, channel, locale, data)
        assert rendered.text.strip()
        assert (rendered.html != "") is (channel is Channel.EMAIL)
        if channel is Channel.EMAIL:
            assert "&lt;" in rendered.html
            assert "<" + REQUIRED[template_id][0] + ">" not in rendered.html


def test_the_locale_chooses_the_language() -> None:
    renderer = JinjaRenderer()
    data = {"order_number": "SO-1", "total": "100,000 VND"}

    vi = renderer.render("order_confirmed", Channel.EMAIL, "vi", data)
    en = renderer.render("order_confirmed", Channel.EMAIL, "en", data)

    assert vi.subject == "Đơn hàng SO-1 đã được xác nhận"
    assert en.subject == "Order SO-1 is confirmed"
    assert "100,000 VND" in en.text


def test_a_missing_required_variable_is_refused() -> None:
    with pytest.raises(InvalidNotification, match="total"):
        JinjaRenderer().render("order_confirmed", Channel.EMAIL, "vi", {"order_number": "1"})


def test_an_unknown_template_or_channel_is_refused() -> None:
    renderer = JinjaRenderer()

    with pytest.raises(InvalidNotification):
        renderer.render("nope", Channel.EMAIL, "vi", {})
    with pytest.raises(InvalidNotification):
        renderer.render("refund_processed", Channel.SMS, "vi",
                        {"order_id": "o", "amount": "1"})
