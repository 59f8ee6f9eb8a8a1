"""Outbound interchanges take their control numbers from the database and the partner's
delimiters, in the X12 version the partner's profile asks for."""
import io
from datetime import datetime, timezone

from sqlalchemy import select

from edi_maps.validation import validate_interchange
from edi_maps.x12.reader import X12Reader
from gateway.platform import db
from gateway.platform.storage import read_payload
from gateway.exchange.envelopes import SetBody, build_interchange
from gateway.exchange.outbound import send_document
from gateway.models import Message, Organisation, TradingPartner, X12Group
from tests.support.independent_x12 import independent_errors
from tests.unit.edi_maps.amazon.test_invoice_map import WITH_EXTRAS
from tests.unit.edi_maps.amazon.test_ship_notice_map import LOOSE, PALLETISED

WHEN = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)
BODY = SetBody("855", [["BAK", "00", "AC", "2XK7QP9M", "20261127"], ["CTT", "0"]])


def parties(session, delimiters=None, profile=None):
    organisation = Organisation(name="Acme", as2_id="ACMEBRANDS", x12_qualifier="ZZ", x12_id="ACMEBRANDS")
    profile = profile or ({"x12": {"delimiters": delimiters}} if delimiters else {})
    partner = TradingPartner(organisation=organisation, name="Amazon", as2_id="AMAZON", x12_qualifier="ZZ",
                             x12_id="AMAZON", profile=profile)
    session.add_all([organisation, partner])
    session.flush()
    return organisation, partner


def test_each_interchange_gets_new_control_numbers(settings):
    with db.session_scope(settings) as session:
        organisation, partner = parties(session)
        first = build_interchange(session, organisation, partner, "PR", [BODY, BODY], when=WHEN)
        second = build_interchange(session, organisation, partner, "PR", [BODY], when=WHEN)
    assert (first.interchange_control_number, first.group_control_number) == (1, 1)
    assert first.set_control_numbers == ("0001", "0002")
    assert (second.interchange_control_number, second.group_control_number, second.set_control_numbers) == (2, 2, ("0003",))
    assert first.text.startswith("ISA*00*          *00*          *ZZ*ACMEBRANDS     *ZZ*AMAZON         *261127*0930*U*00401*000000001*0*P*>~")
    reader = X12Reader(io.StringIO(second.text))
    tags = [segment.tag for segment in reader]
    assert tags == ["ISA", "GS", "ST", "BAK", "CTT", "SE", "GE", "IEA"]
    assert reader.errors == []


def test_the_partner_delimiters_are_used(settings):
    with db.session_scope(settings) as session:
        organisation, partner = parties(session, {"element": "|", "component": "^", "segment": "\n"})
        text = build_interchange(session, organisation, partner, "PR", [BODY], when=WHEN).text
    assert text.splitlines()[3] == "BAK|00|AC|2XK7QP9M|20261127"


def test_a_005010_interchange_declares_the_repetition_separator_and_its_version(settings):
    with db.session_scope(settings) as session:
        organisation, partner = parties(session)
        text = build_interchange(session, organisation, partner, "SH", [BODY], version="005010", when=WHEN).text
    isa, gs = text.split("~")[:2]
    assert isa.split("*")[11:13] == ["^", "00501"]
    assert gs.split("*")[8] == "005010"


def test_the_profiles_repetition_separator_is_isa11_of_005010_only(settings):
    with db.session_scope(settings) as session:
        organisation, partner = parties(session, profile={"x12": {"repetition_separator": "!"}})
        later = build_interchange(session, organisation, partner, "SH", [BODY], version="005010", when=WHEN).text
        older = build_interchange(session, organisation, partner, "PR", [BODY], when=WHEN).text
    assert later.split("*")[11:13] == ["!", "00501"]
    assert older.split("*")[11:13] == ["U", "00401"]


def sent(settings, profile, document):
    """Send ``document`` to a partner of ``profile``: its text, message and tracked group."""
    with db.session_scope(settings) as session:
        _, partner = parties(session, profile=profile)
        queued = send_document(session, settings, partner, document, when=WHEN)
        message = session.get(Message, queued.message_id)
        group = session.scalars(select(X12Group).where(X12Group.message_id == message.id)).one()
        text = read_payload(settings, message).decode()
        return (text, message.document_type, message.po_number, message.filename, group.version,
                [(s.set_id, s.reference) for s in group.sets])


def test_a_ship_notice_goes_out_as_an_856_in_the_profiles_version(settings):
    text, set_id, po_number, filename, version, sets = sent(settings, {}, PALLETISED)
    assert (set_id, version, sets) == ("856", "005010", [("856", "SHP20261130A")])
    assert po_number is None, "an 856 of two POs names none of them on its message"
    assert filename == "856-SHP20261130A.edi"
    assert text.split("*")[11:13] == ["^", "00501"] and "GS*SH*ACMEBRANDS*AMAZON*" in text
    report = validate_interchange(text)
    assert report.is_valid, report.messages()


def test_a_004010_partner_gets_its_856_in_004010_and_a_one_po_856_names_its_po(settings):
    text, _, po_number, _, version, _ = sent(settings, {"ship_notice": {"version": "004010"}}, LOOSE)
    assert (version, po_number) == ("004010", "2XK7QP9M")
    assert text.split("*")[11:13] == ["U", "00401"] and "*X*004010~" in text
    assert validate_interchange(text).is_valid


def test_an_invoice_goes_out_as_an_810_in_004010_under_its_invoice_number_and_its_po(settings):
    text, set_id, po_number, filename, version, sets = sent(settings, {"ship_notice": {"version": "005010"}},
                                                           WITH_EXTRAS)
    assert (set_id, version, sets, po_number) == ("810", "004010", [("810", "INV-2611300001")], "2XK7QP9M")
    assert filename == "810-INV-2611300001.edi"
    assert text.split("*")[11:13] == ["U", "00401"] and "GS*IN*ACMEBRANDS*AMAZON*" in text
    report = validate_interchange(text)
    assert report.is_valid, report.messages()
    assert independent_errors(text.encode()) == []
