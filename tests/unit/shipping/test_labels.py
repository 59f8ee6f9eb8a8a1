"""Labels read back by a decoder nobody here wrote: the PDF rasterised (pypdfium2) and decoded (zxing-cpp)."""
from dataclasses import replace

import pytest
import zxingcpp

from gateway.shipping.labels import Label, labels_pdf, labels_zpl
from tests.support.labels import decoded_pages

LABEL = Label(
    sscc="006141411234567890",
    ship_from=("Acme Brands", "1 Main St", "Reno, NV 89501, US"),
    ship_to=("Amazon.com Services", "ABE8", "Robbinsville, NJ 08691, US"),
    carrier="UPSN", pro_number="123456", bol_number="BOL0001", po_number="2Z4LQ8BD",
    carton_number=1, carton_count=2, quantity=24, sku="SKU-1",
)
MIXED = Label(
    sscc="106141410000000019", ship_from=LABEL.ship_from, ship_to=LABEL.ship_to, carrier="UPSN",
    pro_number="123456", bol_number="BOL0001", po_number="7XQ2M9KP", carton_number=2, carton_count=2, quantity=36,
)


def test_each_label_is_a_page_whose_barcodes_decode_to_its_sscc_and_po() -> None:
    pages = decoded_pages(labels_pdf([LABEL, MIXED]))
    assert len(pages) == 2
    for label, barcodes in zip([LABEL, MIXED], pages, strict=True):
        gs1 = [barcode for barcode in barcodes if barcode.content_type == zxingcpp.ContentType.GS1]
        plain = [barcode for barcode in barcodes if barcode.content_type == zxingcpp.ContentType.Text]
        # ]C1 is GS1-128 (Code 128 led by FNC1); its bytes are the element string, AI 00 then the SSCC.
        assert [(b.format, b.symbology_identifier, b.bytes) for b in gs1] == [
            (zxingcpp.BarcodeFormat.Code128, "]C1", b"00" + label.sscc.encode("ascii"))]
        assert [(b.format, b.text) for b in plain] == [(zxingcpp.BarcodeFormat.Code128, label.po_number)]


def test_the_texts_a_person_reads() -> None:
    assert LABEL.sscc_text == "(00) 0 0614141 123456789 0"
    assert (LABEL.carton_text, LABEL.contents_text) == ("CARTON 1 OF 2", "SKU SKU-1  QTY 24")
    assert MIXED.contents_text == "Mixed SKUs  QTY 36"


def test_zpl_carries_the_sscc_as_gs1_128_and_the_po_as_code_128() -> None:
    zpl = labels_zpl([LABEL, MIXED])
    assert zpl.count("^XA") == zpl.count("^XZ") == 2
    assert "^BCN,300,N,N,N^FD>;>800006141411234567890^FS" in zpl
    assert "^BCN,300,N,N,N^FD>;>800106141410000000019^FS" in zpl
    assert "^BCN,90,N,N,N^FH^FD2Z4LQ8BD^FS" in zpl
    assert "^FH^FD(00) 0 0614141 123456789 0^FS" in zpl
    assert "^FH^FDMixed SKUs  QTY 36^FS" in zpl


def test_zpl_field_data_cannot_start_a_command() -> None:
    tricky = replace(LABEL, ship_to=("A^XZ~JR_B",))
    assert "^FH^FDA_5EXZ_7EJR_5FB^FS" in labels_zpl([tricky])


@pytest.mark.parametrize(("changes", "problem"), [
    ({"sscc": "006141411234567893"}, "check digit 3 should be 0"),
    ({"sscc": "00614141123456789"}, "17 digits, an SSCC has 18"),
    ({"carton_number": 3}, "carton 3 of 2"),
    ({"carton_number": 0}, "carton 0 of 2"),
])
def test_a_label_refuses_what_would_be_a_chargeback(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        replace(LABEL, **changes)
