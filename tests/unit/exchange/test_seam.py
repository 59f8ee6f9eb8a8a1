"""The seam's tables: every retailer and transport a profile may name has its code, the
Amazon retailer writes the 855 from the profile's ACK01 codes, the 856 in the profile's
X12 version, the 810 in 004010 under its invoice number and the 846 in 004010 under its
reference."""
from datetime import date
from decimal import Decimal

import pytest

from edi_maps.documents import (
    AcknowledgedQuantity,
    Acknowledgement,
    AcknowledgementLine,
    AcknowledgementType,
    IdentifierQualifier,
    LineOutcome,
    ProductIdentifier,
    UnitOfMeasure,
)
from gateway.exchange import retailers, transports
from gateway.partners.profile import RETAILERS, TRANSPORTS, Profile
from tests.unit.edi_maps.amazon.test_inventory_advice_map import WAREHOUSE
from tests.unit.edi_maps.amazon.test_invoice_map import WITH_EXTRAS
from tests.unit.edi_maps.amazon.test_ship_notice_map import LOOSE, PALLETISED


def test_every_retailer_and_transport_a_profile_may_name_is_implemented():
    assert set(retailers.BY_NAME) == set(RETAILERS)
    assert set(transports.BY_NAME) == set(TRANSPORTS)


def test_the_amazon_855_uses_the_profiles_ack01_codes_and_keeps_the_po_number():
    line = AcknowledgementLine("1", ProductIdentifier(IdentifierQualifier.EAN, "5012345678900"), Decimal(4),
                               UnitOfMeasure.EACH, Decimal("12.50"),
                               (AcknowledgedQuantity(LineOutcome.BACKORDERED, Decimal(4), UnitOfMeasure.EACH),))
    ack = Acknowledgement("2XK7QP9M", AcknowledgementType.WITH_DETAIL_AND_CHANGE, date(2026, 11, 20), (line,))
    mapping = retailers.AMAZON.outbound_map(ack)
    profile = Profile().changed("acknowledgement", {"ack_codes": {"backordered": "BP"}})
    body = mapping.body(ack, profile)
    assert (mapping.set_id, mapping.functional_id, mapping.reference(ack)) == ("855", "PR", "2XK7QP9M")
    assert ["ACK", "BP", "4", "EA"] in body


def test_a_document_the_retailer_has_no_map_for_is_refused_by_name():
    with pytest.raises(LookupError, match="amazon has no outbound map for str"):
        retailers.AMAZON.outbound_map("an invoice")


def test_the_amazon_856_is_written_in_the_profiles_version_and_keeps_the_shipment_id():
    mapping = retailers.AMAZON.outbound_map(LOOSE)
    assert (mapping.set_id, mapping.functional_id, mapping.reference(PALLETISED)) == ("856", "SH", "SHP20261130A")
    assert mapping.version(Profile()) == "005010"
    assert mapping.version(Profile().changed("ship_notice", {"version": "004010"})) == "004010"
    assert mapping.body(LOOSE, Profile())[0][0] == "BSN"
    assert (mapping.message_po_number(LOOSE), mapping.message_po_number(PALLETISED)) == ("2XK7QP9M", None)


def test_the_amazon_855_stays_in_004010_whatever_the_ship_notice_version():
    ack = Acknowledgement("2XK7QP9M", AcknowledgementType.WITH_DETAIL_NO_CHANGE, date(2026, 11, 20), ())
    mapping = retailers.AMAZON.outbound_map(ack)
    assert mapping.version(Profile().changed("ship_notice", {"version": "005010"})) == "004010"
    assert mapping.message_po_number(ack) == "2XK7QP9M"


def test_the_amazon_810_is_in_004010_keyed_by_invoice_number_and_belongs_to_its_po():
    mapping = retailers.AMAZON.outbound_map(WITH_EXTRAS)
    assert (mapping.set_id, mapping.functional_id) == ("810", "IN")
    assert (mapping.reference(WITH_EXTRAS), mapping.message_po_number(WITH_EXTRAS)) == ("INV-2611300001", "2XK7QP9M")
    assert mapping.version(Profile().changed("ship_notice", {"version": "005010"})) == "004010"
    body = mapping.body(WITH_EXTRAS, Profile())
    assert body[0] == ["BIG", "20261201", "INV-2611300001", "20261120", "2XK7QP9M"] and ["TDS", "13244"] in body


def test_the_amazon_846_is_in_004010_keyed_by_its_reference_with_the_profiles_report_type():
    mapping = retailers.AMAZON.outbound_map(WAREHOUSE)
    assert (mapping.set_id, mapping.functional_id) == ("846", "IB")
    assert (mapping.reference(WAREHOUSE), mapping.message_po_number(WAREHOUSE)) == ("FULL-20261201-0001", None)
    assert mapping.version(Profile().changed("ship_notice", {"version": "005010"})) == "004010"
    assert mapping.body(WAREHOUSE, Profile())[0] == ["BIA", "00", "MM", "FULL-20261201-0001", "20261201", "1230"]
    assert mapping.body(WAREHOUSE, Profile().changed("inventory", {"report_type": "DD"}))[0][2] == "DD"
