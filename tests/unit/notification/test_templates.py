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
    "refund_processed": (Channel.EMAIL, Channel.PUSH),
    "promotion": (Channel.EMAIL, Channel.SMS, Channel.PUSH),
    "out_for_delivery": (Channel.PUSH, Channel.SMS),
    "order_delivered": (Channel.PUSH, Channel.EMAIL),
    "delivery_failed": (Channel.SMS, Channel.PUSH),
    "return_approved": (Channel.EMAIL, Channel.PUSH),
    "return_rejected": (Channel.EMAIL,),
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


TRACKED = {"order_number": "ORD-20260115-00000027", "tracking_number": "FAKE0000000001",
           "tracking_path": "/track/FAKE0000000001"}
UNTRACKED = {**TRACKED, "tracking_number": "", "tracking_path": ""}


@pytest.mark.parametrize(("template_id", "extra"), [
    ("order_shipped", {}), ("out_for_delivery", {}), ("delivery_failed", {"attempt": "2"}),
])
@pytest.mark.parametrize("locale", ["vi", "en"])
def test_an_sms_is_one_short_segment_with_the_order_and_its_public_tracking_path(
    template_id: str, extra: dict[str, str], locale: str,
) -> None:
    sms = JinjaRenderer().render(template_id, Channel.SMS, locale, {**TRACKED, **extra})

    assert len(sms.text.strip()) <= 160
    assert sms.text.isascii()  # GSM-7: Vietnamese SMS are written without diacritics
    assert "ORD-20260115-00000027" in sms.text
    assert "/track/FAKE0000000001" in sms.text


def test_delivered_speaks_the_customers_language_with_the_tracking_link() -> None:
    renderer = JinjaRenderer()

    vi = renderer.render("order_delivered", Channel.EMAIL, "vi", TRACKED)
    en = renderer.render("order_delivered", Channel.EMAIL, "en", TRACKED)

    assert vi.subject == "Đơn hàng ORD-20260115-00000027 đã được giao thành công"
    assert en.subject == "Order ORD-20260115-00000027 was delivered"
    assert "Mã vận đơn: FAKE0000000001" in vi.text
    assert '<a href="/track/FAKE0000000001">' in en.html


def test_without_a_tracking_number_no_tracking_line_is_rendered() -> None:
    renderer = JinjaRenderer()

    for locale in ("vi", "en"):
        for channel in (Channel.EMAIL, Channel.SMS, Channel.PUSH):
            shipped = renderer.render("order_shipped", channel, locale, UNTRACKED)
            assert "/track/" not in shipped.text + shipped.html
            assert "ORD-20260115-00000027" in shipped.text


def test_an_approved_return_shows_its_label_and_return_tracking_number() -> None:
    data = {**TRACKED, "label_url": "https://labels.example/r-1.pdf"}

    vi = JinjaRenderer().render("return_approved", Channel.EMAIL, "vi", data)
    en = JinjaRenderer().render("return_approved", Channel.EMAIL, "en", data)

    assert vi.subject == "Yêu cầu đổi trả đơn hàng ORD-20260115-00000027 đã được chấp nhận"
    assert en.subject == "Your return for order ORD-20260115-00000027 is approved"
    assert "In nhãn gửi trả: https://labels.example/r-1.pdf" in vi.text
    assert '<a href="https://labels.example/r-1.pdf">' in en.html
    assert "FAKE0000000001" in en.text
    bare = JinjaRenderer().render("return_approved", Channel.EMAIL, "en",
                                  {**UNTRACKED, "label_url": ""})
    assert "label" not in bare.text


@pytest.mark.parametrize(("reason", "vi_says", "en_says"), [
    ("risk_score", "cùng xem lại", "look at it with you"),
    ("inspection_failed", "không đạt yêu cầu kiểm tra", "did not pass our inspection"),
    ("the shirt was <worn>", "the shirt was <worn>", "the shirt was <worn>"),
])
def test_a_rejected_return_says_why_in_words_not_codes(reason: str, vi_says: str,
                                                        en_says: str) -> None:
    data = {"order_number": "ORD-1", "reason": reason}

    vi = JinjaRenderer().render("return_rejected", Channel.EMAIL, "vi", data)
    en = JinjaRenderer().render("return_rejected", Channel.EMAIL, "en", data)

    assert vi_says in vi.text
    assert en_says in en.text
    assert "risk_score" not in vi.text + en.text
    assert "<worn>" not in en.html  # a staff member's words are escaped in HTML
