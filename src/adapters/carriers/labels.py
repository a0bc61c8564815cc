"""Shipping labels drawn here, for carriers that print none of their own (the fake; Grab, whose
couriers need only a handover slip): a 100 x 150 mm PDF page with the tracking number as a
Code 128 barcode and in clear, the service, and the sender's and recipient's addresses.

fpdf2 draws Code 39 and Interleaved 2 of 5 but not Code 128, the symbology parcel scanners
expect; the bars are drawn from the Code 128 table below (code set B: printable ASCII). Text is
folded to ASCII (Vietnamese diacritics dropped, Đ → D) so the built-in Helvetica prints it
without shipping a font file; page streams are left uncompressed (a label is a few kilobytes)
so the tracking number stays findable in the file.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF

from commerce_core.shared.address import PostalAddress
from commerce_core.shared.money import Money
from commerce_core.shipping.ports import BookingRequest

# Module widths (bar, space, bar, space, bar, space) of Code 128 symbol values 0..105, then STOP.
CODE128 = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122", "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311", "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
)
START_B, STOP = 104, 106
QUIET_MODULES = 10


def ascii_text(text: str) -> str:
    """`text` folded to printable ASCII: accents dropped, Đ/đ as D/d, the rest as '?'."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if 32 <= ord(c) < 127 else "?" for c in kept)


def code128_values(data: str) -> list[int]:
    """The symbol values of `data` in code set B: start, data, check symbol, stop."""
    if not data or any(not 32 <= ord(c) < 127 for c in data):
        raise ValueError("Code 128 B encodes printable ASCII only")
    values = [START_B, *(ord(c) - 32 for c in data)]
    check = (START_B + sum(i * v for i, v in enumerate(values[1:], start=1))) % 103
    return [*values, check, STOP]


def code128_modules(data: str) -> str:
    """The barcode as modules, '1' bar and '0' space, without quiet zones."""
    out = []
    for value in code128_values(data):
        for index, width in enumerate(CODE128[value]):
            out.append(("1" if index % 2 == 0 else "0") * int(width))
    return "".join(out)


def _draw_code128(pdf: FPDF, data: str, x: float, y: float, width: float,
                  height: float) -> None:
    modules = code128_modules(data)
    module = width / (len(modules) + 2 * QUIET_MODULES)
    position = x + QUIET_MODULES * module
    run_start: int | None = None
    for index, bit in enumerate(modules + "0"):
        if bit == "1" and run_start is None:
            run_start = index
        elif bit == "0" and run_start is not None:
            pdf.rect(position + run_start * module, y, (index - run_start) * module, height,
                     style="F")
            run_start = None


def _address_lines(address: PostalAddress) -> list[str]:
    lines = [address.name, address.phone, address.line1]
    lines += [part for part in (address.line2, address.ward, address.district) if part]
    lines.append(f"{address.province}, {address.country_code}")
    return [ascii_text(line) for line in lines]


def render_label(*, carrier: str, tracking_number: str, service: str | None = None,
                 sender: PostalAddress | None = None, recipient: PostalAddress | None = None,
                 reference: str | None = None, cod: Money | None = None) -> bytes:
    """One label page as PDF bytes."""
    pdf = FPDF(unit="mm", format=(100, 150))
    pdf.set_compression(False)
    pdf.set_auto_page_break(False)
    pdf.set_margins(5, 5, 5)
    pdf.add_page()
    pdf.set_title(f"{carrier} {tracking_number}")
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 8, ascii_text(carrier.upper()), new_x="LMARGIN", new_y="NEXT")
    if service:
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 5, ascii_text(f"Service: {service}"), new_x="LMARGIN", new_y="NEXT")
    _draw_code128(pdf, ascii_text(tracking_number), 5, 22, 90, 22)
    pdf.set_xy(5, 46)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 6, ascii_text(tracking_number), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for title, address in (("FROM", sender), ("TO", recipient)):
        if address is None:
            continue
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(0, 5, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for line in _address_lines(address):
            pdf.multi_cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.set_font("Helvetica", "", 9)
    if cod is not None and not cod.is_zero:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, ascii_text(f"COD: {cod}"), new_x="LMARGIN", new_y="NEXT")
    if reference:
        pdf.set_font("Helvetica", "", 8)
        pdf.cell(0, 4, ascii_text(f"Ref: {reference}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def label_for_booking(carrier: str, tracking_number: str, booked: BookingRequest | None) -> bytes:
    """The label of a parcel this process booked (with its addresses and COD), or a bare one."""
    if booked is None:
        return render_label(carrier=carrier, tracking_number=tracking_number)
    return render_label(carrier=carrier, tracking_number=tracking_number, service=booked.service,
                        sender=booked.origin, recipient=booked.destination,
                        reference=booked.reference, cod=booked.cod_amount)
