"""Labels drawn here: a PDF page with the tracking number as a Code 128 barcode and in clear,
and the addresses the booking named (folded to ASCII for the built-in font)."""

from __future__ import annotations

import pytest

from adapters.carriers.fake import FakeCarrier
from adapters.carriers.labels import (
    CODE128,
    ascii_text,
    code128_modules,
    code128_values,
    render_label,
)
from adapters.memory import FrozenClock
from commerce_core.shipping.ports import CarrierError
from tests.carrier_doubles import booking_request


def test_the_code128_table_is_well_formed() -> None:
    assert len(CODE128) == 107
    assert len(set(CODE128)) == 107
    for value, pattern in enumerate(CODE128):
        assert sum(map(int, pattern)) == (13 if value == 106 else 11)
        # Code 128's parity: the bars of every symbol span an even number of modules.
        assert sum(int(width) for width in pattern[0::2]) % 2 == 0


def test_a_barcode_is_start_b_data_check_and_stop() -> None:
    # "PJJ123C": 104 + 48*1 + 42*2 + 42*3 + 17*4 + 18*5 + 19*6 + 35*7 = 879; 879 % 103 = 55.
    assert code128_values("PJJ123C") == [104, 48, 42, 42, 17, 18, 19, 35, 55, 106]
    modules = code128_modules("PJJ123C")
    assert modules.startswith("11010010000")  # START B
    assert modules.endswith("1100011101011")  # STOP
    assert len(modules) == 11 * 9 + 13
    with pytest.raises(ValueError, match="ASCII"):
        code128_values("Đơn")


def test_text_is_folded_to_ascii() -> None:
    assert ascii_text("Nguyễn Văn Đức, Hà Nội") == "Nguyen Van Duc, Ha Noi"
    assert ascii_text("a→b") == "a?b"


def test_a_label_is_a_pdf_with_the_tracking_number_and_both_addresses() -> None:
    request = booking_request("shp-1", "standard", cod=450_000)

    pdf = render_label(carrier="fake", tracking_number="FK0000000042", service="standard",
                       sender=request.origin, recipient=request.destination,
                       reference="shp-1", cod=request.cod_amount)

    assert pdf.startswith(b"%PDF")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"(FK0000000042) Tj" in pdf
    assert b"Nguyen Thi Lan" in pdf
    assert b"Kho Cau Giay" in pdf
    assert b"(COD: 450,000 VND) Tj" in pdf
    # The barcode: one filled rectangle per bar.
    bars = code128_modules("FK0000000042").replace("0", " ").split()
    assert pdf.count(b" re f") == len(bars)


def test_the_fakes_label_names_the_addresses_it_booked() -> None:
    fake = FakeCarrier(clock=FrozenClock())
    booking = fake.book(booking_request("shp-2", "express"))

    label = fake.label(booking.tracking_number)

    assert label.content is not None
    assert label.content.startswith(b"%PDF")
    assert booking.tracking_number.encode() in label.content
    assert b"Nguyen Thi Lan" in label.content
    with pytest.raises(CarrierError):
        fake.label(booking.tracking_number, "zpl")
    with pytest.raises(CarrierError):
        fake.label("FK-unknown")
