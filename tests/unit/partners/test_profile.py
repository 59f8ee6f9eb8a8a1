"""The typed partner profile: defaults, what a stored profile reads back as, and every
refusal at write time worded with the setting it is about."""
import json
from decimal import Decimal

import pytest

from edi_maps.documents import PaymentTerms

from gateway.partners.profile import (
    ACK_CODE_KEYS,
    DEFAULT_ACK_CODES,
    DeadlinePolicy,
    MdnMode,
    Profile,
    ProfileSettingError,
)
from gateway.transport.as2.protocol import ENCRYPTION_ALGORITHMS
from gateway.partners.profile import ENCRYPTION_ALGORITHMS as PROFILE_CIPHERS


def test_an_empty_profile_is_amazon_over_as2_with_the_guides_defaults():
    profile = Profile.from_json({})
    assert (profile.retailer, profile.transport) == ("amazon", "as2")
    assert profile.as2.mdn_mode is MdnMode.SYNC and profile.as2.sign and profile.as2.encrypt
    assert (profile.x12.element_separator, profile.x12.segment_terminator, profile.x12.usage_indicator) == ("*", "~", "P")
    assert profile.x12.ack_window_hours == 4.0
    assert profile.acknowledgement.window_hours == 24.0
    assert profile.acknowledgement.on_deadline is DeadlinePolicy.ACKNOWLEDGE
    assert profile.acknowledgement.ack_codes == DEFAULT_ACK_CODES
    assert profile.x12.repetition_separator == "^"
    assert (profile.ship_notice.version, profile.ship_notice.deadline_minutes) == ("005010", 30.0)
    assert profile.invoicing.automatic is False


def test_to_json_and_back_gives_the_same_profile_and_plain_json():
    profile = Profile().changed("acknowledgement", {"on_deadline": "alert", "warn_hours": [8, 1],
                                                    "ack_codes": {"rejected:ObsoleteProduct": "R3"}})
    stored = json.loads(json.dumps(profile.to_json()))
    assert stored["acknowledgement"]["on_deadline"] == "alert"
    assert stored["as2"]["mdn_mode"] == "sync"
    assert Profile.from_json(stored) == profile
    assert Profile.from_json(stored).acknowledgement.ack_codes["rejected:ObsoleteProduct"] == "R3"


def test_changing_one_section_keeps_the_others_and_the_rest_of_the_section():
    profile = Profile().changed("as2", {"url": "https://as2.example.com/as2"}).changed("as2", {"mdn_mode": "async"})
    assert profile.as2.url == "https://as2.example.com/as2" and profile.as2.mdn_mode is MdnMode.ASYNC
    assert profile.x12 == Profile().x12


def test_the_delimiters_stored_before_the_typed_profile_still_read():
    profile = Profile.from_json({"x12": {"delimiters": {"element": "|", "segment": "\n"}, "usage_indicator": "T"}})
    assert (profile.x12.element_separator, profile.x12.segment_terminator) == ("|", "\n")
    assert profile.x12.component_separator == ">" and profile.x12.usage_indicator == "T"


@pytest.mark.parametrize(("section", "changes", "words"), [
    ("as2", {"digest_algorithm": "md5"}, "as2.digest_algorithm must be one of"),
    ("as2", {"encryption_algorithm": "rc2-40-cbc"}, "as2.encryption_algorithm must be one of"),
    ("as2", {"mdn_mode": "later"}, "as2.mdn_mode must be one of none, sync, async"),
    ("as2", {"url": "ftp://example.com/"}, "as2.url must be an http"),
    ("as2", {"colour": "blue"}, "unknown as2 setting(s): colour"),
    ("x12", {"element_separator": "ab"}, "x12.element_separator must be one character"),
    ("x12", {"element_separator": "~"}, "x12 separators must differ"),
    ("x12", {"usage_indicator": "X"}, "x12.usage_indicator must be one of P, T"),
    ("x12", {"ack_window_hours": 0}, "x12.ack_window_hours must be more than 0"),
    ("x12", {"ack_window_hours": "soon"}, "x12.ack_window_hours must be a number of hours"),
    ("x12", {"repetition_separator": "^^"}, "x12.repetition_separator must be one character"),
    ("x12", {"repetition_separator": "U"}, "x12.repetition_separator must be one character, not a letter"),
    ("x12", {"repetition_separator": "\t"}, "x12.repetition_separator must be one printable character"),
    ("x12", {"repetition_separator": ""}, "x12.repetition_separator must be one printable character"),
    ("x12", {"repetition_separator": ">"}, "x12 separators must differ"),
    ("x12", {"component_separator": "^"}, "x12 separators must differ"),
    ("ship_notice", {"version": "004011"}, "ship_notice.version must be one of 005010, 004010, not '004011'"),
    ("ship_notice", {"version": 5010}, "ship_notice.version must be one of 005010, 004010"),
    ("ship_notice", {"deadline_minutes": 0}, "ship_notice.deadline_minutes must be more than 0"),
    ("ship_notice", {"deadline_minutes": "soon"}, "ship_notice.deadline_minutes must be a number of minutes"),
    ("ship_notice", {"format": "xml"}, "unknown ship_notice setting(s): format"),
    ("invoicing", {"automatic": "yes"}, "invoicing.automatic must be true or false"),
    ("invoicing", {"number_prefix": "inv-"}, "invoicing.number_prefix must be 0-10 characters of A-Z, 0-9 and -"),
    ("invoicing", {"number_prefix": "INVOICE-2026"}, "invoicing.number_prefix must be 0-10 characters"),
    ("invoicing", {"number_prefix": "INV/"}, "invoicing.number_prefix must be 0-10 characters"),
    ("invoicing", {"terms_net_days": 366}, "invoicing.terms_net_days must be a whole number of days from 0 to 365"),
    ("invoicing", {"terms_net_days": -1}, "invoicing.terms_net_days must be a whole number of days"),
    ("invoicing", {"terms_net_days": "60"}, "invoicing.terms_net_days must be a whole number of days"),
    ("invoicing", {"terms_net_days": True}, "invoicing.terms_net_days must be a whole number of days"),
    ("invoicing", {"terms_discount_percent": "2"}, "terms_discount_percent and terms_discount_days go together"),
    ("invoicing", {"terms_discount_days": 10}, "terms_discount_percent and terms_discount_days go together"),
    ("invoicing", {"terms_discount_percent": "101", "terms_discount_days": 10},
     "invoicing.terms_discount_percent must be from 0 to 100"),
    ("invoicing", {"terms_discount_percent": "-1", "terms_discount_days": 10},
     "invoicing.terms_discount_percent must be from 0 to 100"),
    ("invoicing", {"terms_discount_percent": "1.2345", "terms_discount_days": 10}, "with at most 3 decimals"),
    ("invoicing", {"terms_discount_percent": "two", "terms_discount_days": 10},
     "invoicing.terms_discount_percent must be a decimal number"),
    ("invoicing", {"terms_discount_percent": "NaN", "terms_discount_days": 10},
     "invoicing.terms_discount_percent must be from 0 to 100"),
    ("invoicing", {"terms_discount_percent": 1.5, "terms_discount_days": 10},
     "invoicing.terms_discount_percent must be a decimal number written as a string"),
    ("invoicing", {"terms_discount_percent": "2", "terms_discount_days": 400},
     "invoicing.terms_discount_days must be a whole number of days from 0 to 365"),
    ("invoicing", {"not_invoiced_days": 0}, "invoicing.not_invoiced_days must be more than 0"),
    ("invoicing", {"not_invoiced_days": "later"}, "invoicing.not_invoiced_days must be a number of days"),
    ("invoicing", {"currency": "usd"}, "invoicing.currency must be an ISO 4217 code of 3 capital letters"),
    ("invoicing", {"currency": "US$"}, "invoicing.currency must be an ISO 4217 code"),
    ("invoicing", {"tax": "none"}, "unknown invoicing setting(s): tax"),
    ("acknowledgement", {"on_deadline": "panic"}, "acknowledgement.on_deadline must be one of acknowledge, alert"),
    ("acknowledgement", {"holiday_country": "XX"}, "acknowledgement.holiday_country 'XX' is not a country code"),
    ("acknowledgement", {"margin_hours": 30}, "margin_hours (30) must be less than window_hours (24)"),
    ("acknowledgement", {"warn_hours": [6, -1]}, "acknowledgement.warn_hours must be more than 0"),
    ("acknowledgement", {"transit_days": 1.5}, "acknowledgement.transit_days must be a whole number"),
    ("acknowledgement", {"ack_codes": {"shipped": "IS"}}, "unknown outcome(s) shipped"),
    ("acknowledgement", {"ack_codes": {"accepted": "accept"}}, "ack_codes.accepted must be a two-character ACK01"),
])
def test_a_bad_value_is_refused_with_one_line_naming_the_setting(section, changes, words):
    with pytest.raises(ProfileSettingError) as raised:
        Profile().changed(section, changes)
    assert words in str(raised.value) and "\n" not in str(raised.value)


def test_the_ship_notice_section_is_stored_and_read_back():
    profile = Profile().changed("ship_notice", {"version": "004010", "deadline_minutes": "45"})
    assert (profile.ship_notice.version, profile.ship_notice.deadline_minutes) == ("004010", 45.0)
    stored = json.loads(json.dumps(profile.to_json()))
    assert stored["ship_notice"] == {"version": "004010", "deadline_minutes": 45.0}
    assert stored["x12"]["repetition_separator"] == "^"
    assert Profile.from_json(stored) == profile


def test_the_invoicing_section_defaults_to_manual_net_60_in_dollars():
    invoicing = Profile.from_json({}).invoicing
    assert (invoicing.automatic, invoicing.number_prefix, invoicing.currency) == (False, "INV-", "USD")
    assert (invoicing.terms_net_days, invoicing.terms_discount_percent, invoicing.terms_discount_days) == (60, None, None)
    assert invoicing.not_invoiced_days == 3.0
    assert invoicing.payment_terms() == PaymentTerms(60)


def test_the_invoicing_section_is_stored_and_read_back():
    profile = Profile().changed("invoicing", {
        "automatic": True, "number_prefix": "", "terms_net_days": 30, "terms_discount_percent": "1.50",
        "terms_discount_days": 10, "not_invoiced_days": "2.5", "currency": "CAD"})
    stored = json.loads(json.dumps(profile.to_json()))
    assert stored["invoicing"] == {"automatic": True, "number_prefix": "", "terms_net_days": 30,
                                   "terms_discount_percent": "1.5", "terms_discount_days": 10,
                                   "not_invoiced_days": 2.5, "currency": "CAD"}
    assert Profile.from_json(stored) == profile
    assert profile.invoicing.payment_terms() == PaymentTerms(30, Decimal("1.5"), 10)
    assert Profile().changed("invoicing", {"terms_discount_percent": 2, "terms_discount_days": 0}
                             ).invoicing.terms_discount_percent == "2"
    assert Profile().changed("invoicing", {"terms_discount_percent": "100", "terms_discount_days": 5}
                             ).invoicing.terms_discount_percent == "100"


def test_a_discount_is_taken_off_by_clearing_both_settings():
    discounted = Profile().changed("invoicing", {"terms_discount_percent": "2", "terms_discount_days": 10})
    plain = discounted.changed("invoicing", {"terms_discount_percent": None, "terms_discount_days": None})
    assert plain.invoicing.payment_terms() == PaymentTerms(60)


def test_a_stored_x12_section_without_a_repetition_separator_gets_one_its_separators_leave_free():
    assert Profile.from_json({"x12": {"element_separator": "|"}}).x12.repetition_separator == "^"
    assert Profile.from_json({"x12": {"component_separator": "^"}}).x12.repetition_separator == "{"
    legacy = Profile.from_json({"x12": {"delimiters": {"element": "|", "component": "^", "segment": "\n"}}})
    assert legacy.x12.repetition_separator == "{"
    assert Profile.from_json({"x12": {"repetition_separator": "!"}}).x12.repetition_separator == "!"


def test_unknown_sections_and_retailers_are_refused():
    with pytest.raises(ProfileSettingError, match="unknown profile section"):
        Profile.from_json({"edifact": {}})
    with pytest.raises(ProfileSettingError, match="retailer must be one of amazon"):
        Profile.from_json({"retailer": "walmart"})


def test_every_rejection_reason_may_have_its_own_code():
    assert "rejected:TemporarilyUnavailable" in ACK_CODE_KEYS and "accepted" in ACK_CODE_KEYS


def test_the_profile_offers_exactly_the_ciphers_the_as2_protocol_can_use():
    assert set(PROFILE_CIPHERS) == set(ENCRYPTION_ALGORITHMS)
