"""GS1-128 carton and pallet labels, 4x6 inches, as PDF (for any printer) and ZPL (for Zebra printers).

Owns the layout and the barcodes of a label: ship-from, ship-to, carrier, PRO and BOL, the PO
number as text and Code 128, carton n of N, the SKU and quantity (or "Mixed SKUs"), and the SSCC
as GS1-128 with AI (00) and its human-readable line. Amazon charges for a label that is missing
or differs from the ASN, so a label is built from the same SSCC string the 856 carries and refuses
an SSCC that fails ``check_sscc``. Pure: labels in, bytes or text out.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from barcode.codex import Code128, Gs1_128
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from gateway.shipping.sscc import parse_sscc

SSCC_AI = "00"
PAGE_WIDTH = 4 * inch
PAGE_HEIGHT = 6 * inch
MARGIN = 0.15 * inch
# GS1 asks for an X-dimension of at least 0.495 mm for logistics labels: 1.5 pt is 0.53 mm.
SSCC_MODULE = 1.5
SSCC_BAR_HEIGHT = 1.4 * inch
PO_MODULE = 1.0
PO_BAR_HEIGHT = 0.45 * inch


@dataclass(frozen=True)
class Label:
    """What one carton's or pallet's label shows; ``sku`` None means the carton holds mixed SKUs."""

    sscc: str
    ship_from: tuple[str, ...]
    ship_to: tuple[str, ...]
    carrier: str
    pro_number: str
    bol_number: str
    po_number: str | None  # None: a pallet carrying several POs' cartons (no PO barcode then)
    carton_number: int
    carton_count: int
    quantity: int
    sku: str | None = None
    kind: str = "CARTON"  # or PALLET: what "n of N" counts

    def __post_init__(self) -> None:
        """A label with a wrong SSCC or carton count would be a chargeback: refuse it here."""
        parse_sscc(self.sscc)
        if not 1 <= self.carton_number <= self.carton_count:
            raise ValueError(f"carton {self.carton_number} of {self.carton_count}: n must be 1 to N")

    @property
    def sscc_element_string(self) -> str:
        """AI (00) followed by the SSCC: what the GS1-128 barcode encodes after its FNC1."""
        return SSCC_AI + self.sscc

    @property
    def sscc_text(self) -> str:
        """The human-readable line under the barcode, e.g. "(00) 0 0614141 123456789 0"."""
        return f"({SSCC_AI}) {parse_sscc(self.sscc).as_hri()}"

    @property
    def contents_text(self) -> str:
        return f"SKU {self.sku}  QTY {self.quantity}" if self.sku else f"Mixed SKUs  QTY {self.quantity}"

    @property
    def carton_text(self) -> str:
        return f"{self.kind} {self.carton_number} OF {self.carton_count}"

    @property
    def po_text(self) -> str:
        return f"PO {self.po_number}" if self.po_number else "MIXED POs"


def labels_pdf(labels: Sequence[Label]) -> bytes:
    """One 4x6 inch page per label, in the order given."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    for label in labels:
        _draw_label(canvas, label)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_label(canvas: Canvas, label: Label) -> None:
    half = PAGE_WIDTH / 2
    top = PAGE_HEIGHT - MARGIN
    _draw_block(canvas, "SHIP FROM", label.ship_from, MARGIN, top)
    _draw_block(canvas, "SHIP TO", label.ship_to, half + MARGIN / 2, top)
    canvas.line(0, top - 1.35 * inch, PAGE_WIDTH, top - 1.35 * inch)
    _draw_block(canvas, "CARRIER", (label.carrier, f"PRO {label.pro_number}", f"BOL {label.bol_number}"),
                MARGIN, top - 1.5 * inch)
    canvas.line(0, top - 2.2 * inch, PAGE_WIDTH, top - 2.2 * inch)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(MARGIN, top - 2.4 * inch, label.po_text)
    if label.po_number:
        _draw_modules(canvas, Code128(label.po_number).build()[0], MARGIN + 0.1 * inch, top - 2.95 * inch,
                      PO_MODULE, PO_BAR_HEIGHT)
    canvas.line(0, top - 3.1 * inch, PAGE_WIDTH, top - 3.1 * inch)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(MARGIN, top - 3.35 * inch, label.carton_text)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(MARGIN, top - 3.6 * inch, label.contents_text)
    canvas.line(0, top - 3.75 * inch, PAGE_WIDTH, top - 3.75 * inch)
    canvas.setFont("Helvetica", 8)
    canvas.drawString(MARGIN, top - 3.95 * inch, "SSCC")
    sscc_modules = Gs1_128(label.sscc_element_string).build()[0]
    bars_x = (PAGE_WIDTH - len(sscc_modules) * SSCC_MODULE) / 2
    _draw_modules(canvas, sscc_modules, bars_x, MARGIN + 0.3 * inch, SSCC_MODULE, SSCC_BAR_HEIGHT)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN + 0.05 * inch, label.sscc_text)


def _draw_block(canvas: Canvas, title: str, lines: Sequence[str], x: float, y: float) -> None:
    canvas.setFont("Helvetica", 7)
    canvas.drawString(x, y - 7, title)
    canvas.setFont("Helvetica", 9)
    for number, line in enumerate(lines, start=1):
        canvas.drawString(x, y - 7 - 11 * number, line)


def _draw_modules(canvas: Canvas, modules: str, x: float, y: float, module: float, height: float) -> None:
    """Bars from python-barcode's module string ("1" bar, "0" space), each run one rectangle."""
    start = None
    for index, bit in enumerate(modules + "0"):
        if bit == "1" and start is None:
            start = index
        elif bit == "0" and start is not None:
            canvas.rect(x + start * module, y, (index - start) * module, height, stroke=0, fill=1)
            start = None


def labels_zpl(labels: Sequence[Label]) -> str:
    """One ^XA...^XZ format per label, 4x6 inches at 203 dpi, UTF-8 text (^CI28).

    The SSCC is ``^BC`` with ``>;>8`` (subset C, FNC1) before "00" and the SSCC: the GS1-128 form
    Zebra documents. Every field's data goes through ``^FH`` so that a ^ or ~ in an address
    cannot end the field or start a command.
    """
    return "".join(_label_zpl(label) for label in labels)


def _label_zpl(label: Label) -> str:
    rows = [
        "^XA", "^CI28", "^PW812", "^LL1218",
        _zpl_block("SHIP FROM", label.ship_from, 30, 30),
        _zpl_block("SHIP TO", label.ship_to, 420, 30),
        "^FO0,300^GB812,3,3^FS",
        _zpl_block("CARRIER", (label.carrier, f"PRO {label.pro_number}", f"BOL {label.bol_number}"), 30, 320),
        "^FO0,470^GB812,3,3^FS",
        f"^FO30,490^A0N,32,32{_zpl_data(label.po_text)}",
        f"^FO30,530^BY2^BCN,90,N,N,N{_zpl_data(label.po_number)}" if label.po_number else "",
        "^FO0,650^GB812,3,3^FS",
        f"^FO30,670^A0N,40,40{_zpl_data(label.carton_text)}",
        f"^FO30,720^A0N,30,30{_zpl_data(label.contents_text)}",
        "^FO0,770^GB812,3,3^FS",
        f"^FO80,800^BY3^BCN,300,N,N,N^FD>;>8{label.sscc_element_string}^FS",
        f"^FO0,1130^FB812,1,0,C^A0N,40,40{_zpl_data(label.sscc_text)}",
        "^XZ",
    ]
    return "\n".join(row for row in rows if row) + "\n"


def _zpl_block(title: str, lines: Sequence[str], x: int, y: int) -> str:
    fields = [f"^FO{x},{y}^A0N,22,22{_zpl_data(title)}"]
    fields += [f"^FO{x},{y + 30 * number}^A0N,28,28{_zpl_data(line)}" for number, line in enumerate(lines, start=1)]
    return "\n".join(fields)


def _zpl_data(text: str) -> str:
    """^FH^FD...^FS with _, ^ and ~ written as hex escapes (_5F, _5E, _7E), everything else as is."""
    escaped = "".join(f"_{ord(character):02X}" if character in "_^~" else character for character in text)
    return f"^FH^FD{escaped}^FS"
