"""Labels read back by a decoder nobody here wrote: the PDF rasterised (pypdfium2) and decoded (zxing-cpp)."""
from __future__ import annotations

import pypdfium2
import zxingcpp


def decoded_pages(pdf: bytes) -> list[list[zxingcpp.Barcode]]:
    """Every page at 300 dpi in grey, and the barcodes zxing-cpp finds on it."""
    pages = []
    for page in pypdfium2.PdfDocument(pdf):
        bitmap = page.render(scale=300 / 72, grayscale=True)
        image = zxingcpp.ImageView(memoryview(bitmap.buffer).cast("B"), bitmap.width, bitmap.height,
                                   zxingcpp.ImageFormat.Lum, bitmap.stride)
        pages.append(zxingcpp.read_barcodes(image))
    return pages


def sscc_barcodes(barcodes: list[zxingcpp.Barcode]) -> list[bytes]:
    """The GS1-128 element strings on a page (]C1: Code 128 led by FNC1): AI 00 then the SSCC."""
    return [barcode.bytes for barcode in barcodes
            if barcode.content_type == zxingcpp.ContentType.GS1 and barcode.symbology_identifier == "]C1"]
