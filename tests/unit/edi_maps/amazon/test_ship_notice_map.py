"""The 856 body from a canonical ShipNotice: checked segment by segment, by our 856 maps
in both X12 versions, and as a property over random shipments."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from biip.checksums import gs1_standard_check_digit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi_maps.amazon.ship_notice import ship_notice_segments
from edi_maps.documents import (
    Address,
    Carton,
    IdentifierQualifier,
    Pallet,
    ProductIdentifier,
    ShipNotice,
    ShipNoticePurpose,
    ShippedItem,
    ShippedOrder,
    UnitOfMeasure,
)
from edi_maps.validation import validate_interchange
from edi_maps.x12.writer import Delimiters, Envelope, FunctionalGroup, TransactionSet, write_interchange
from tests.support.independent_x12 import independent_errors

EA, CA = UnitOfMeasure.EACH, UnitOfMeasure.CASE
VERSIONS = ("004010", "005010")
RENO = Address("Acme Brands", "1200 Commerce Way", "Reno", "NV", "89502", "US")


def item(line, value, quantity, unit=EA, qualifier="UP", lot=None, expiry=None):
    return ShippedItem(line, ProductIdentifier(IdentifierQualifier(qualifier), value), Decimal(quantity), unit,
                       lot, expiry)


def notice(*orders, cartons, pallets=0, purpose=ShipNoticePurpose.ORIGINAL, **changes):
    base = ShipNotice(
        shipment_id="SHP20261130A", purpose=purpose,
        shipped_at=datetime(2026, 11, 30, 15, 5, tzinfo=timezone.utc), estimated_delivery_date=date(2026, 12, 2),
        carrier_scac="ABFS", bill_of_lading="BOL778812", pro_number=None, ship_from_code="ACME-RNO",
        ship_from=RENO, ship_to="RNO1", carton_count=cartons, pallet_count=pallets, gross_weight=None,
        weight_unit="LB", orders=tuple(orders))
    return replace(base, **changes)


SHIPMENT_HEADER = [
    ["BSN", "00", "SHP20261130A", "20261130", "1505", "0001"],
    ["HL", "1", "", "S"],
]
SHIPMENT_PARTIES = [
    ["DTM", "011", "20261130", "1505"],
    ["DTM", "017", "20261202"],
    ["N1", "SF", "Acme Brands"],
    ["N3", "1200 Commerce Way"],
    ["N4", "Reno", "NV", "89502", "US"],
    ["N1", "ST", "", "92", "RNO1"],
]

# S/O/P/I: one PO, two loose cartons, the first holding two SKUs.
LOOSE = notice(
    ShippedOrder("2XK7QP9M", date(2026, 11, 20), (), (
        Carton("000123456700000015", (item("1", "012345678905", 12), item("2", "012345678912", 6))),
        Carton("000123456700000022", (item("1", "012345678905", 24),)),
    )),
    cartons=2, gross_weight=Decimal("41.50"), pro_number="PRO5561")

# S/O/T/P/I: two pallets; pallet ...0019 carries cartons of both POs, so it stands under both orders.
PALLET_A, PALLET_B = "000123456700000015", "000123456700000022"
PALLETISED = notice(
    ShippedOrder("2XK7QP9M", date(2026, 11, 20), (
        Pallet(PALLET_A, (Carton("000123456700000107", (item("1", "012345678905", 2, CA),)),
                          Carton("000123456700000114", (item("1", "012345678905", 2, CA),)))),
    ), ()),
    ShippedOrder("7TQ4LL2B", date(2026, 11, 21), (
        Pallet(PALLET_A, (Carton("000123456700000121", (item("3", "B07XJ8C8F5", 5, qualifier="BP"),)),)),
        Pallet(PALLET_B, (Carton("000123456700000138", (item("4", "5012345678900", 8, qualifier="EN"),)),)),
    ), ()),
    cartons=4, pallets=2, gross_weight=Decimal("612"), weight_unit="KG")

PERISHABLE = notice(
    ShippedOrder("9PERISH1", date(2026, 11, 22), (), (
        Carton("000123456700000206", (item("1", "012345678929", 10, lot="L2611A", expiry=date(2027, 5, 31)),)),
    )),
    cartons=1)

REPLACEMENT = replace(LOOSE, purpose=ShipNoticePurpose.REPLACEMENT)


def interchange(segments, version, delimiters=None):
    """The body in a whole interchange of ours to Amazon, in ``version``'s envelope."""
    control = {"004010": "00401", "005010": "00501"}[version]
    delimiters = delimiters or Delimiters(repetition="U" if version == "004010" else "^")
    return write_interchange(
        Envelope("ZZ", "ACMEBRANDS", "ZZ", "AMAZON", version=control), 1,
        [FunctionalGroup("SH", "ACMEBRANDS", "AMAZON", 1, version, [TransactionSet("856", "0001", segments)])],
        delimiters=delimiters, when=datetime(2026, 11, 30, 16, 0))


def test_loose_cartons_of_one_po_are_packs_under_the_order():
    assert ship_notice_segments(LOOSE, "005010") == [
        *SHIPMENT_HEADER,
        ["TD1", "CTN25", "2", "", "", "", "G", "41.5", "LB"],
        ["TD5", "", "2", "ABFS"],
        ["REF", "BM", "BOL778812"],
        ["REF", "CN", "PRO5561"],
        *SHIPMENT_PARTIES,
        ["HL", "2", "1", "O"],
        ["PRF", "2XK7QP9M", "", "", "20261120"],
        ["HL", "3", "2", "P"],
        ["MAN", "GM", "000123456700000015"],
        ["HL", "4", "3", "I"],
        ["LIN", "1", "UP", "012345678905"],
        ["SN1", "", "12", "EA"],
        ["HL", "5", "3", "I"],
        ["LIN", "2", "UP", "012345678912"],
        ["SN1", "", "6", "EA"],
        ["HL", "6", "2", "P"],
        ["MAN", "GM", "000123456700000022"],
        ["HL", "7", "6", "I"],
        ["LIN", "1", "UP", "012345678905"],
        ["SN1", "", "24", "EA"],
        ["CTT", "7"],
    ]


def test_a_pallet_with_cartons_of_two_pos_stands_under_both_orders():
    assert ship_notice_segments(PALLETISED, "005010") == [
        *SHIPMENT_HEADER,
        ["TD1", "CTN25", "4", "", "", "", "G", "612", "KG"],
        ["TD1", "PLT94", "2"],
        ["TD5", "", "2", "ABFS"],
        ["REF", "BM", "BOL778812"],
        *SHIPMENT_PARTIES,
        ["HL", "2", "1", "O"],
        ["PRF", "2XK7QP9M", "", "", "20261120"],
        ["HL", "3", "2", "T"],
        ["MAN", "GM", PALLET_A],
        ["HL", "4", "3", "P"],
        ["MAN", "GM", "000123456700000107"],
        ["HL", "5", "4", "I"],
        ["LIN", "1", "UP", "012345678905"],
        ["SN1", "", "2", "CA"],
        ["HL", "6", "3", "P"],
        ["MAN", "GM", "000123456700000114"],
        ["HL", "7", "6", "I"],
        ["LIN", "1", "UP", "012345678905"],
        ["SN1", "", "2", "CA"],
        ["HL", "8", "1", "O"],
        ["PRF", "7TQ4LL2B", "", "", "20261121"],
        ["HL", "9", "8", "T"],
        ["MAN", "GM", PALLET_A],
        ["HL", "10", "9", "P"],
        ["MAN", "GM", "000123456700000121"],
        ["HL", "11", "10", "I"],
        ["LIN", "3", "BP", "B07XJ8C8F5"],
        ["SN1", "", "5", "EA"],
        ["HL", "12", "8", "T"],
        ["MAN", "GM", PALLET_B],
        ["HL", "13", "12", "P"],
        ["MAN", "GM", "000123456700000138"],
        ["HL", "14", "13", "I"],
        ["LIN", "4", "EN", "5012345678900"],
        ["SN1", "", "8", "EA"],
        ["CTT", "14"],
    ]


def test_a_pallet_without_an_sscc_has_no_man():
    unlabelled = notice(ShippedOrder("2XK7QP9M", date(2026, 11, 20), (
        Pallet(None, (Carton("000123456700000107", (item("1", "012345678905", 2),)),)),), ()), cartons=1, pallets=1)
    assert ship_notice_segments(unlabelled, "005010")[14:18] == [
        ["HL", "3", "2", "T"], ["HL", "4", "3", "P"], ["MAN", "GM", "000123456700000107"], ["HL", "5", "4", "I"]]


def test_a_replacement_keeps_the_shipment_id_with_bsn01_05():
    segments = ship_notice_segments(REPLACEMENT, "005010")
    assert segments[0] == ["BSN", "05", "SHP20261130A", "20261130", "1505", "0001"]
    assert segments[1:] == ship_notice_segments(LOOSE, "005010")[1:]


def test_a_perishable_item_carries_its_lot_and_expiry():
    assert ship_notice_segments(PERISHABLE, "005010") == [
        *SHIPMENT_HEADER,
        ["TD1", "CTN25", "1"],
        ["TD5", "", "2", "ABFS"],
        ["REF", "BM", "BOL778812"],
        *SHIPMENT_PARTIES,
        ["HL", "2", "1", "O"],
        ["PRF", "9PERISH1", "", "", "20261122"],
        ["HL", "3", "2", "P"],
        ["MAN", "GM", "000123456700000206"],
        ["HL", "4", "3", "I"],
        ["LIN", "1", "UP", "012345678929", "LT", "L2611A"],
        ["SN1", "", "10", "EA"],
        ["DTM", "036", "20270531"],
        ["CTT", "4"],
    ]


def test_shipped_at_is_written_in_utc_and_the_delivery_estimate_only_when_known():
    eastern = timezone(timedelta(hours=-5))
    moved = replace(PERISHABLE, shipped_at=datetime(2026, 11, 30, 21, 45, tzinfo=eastern), estimated_delivery_date=None)
    segments = ship_notice_segments(moved, "005010")
    assert segments[0] == ["BSN", "00", "SHP20261130A", "20261201", "0245", "0001"]
    assert ["DTM", "011", "20261201", "0245"] in segments
    assert not any(segment[:2] == ["DTM", "017"] for segment in segments)


def test_004010_and_005010_bodies_are_the_same_for_a_us_ship_from():
    for shipment in (LOOSE, PALLETISED, PERISHABLE, REPLACEMENT):
        assert ship_notice_segments(shipment, "004010") == ship_notice_segments(shipment, "005010")


def n4(shipment, version):
    return next(segment for segment in ship_notice_segments(shipment, version) if segment[0] == "N4")


def test_a_state_outside_the_us_and_canada_is_n407_in_005010_and_left_out_in_004010():
    leeds = replace(PERISHABLE, ship_from=Address("Acme UK", "1 Wharf St", "Leeds", "WYK", "LS1 4AP", "GB"))
    assert n4(leeds, "005010") == ["N4", "Leeds", "", "LS1 4AP", "GB", "", "", "WYK"]
    assert n4(leeds, "004010") == ["N4", "Leeds", "", "LS1 4AP", "GB"]
    toronto = replace(PERISHABLE, ship_from=Address("Acme CA", "9 Bay St", "Toronto", "ON", "M5J 2N8", "CA"))
    assert n4(toronto, "004010") == n4(toronto, "005010") == ["N4", "Toronto", "ON", "M5J 2N8", "CA"]
    for version in VERSIONS:
        for shipment in (leeds, toronto):
            report = validate_interchange(interchange(ship_notice_segments(shipment, version), version))
            assert report.is_valid, report.messages()


def test_a_reference_004010_cannot_carry_is_refused_by_name():
    long_bol = replace(PERISHABLE, bill_of_lading="B" * 31)
    assert ["REF", "BM", "B" * 31] in ship_notice_segments(long_bol, "005010")
    with pytest.raises(ValueError, match="REF\\*BM .* longer than the 30 characters REF02 allows in X12 004010"):
        ship_notice_segments(long_bol, "004010")


def test_an_unknown_version_is_refused():
    with pytest.raises(ValueError, match="004010 or 005010, not '003060'"):
        ship_notice_segments(LOOSE, "003060")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("shipment", [LOOSE, PALLETISED, PERISHABLE, REPLACEMENT],
                         ids=["loose", "palletised", "perishable", "replacement"])
def test_every_shipment_passes_our_856_map(shipment, version):
    report = validate_interchange(interchange(ship_notice_segments(shipment, version), version))
    assert report.is_valid, report.messages()


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("shipment", [LOOSE, PALLETISED, PERISHABLE, REPLACEMENT],
                         ids=["loose", "palletised", "perishable", "replacement"])
def test_validators_nobody_here_wrote_agree(shipment, version):
    """Bots' 856 grammar for the version (GS08) and x12-doctor's HL tree check pass what our map passes."""
    assert independent_errors(interchange(ship_notice_segments(shipment, version), version).encode()) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_validators_nobody_here_wrote_catch_what_breaks_an_856(version):
    segments = ship_notice_segments(PALLETISED, version)
    wrong_parent = [["HL", segment[1], "99", segment[3]] if segment[:1] == ["HL"] and segment[3] == "I" else segment
                    for segment in segments]
    assert any("x12-doctor D01" in error for error in independent_errors(interchange(wrong_parent, version).encode()))
    too_long = [["BSN", "00", "S" * 31, *segments[0][3:]], *segments[1:]]
    assert any("BSN02" in error and "too big" in error
               for error in independent_errors(interchange(too_long, version).encode()))
    out_of_order = list(segments)
    td1, td5 = next(i for i, s in enumerate(segments) if s[0] == "TD1"), next(i for i, s in enumerate(segments)
                                                                               if s[0] == "TD5")
    out_of_order[td1], out_of_order[td5] = segments[td5], segments[td1]
    assert independent_errors(interchange(out_of_order, version).encode()) != []


@pytest.mark.parametrize("version", VERSIONS)
def test_an_item_whose_parent_is_not_an_earlier_hl_is_reported(version):
    segments = ship_notice_segments(LOOSE, version)
    at = segments.index(["HL", "4", "3", "I"])
    segments[at] = ["HL", "4", "9", "I"]
    report = validate_interchange(interchange(segments, version))
    assert not report.is_valid
    assert any("HL parent (9) is not a valid parent" in message for message in report.messages())


@pytest.mark.parametrize("version", VERSIONS)
def test_a_856_without_bsn_is_reported(version):
    report = validate_interchange(interchange(ship_notice_segments(LOOSE, version)[1:], version))
    assert any("(BSN) missing" in message for message in report.messages())


# --- property: any shipment of 1-3 orders, 0-3 pallets, 1-5 cartons, 1-3 items ----------

PARENT_LEVEL = {"O": {"S"}, "T": {"O"}, "P": {"O", "T"}, "I": {"P"}}


@st.composite
def shipments(draw):
    serial = iter(range(1, 10_000))

    def sscc():
        body = f"{next(serial):017d}"
        return body + str(gs1_standard_check_digit(body))

    def carton():
        items = tuple(
            item(str(draw(st.integers(1, 999))), draw(st.sampled_from(["012345678905", "5012345678900"])),
                 draw(st.integers(1, 500)), draw(st.sampled_from([EA, CA])),
                 lot=draw(st.none() | st.just("L1")), expiry=draw(st.none() | st.just(date(2027, 1, 31))))
            for _ in range(draw(st.integers(1, 3))))
        return Carton(sscc(), items)

    pallet_ids = [draw(st.none() | st.just(sscc())) for _ in range(draw(st.integers(0, 3)))]
    orders = []
    for number in range(draw(st.integers(1, 3))):
        on_pallets = tuple(Pallet(pallet_id, tuple(carton() for _ in range(draw(st.integers(1, 5)))))
                           for pallet_id in pallet_ids if draw(st.booleans()))
        loose = tuple(carton() for _ in range(draw(st.integers(0 if on_pallets else 1, 5))))
        orders.append(ShippedOrder(f"PO{number}X", date(2026, 11, 20), on_pallets, loose))
    cartons = sum(len(p.cartons) for o in orders for p in o.pallets) + sum(len(o.cartons) for o in orders)
    return notice(*orders, cartons=cartons, pallets=len(pallet_ids),
                  gross_weight=draw(st.none() | st.decimals("0.1", "99999", places=1)),
                  pro_number=draw(st.none() | st.just("PRO1")),
                  estimated_delivery_date=draw(st.none() | st.just(date(2026, 12, 3))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shipment=shipments(), version=st.sampled_from(VERSIONS))
def test_any_shipment_is_numbered_nested_and_counted_right_and_validates(shipment, version):
    segments = ship_notice_segments(shipment, version)
    hls = [segment for segment in segments if segment[0] == "HL"]
    assert [hl[1] for hl in hls] == [str(n) for n in range(1, len(hls) + 1)]
    level_of: dict[str, str] = {}
    for hl in hls:
        if hl[3] == "S":
            assert hl[2] == "" and not level_of
        else:
            assert hl[2] in level_of and level_of[hl[2]] in PARENT_LEVEL[hl[3]], hl
        level_of[hl[1]] = hl[3]
    marked = [segment[2] for segment in segments if segment[:2] == ["MAN", "GM"]]
    carton_ssccs = [c.sscc for o in shipment.orders for c in (*o.cartons, *(c for p in o.pallets for c in p.cartons))]
    assert all(marked.count(sscc) == 1 for sscc in carton_ssccs)
    assert sum(level == "P" for level in level_of.values()) == len(carton_ssccs)
    assert segments[-1] == ["CTT", str(len(hls))]
    assert independent_errors(interchange(segments, version).encode()) == []
    report = validate_interchange(interchange(segments, version))
    assert report.is_valid, report.messages()
