"""The 855 body from a canonical Acknowledgement, checked segment by segment and by our 855 map."""
from datetime import date, datetime
from decimal import Decimal

import pytest

from edi_maps.amazon.acknowledgement import acknowledgement_segments
from edi_maps.documents import (
    AcknowledgedQuantity,
    Acknowledgement,
    AcknowledgementLine,
    AcknowledgementType,
    IdentifierQualifier,
    LineOutcome,
    ProductIdentifier,
    RejectionReason,
    UnitOfMeasure,
    acknowledgement_type,
)
from edi_maps.validation import validate_interchange
from edi_maps.x12.writer import Envelope, FunctionalGroup, TransactionSet, write_interchange

EA, CA = UnitOfMeasure.EACH, UnitOfMeasure.CASE
SHIP, DELIVER = date(2026, 11, 22), date(2026, 11, 24)


def line(number, qualifier, value, ordered, unit, cost, *outcomes, pack_size=None):
    return AcknowledgementLine(number, ProductIdentifier(IdentifierQualifier(qualifier), value), Decimal(ordered),
                               unit, Decimal(cost), tuple(outcomes), pack_size)


def accepted(quantity, unit=EA):
    return AcknowledgedQuantity(LineOutcome.ACCEPTED, Decimal(quantity), unit, SHIP, DELIVER)


ACK = Acknowledgement("2XK7QP9M", AcknowledgementType.WITH_DETAIL_AND_CHANGE, date(2026, 11, 20), (
    line("1", "EN", "5012345678900", 24, EA, "12.50", accepted(20),
         AcknowledgedQuantity(LineOutcome.BACKORDERED, Decimal(4), EA, date(2026, 11, 27), date(2026, 11, 29))),
    line("2", "UP", "012345678905", 6, CA, "40.00", accepted(6, CA), pack_size=12),
    line("3", "BP", "B07XJ8C8F5", 10, EA, "7.25",
         AcknowledgedQuantity(LineOutcome.REJECTED, Decimal(10), EA,
                              rejection_reason=RejectionReason.INVALID_PRODUCT_IDENTIFIER)),
))


def test_each_line_is_echoed_with_one_ack_per_outcome():
    assert acknowledgement_segments(ACK) == [
        ["BAK", "00", "AC", "2XK7QP9M", "20261120"],
        ["PO1", "1", "24", "EA", "12.5", "", "EN", "5012345678900"],
        ["ACK", "IA", "20", "EA", "068", "20261122"], ["DTM", "067", "20261124"],
        ["ACK", "IB", "4", "EA", "068", "20261127"], ["DTM", "067", "20261129"],
        ["PO1", "2", "6", "CA", "40", "", "UP", "012345678905"], ["PO4", "12"],
        ["ACK", "IA", "6", "CA", "068", "20261122"], ["DTM", "067", "20261124"],
        ["PO1", "3", "10", "EA", "7.25", "", "BP", "B07XJ8C8F5"],
        ["ACK", "R2", "10", "EA"],
        ["CTT", "3", "40"],
    ]


@pytest.mark.parametrize(("unit", "cost", "po104"), [
    (EA, "39.00", "39"), (CA, "470.0000", "470"), (CA, "39.9996", "39.9996"), (EA, "0.1250", "0.125")])
def test_po104_is_the_cost_per_the_lines_unit_as_given(unit, cost, po104):
    """PO104 states the line's cost exactly as given, per the line's unit (per case for CA): no rounding."""
    ack = Acknowledgement("X", AcknowledgementType.WITH_DETAIL_NO_CHANGE, date(2026, 11, 20),
                          (line("1", "UP", "012345678912", 2, unit, cost, accepted(2, unit),
                                pack_size=12 if unit is CA else None),))
    assert acknowledgement_segments(ack)[1][:5] == ["PO1", "1", "2", unit.value, po104]


def test_ack_codes_come_from_the_profile():
    codes = {"accepted": "IA", "backordered": "BP", "rejected": "IR"}
    segments = acknowledgement_segments(ACK, codes)
    assert [s[1] for s in segments if s[0] == "ACK"] == ["IA", "BP", "IA", "IR"]


def test_bak02_is_ad_only_when_everything_is_accepted_as_ordered():
    assert acknowledgement_type(ACK.lines) is AcknowledgementType.WITH_DETAIL_AND_CHANGE
    whole = Acknowledgement("X", AcknowledgementType.WITH_DETAIL_NO_CHANGE, date(2026, 11, 20),
                            (line("1", "EN", "5012345678900", 24, EA, "12.50", accepted(24)),))
    assert acknowledgement_type(whole.lines) is AcknowledgementType.WITH_DETAIL_NO_CHANGE


def test_the_855_passes_our_855_map():
    text = write_interchange(
        Envelope("ZZ", "ACMEBRANDS", "ZZ", "AMAZON"), 1,
        [FunctionalGroup("PR", "ACMEBRANDS", "AMAZON", 1, "004010",
                         [TransactionSet("855", "0001", acknowledgement_segments(ACK))])],
        when=datetime(2026, 11, 20, 10, 0))
    report = validate_interchange(text)
    assert report.is_valid, report.messages()
