"""Outbound interchanges take their control numbers from the database and the partner's delimiters."""
import io
from datetime import datetime, timezone

from edi_maps.x12.reader import X12Reader
from gateway.platform import db
from gateway.exchange.envelopes import SetBody, build_interchange
from gateway.models import Organisation, TradingPartner

WHEN = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)
BODY = SetBody("855", [["BAK", "00", "AC", "2XK7QP9M", "20261127"], ["CTT", "0"]])


def parties(session, delimiters=None):
    organisation = Organisation(name="Acme", as2_id="ACMEBRANDS", x12_qualifier="ZZ", x12_id="ACMEBRANDS")
    profile = {"x12": {"delimiters": delimiters}} if delimiters else {}
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
