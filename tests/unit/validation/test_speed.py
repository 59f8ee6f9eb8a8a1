"""Validation runs pyx12 once and is no slower than pyx12's own x12n_document."""
from __future__ import annotations

import io
import time

import pyx12.params
import pyx12.x12n_document
import pytest

from edi_maps.validation import MAP_PATH, validate_interchange


def _purchase_order(lines: int) -> str:
    segments = [
        "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEBRANDS     *261120*0930*U*00401*000000101*0*P*>",
        "GS*PO*AMAZON*ACMEBRANDS*20261120*0930*101*X*004010",
        "ST*850*1011",
        "BEG*00*NE*2XK7QP9M**20261120",
        "DTM*064*20261124",
        "N1*ST**92*RNO1",
        *(f"PO1*{i}*24*EA*12.50**EN*5012345678900" for i in range(1, lines + 1)),
        f"CTT*{lines}*{24 * lines}",
    ]
    segments += [f"SE*{len(segments) - 1}*1011", "GE*1*101", "IEA*1*000000101"]
    return "~\n".join(segments) + "~\n"


def _best_cpu_seconds(run, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.slow
def test_not_slower_than_bare_x12n_document() -> None:
    text = _purchase_order(1500)
    assert validate_interchange(text).is_valid

    def bare() -> None:
        assert pyx12.x12n_document.x12n_document(
            pyx12.params.ParamsBase(), io.StringIO(text), io.StringIO(), None, map_path=str(MAP_PATH)
        )

    ours = _best_cpu_seconds(lambda: validate_interchange(text))
    theirs = _best_cpu_seconds(bare)
    assert ours <= theirs * 1.2, f"ours {ours:.2f}s, x12n_document {theirs:.2f}s"
