"""The 846 body from a canonical InventoryAdvice: checked segment by segment, by our 846 map
and by validators nobody here wrote, and as a property over random advices."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi_maps.amazon.inventory_advice import inventory_advice_segments
from edi_maps.documents import Address, IdentifierQualifier, InventoryAdvice, InventoryItem, ProductIdentifier
from edi_maps.validation import validate_interchange
from edi_maps.x12.writer import Delimiters, Envelope, FunctionalGroup, TransactionSet, write_interchange
from tests.support.independent_x12 import independent_errors

RENO = Address("Acme Brands Reno", "1200 Commerce Way", "Reno", "NV", "89502", "US")
AS_OF = datetime(2026, 12, 1, 4, 30, tzinfo=timezone(timedelta(hours=-8)))  # 12:30 UTC


def identifier(qualifier: str, value: str) -> ProductIdentifier:
    return ProductIdentifier(IdentifierQualifier(qualifier), value)


def item(quantity, *pairs, restock_date=None):
    return InventoryItem(tuple(identifier(q, v) for q, v in pairs or [("UP", "012345678905")]), quantity,
                         restock_date)


def advice(*items, **changes):
    base = InventoryAdvice(reference="FULL-20261201-0001", as_of=AS_OF, ship_from_code="RNO-WH1", ship_from=RENO,
                           items=tuple(items) or (item(40),))
    return replace(base, **changes)


BIA = ["BIA", "00", "MM", "FULL-20261201-0001", "20261201", "1230"]
SHIP_FROM = [
    ["N1", "SF", "Acme Brands Reno", "92", "RNO-WH1"],
    ["N3", "1200 Commerce Way"],
    ["N4", "Reno", "NV", "89502", "US"],
]

# Three products at one warehouse: one by UPC, one by every identifier Amazon may know it
# by, one out of stock with a restock date.
WAREHOUSE = advice(
    item(40),
    item(7, ("BP", "B07XJ8C8F5"), ("EN", "5012345678900"), ("VN", "ACME-KETTLE-2L")),
    item(0, ("EN", "4006381333931"), restock_date=date(2026, 12, 15)),
)
# The IMS reports one total: no ship-from.
ONE_TOTAL = advice(item(125), ship_from_code=None, ship_from=None)
# A warehouse Amazon knows by code whose address the gateway does not have.
CODE_ONLY = advice(item(3), ship_from=None)
# One identifier per qualifier the canonical document knows. GTIN-14 (UK) is not in the
# Amazon product qualifier list of our pyx12 map (BP EN IB UP VN VP, from Amazon's public
# guides), so our map refuses it and the sets validated here hold only the other six.
SEVEN = advice(item(1, ("BP", "B07XJ8C8F5"), ("EN", "5012345678900"), ("UP", "012345678905"),
                    ("IB", "9780306406157"), ("UK", "10012345678902"), ("VN", "ACME-1"), ("VP", "P-1")))


TO_AMAZON = Envelope("ZZ", "ACMEBRANDS", "ZZ", "AMAZON", version="00401")


def interchange(segments):
    """The body in a whole 004010 interchange of ours to Amazon (GS01 IB)."""
    group = FunctionalGroup("IB", "ACMEBRANDS", "AMAZON", 1, "004010", [TransactionSet("846", "0001", segments)])
    return write_interchange(TO_AMAZON, 1, [group], delimiters=Delimiters(repetition="U"),
                             when=datetime(2026, 12, 1, 13, 0))


def test_a_warehouse_advice_with_several_identifiers_a_zero_and_a_restock_date():
    assert inventory_advice_segments(WAREHOUSE) == [
        BIA,
        *SHIP_FROM,
        ["LIN", "", "UP", "012345678905"],
        ["QTY", "33", "40", "EA"],
        ["LIN", "", "BP", "B07XJ8C8F5", "EN", "5012345678900", "VN", "ACME-KETTLE-2L"],
        ["QTY", "33", "7", "EA"],
        ["LIN", "", "EN", "4006381333931"],
        ["DTM", "018", "20261215"],
        ["QTY", "33", "0", "EA"],
        ["CTT", "3"],
    ]


def test_one_total_has_no_ship_from_and_the_report_type_is_the_callers():
    assert inventory_advice_segments(ONE_TOTAL, "DD") == [
        ["BIA", "00", "DD", "FULL-20261201-0001", "20261201", "1230"],
        ["LIN", "", "UP", "012345678905"],
        ["QTY", "33", "125", "EA"],
        ["CTT", "1"],
    ]


def test_a_warehouse_known_only_by_code_is_named_by_it():
    assert inventory_advice_segments(CODE_ONLY)[1:3] == [["N1", "SF", "RNO-WH1", "92", "RNO-WH1"],
                                                        ["LIN", "", "UP", "012345678905"]]


def test_an_address_without_a_warehouse_code_is_not_written():
    assert inventory_advice_segments(replace(ONE_TOTAL, ship_from=RENO))[1][0] == "LIN"


def test_a_ship_from_outside_the_us_and_canada_has_no_n402():
    leeds = replace(WAREHOUSE, ship_from=Address("Acme UK", "1 Wharf St", "Leeds", "WYK", "LS1 4AP", "GB"))
    assert inventory_advice_segments(leeds)[3] == ["N4", "Leeds", "", "LS1 4AP", "GB"]


def test_as_of_is_written_in_utc_and_a_naive_one_is_taken_as_utc():
    late = replace(ONE_TOTAL, as_of=datetime(2026, 12, 1, 23, 45, tzinfo=timezone(timedelta(hours=-5))))
    assert inventory_advice_segments(late)[0][3:] == ["FULL-20261201-0001", "20261202", "0445"]
    naive = replace(ONE_TOTAL, as_of=datetime(2026, 12, 1, 23, 45))
    assert inventory_advice_segments(naive)[0][4:] == ["20261201", "2345"]


def test_seven_identifiers_fit_in_one_lin():
    lin = inventory_advice_segments(SEVEN)[len(SHIP_FROM) + 1]
    assert lin == ["LIN", "", "BP", "B07XJ8C8F5", "EN", "5012345678900", "UP", "012345678905", "IB",
                   "9780306406157", "UK", "10012345678902", "VN", "ACME-1", "VP", "P-1"]


@pytest.mark.parametrize(("document", "report_type", "message"), [
    (advice(items=()), "MM", "items is empty"),
    (advice(reference=""), "MM", "BIA03 reference '' is not 1-30 characters"),
    (advice(reference="R" * 31), "MM", "BIA03 reference 'R{31}' is not 1-30 characters"),
    (advice(), "M", "BIA02 report_type 'M' is not 2 characters"),
    (advice(), "MMM", "BIA02 report_type 'MMM' is not 2 characters"),
    (advice(ship_from_code="R"), "MM", "N104 ship_from_code 'R' is not 2-80 characters"),
    (advice(item(1, ("UP", "9" * 49))), "MM", "item 1: LIN identifier UP '9{49}' is not 1-48 characters"),
    (advice(item(1, ("UP", ""))), "MM", "item 1: LIN identifier UP '' is not 1-48 characters"),
    (advice(item(1), InventoryItem((), 1)), "MM", "item 2: identifiers has 0 pairs; a LIN carries 1 to 7"),
    (advice(InventoryItem((*SEVEN.items[0].identifiers, identifier("UP", "036000291452")), 1)), "MM",
     "item 1: identifiers has 8 pairs; a LIN carries 1 to 7"),
    (advice(item(-1)), "MM", "item 1: quantity -1 is not a whole number of eaches >= 0"),
    (advice(item(2.5)), "MM", "item 1: quantity 2.5 is not a whole number of eaches >= 0"),
    (advice(item(True)), "MM", "item 1: quantity True is not a whole number of eaches >= 0"),
    (advice(item(10 ** 15)), "MM", "item 1: quantity 1000000000000000 is longer than QTY02's 15 digits"),
], ids=["no-items", "empty-reference", "long-reference", "short-report-type", "long-report-type",
        "short-ship-from-code", "long-identifier", "empty-identifier", "no-identifier", "eight-identifiers",
        "negative-quantity", "fractional-quantity", "boolean-quantity", "sixteen-digit-quantity"])
def test_what_004010_cannot_carry_is_refused_by_name(document, report_type, message):
    with pytest.raises(ValueError, match=message):
        inventory_advice_segments(document, report_type)


SIX = advice(InventoryItem(tuple(pair for pair in SEVEN.items[0].identifiers
                              if pair.qualifier is not IdentifierQualifier.GTIN_14), 1))
ADVICES = [WAREHOUSE, ONE_TOTAL, CODE_ONLY, SIX]
IDS = ["warehouse", "one-total", "code-only", "six-identifiers"]


@pytest.mark.parametrize("document", ADVICES, ids=IDS)
def test_every_advice_passes_our_846_map_and_the_validators_nobody_here_wrote(document):
    """Bots' 846004010 grammar (order, counts, mandatory elements, lengths, dates, numbers)
    must pass what our map passes. x12-doctor has no 846 spec (only a name for it): for an
    846 it checks the envelope and the DTM dates, not BIA04 nor CTT01 against the LINs."""
    text = interchange(inventory_advice_segments(document))
    report = validate_interchange(text)
    assert report.is_valid, report.messages()
    assert independent_errors(text.encode()) == []


def test_a_gtin_14_is_written_but_not_in_amazons_qualifier_list_of_our_map():
    report = validate_interchange(interchange(inventory_advice_segments(SEVEN)))
    assert any("(UK) is not a valid code" in message for message in report.messages()), report.messages()


def independent_errors_of_a_set_our_map_refuses(segments, our_message):
    """What the independent validators say of a set our map refuses with ``our_message``."""
    text = interchange(segments)
    messages = validate_interchange(text).messages()
    assert any(our_message in message for message in messages), messages
    return independent_errors(text.encode())


def test_an_846_without_bia_is_caught_by_our_map_and_by_bots():
    errors = independent_errors_of_a_set_our_map_refuses(inventory_advice_segments(WAREHOUSE)[1:], "(BIA) missing")
    assert any(error.startswith("bots:") for error in errors), errors


def test_a_qty_that_is_not_a_number_is_caught_by_our_map_and_by_bots():
    segments = inventory_advice_segments(WAREHOUSE)
    segments[segments.index(["QTY", "33", "40", "EA"])] = ["QTY", "33", "40X", "EA"]
    errors = independent_errors_of_a_set_our_map_refuses(segments, "QTY02")
    assert any(error.startswith("bots:") for error in errors), errors


def test_a_restock_date_that_is_no_date_is_caught_by_x12_doctor_too():
    """DTM02 is one of the few 846 elements x12-doctor checks (its dates hold in any set)."""
    segments = inventory_advice_segments(WAREHOUSE)
    segments[segments.index(["DTM", "018", "20261215"])] = ["DTM", "018", "20261315"]
    errors = independent_errors_of_a_set_our_map_refuses(segments, "DTM02")
    assert any("x12-doctor B03" in error for error in errors), errors


def test_a_wrong_ctt01_is_caught_by_nobody_but_this_maps_tests():
    """Neither our map, Bots' grammar nor x12-doctor (no 846 spec) counts the LINs against
    CTT01, so the property test below is what holds it."""
    segments = inventory_advice_segments(WAREHOUSE)[:-1] + [["CTT", "99"]]
    assert validate_interchange(interchange(segments)).is_valid
    assert independent_errors(interchange(segments).encode()) == []


def test_a_dtm_after_the_qty_is_out_of_the_846_order():
    """The 004010 846 puts DTM before the QTY loop; after QTY it would be a DTM of the QTY
    loop, which our map does not have and Bots' grammar places elsewhere."""
    segments = inventory_advice_segments(WAREHOUSE)
    at = segments.index(["DTM", "018", "20261215"])
    segments[at], segments[at + 1] = segments[at + 1], segments[at]
    assert not validate_interchange(interchange(segments)).is_valid


def test_a_batch_of_10000_items_validates():
    items = tuple(item(number % 500, ("EN", f"{5012345000000 + number}"),
                       restock_date=date(2026, 12, 20) if number % 500 == 0 else None)
                  for number in range(10_000))
    segments = inventory_advice_segments(advice(items=items))
    assert segments[-1] == ["CTT", "10000"]
    text = interchange(segments)
    report = validate_interchange(text)
    assert report.is_valid, report.messages()[:5]
    assert independent_errors(text.encode()) == []


# --- property: any advice of 1-40 items, 1-6 identifiers each (all but GTIN-14, see SEVEN) --------------------------

QUALIFIERS = [qualifier.value for qualifier in IdentifierQualifier if qualifier is not IdentifierQualifier.GTIN_14]


@st.composite
def advices(draw):
    items = []
    for _ in range(draw(st.integers(1, 40))):
        qualifiers = draw(st.lists(st.sampled_from(QUALIFIERS), min_size=1, max_size=6, unique=True))
        values = [draw(st.text("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ-", min_size=1, max_size=48)) for _ in qualifiers]
        items.append(item(draw(st.integers(0, 10 ** 9)), *zip(qualifiers, values),
                          restock_date=draw(st.none() | st.dates(date(2026, 1, 1), date(2030, 12, 31)))))
    code = draw(st.none() | st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=2, max_size=10))
    return advice(items=tuple(items), ship_from_code=code,
                  ship_from=draw(st.none() | st.just(RENO)) if code else None,
                  reference=draw(st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=30)),
                  as_of=draw(st.datetimes(datetime(2026, 1, 1), datetime(2030, 12, 31), timezones=st.just(timezone.utc))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=advices())
def test_any_advice_counts_its_lins_reports_every_quantity_once_and_validates(document):
    segments = inventory_advice_segments(document)
    lins = [segment for segment in segments if segment[0] == "LIN"]
    quantities = [segment[2] for segment in segments if segment[:2] == ["QTY", "33"]]
    assert segments[-1] == ["CTT", str(len(lins))] and len(lins) == len(document.items)
    assert quantities == [str(entry.quantity) for entry in document.items]
    assert independent_errors(interchange(segments).encode()) == []
    report = validate_interchange(interchange(segments))
    assert report.is_valid, report.messages()
