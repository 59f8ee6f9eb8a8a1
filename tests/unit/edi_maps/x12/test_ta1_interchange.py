import io
from datetime import datetime

import pytest

from edi_maps.x12.reader import X12Reader
from edi_maps.x12.writer import Delimiters, Envelope, X12WriteError, write_ta1_interchange

ENVELOPE = Envelope("ZZ", "ACMEBRANDS", "ZZ", "AMAZON")
TA1 = ["TA1", "000000104", "261120", "0930", "R", "001"]


def test_a_ta1_travels_alone_between_isa_and_iea():
    text = write_ta1_interchange(ENVELOPE, 7, TA1, delimiters=Delimiters(element="|", suffix="\n"),
                                 when=datetime(2026, 11, 27, 10, 0))
    lines = text.splitlines()
    assert lines[1:] == ["TA1|000000104|261120|0930|R|001~", "IEA|0|000000007~"]
    reader = X12Reader(io.StringIO(text))
    assert [segment.tag for segment in reader] == ["ISA", "TA1", "IEA"]
    assert reader.errors == []


def test_only_a_ta1_segment_is_accepted():
    with pytest.raises(X12WriteError, match="expected a TA1"):
        write_ta1_interchange(ENVELOPE, 7, ["AK1", "PO"], when=datetime(2026, 11, 27))
