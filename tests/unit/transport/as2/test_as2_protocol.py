"""receive / build_message / check_mdn, pyas2lib on both ends, with real keys."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyas2lib  # the hook is installed by gateway.transport.as2, imported by conftest
from gateway.transport.as2.protocol import (
    InboundStatus,
    MdnMode,
    MdnStatus,
    OrganizationProfile,
    PartnerProfile,
    ProfileError,
    ReceiveLimits,
    build_message,
    check_mdn,
    mdn_original_message_id,
)
from gateway.transport.as2.protocol import (
    _pyas2lib_organization,
    _pyas2lib_partner,
    receipt_options,
    supported_digest,
)
from gateway.transport.as2.unwrap import decompress_cms
from pyas2lib.cms import compress_message
from pyas2lib.exceptions import AS2Exception, DecompressionError

from tests.support.openssl_cms import mic_of

from .conftest import AMAZON_ID, OUR_ID, PURCHASE_ORDER, Directory

# pyas2lib writes text payloads in canonical form (CRLF line ends) when it sends them.
RECEIVED_ORDER = PURCHASE_ORDER.replace(b"\n", b"\r\n")


def with_header(headers: dict[str, str], name: str, value: str | None) -> dict[str, str]:
    """A copy of ``headers`` with ``name`` (any case) replaced, or removed if value is None."""
    copy = {key: val for key, val in headers.items() if key.lower() != name.lower()}
    if value is not None:
        copy[name] = value
    return copy


# ----------------------------------------------------------------- round trips


def test_amazon_to_us_signed_encrypted_with_a_signed_sync_mdn(
        amazon, us_at_amazon, gateway: Directory, amazon_partner):
    sent = build_message(amazon, us_at_amazon, PURCHASE_ORDER, "po.edi")

    result = gateway.receive(sent.headers, sent.body)

    assert result.status is InboundStatus.PROCESSED
    assert result.disposition == "processed"
    assert result.payload == RECEIVED_ORDER
    assert (result.filename, result.content_type) == ("po.edi", "application/edi-x12")
    assert (result.message_id, result.as2_from, result.as2_to) == (sent.message_id, AMAZON_ID, OUR_ID)
    assert (result.signed, result.encrypted, result.compressed) == (True, True, False)
    assert (result.mic, result.mic_algorithm) == (sent.mic, "sha256")
    assert result.error is None
    assert result.mdn.mode is MdnMode.SYNC and result.mdn.url is None and result.mdn.signed
    assert gateway.duplicate_checks == [(sent.message_id, AMAZON_ID)]

    mdn = check_mdn(amazon, us_at_amazon, result.mdn.headers, result.mdn.body,
                    sent.message_id, sent.mic)
    assert mdn == dataclasses.replace(mdn, status=MdnStatus.PROCESSED, disposition="processed",
                                      original_message_id=sent.message_id, signed=True,
                                      mic=sent.mic, error=None)


def test_us_to_amazon_compressed_with_an_async_mdn(
        us, amazon_partner, amazon_gateway: Directory):
    partner = dataclasses.replace(amazon_partner, compress=True, mdn_mode=MdnMode.ASYNC)
    sent = build_message(us, partner, PURCHASE_ORDER, "855.edi")
    assert sent.mdn_mode is MdnMode.ASYNC

    result = amazon_gateway.receive(sent.headers, sent.body)

    assert result.status is InboundStatus.PROCESSED
    assert result.payload == RECEIVED_ORDER
    assert (result.signed, result.encrypted, result.compressed) == (True, True, True)
    assert result.mdn.mode is MdnMode.ASYNC
    assert result.mdn.url == us.mdn_url
    assert mdn_original_message_id(result.mdn.headers, result.mdn.body) == sent.message_id

    mdn = check_mdn(us, partner, result.mdn.headers, result.mdn.body, sent.message_id, sent.mic)
    assert mdn.status is MdnStatus.PROCESSED and mdn.mic == sent.mic


def test_no_mdn_when_none_is_requested(amazon, us_at_amazon, gateway: Directory):
    sent = build_message(amazon, dataclasses.replace(us_at_amazon, mdn_mode=MdnMode.NONE),
                         PURCHASE_ORDER, "po.edi")

    result = gateway.receive(sent.headers, sent.body)

    assert result.status is InboundStatus.PROCESSED and result.mdn is None


def test_an_unsigned_mdn_when_a_plain_one_is_requested(us, amazon_partner, amazon_gateway):
    partner = dataclasses.replace(amazon_partner, signed_mdn=False)
    sent = build_message(us, partner, PURCHASE_ORDER, "po.edi")

    result = amazon_gateway.receive(sent.headers, sent.body)

    assert not result.mdn.signed
    mdn = check_mdn(us, partner, result.mdn.headers, result.mdn.body, sent.message_id, sent.mic)
    assert mdn.status is MdnStatus.PROCESSED and not mdn.signed


@pytest.mark.parametrize("digest, encryption", [
    ("sha1", "des-ede3-cbc"), ("sha384", "aes-128-cbc"), ("sha512", "aes-192-cbc")])
def test_other_algorithms_partners_may_configure(digest, encryption, amazon, us_at_amazon,
                                                 us, amazon_partner):
    sender_view = dataclasses.replace(us_at_amazon, digest_algorithm=digest,
                                      encryption_algorithm=encryption)
    receiver_view = dataclasses.replace(amazon_partner, digest_algorithm=digest,
                                        encryption_algorithm=encryption)
    sent = build_message(amazon, sender_view, PURCHASE_ORDER, "po.edi")

    result = Directory([us], [receiver_view]).receive(sent.headers, sent.body)

    assert result.status is InboundStatus.PROCESSED
    assert result.mic_algorithm == digest
    mdn = check_mdn(amazon, sender_view, result.mdn.headers, result.mdn.body,
                    sent.message_id, sent.mic)
    assert mdn.status is MdnStatus.PROCESSED


def test_plain_messages_when_the_profile_asks_for_no_security(amazon, us_at_amazon, us,
                                                              amazon_partner):
    sender_view = dataclasses.replace(us_at_amazon, sign=False, encrypt=False)
    sent = build_message(amazon, sender_view, PURCHASE_ORDER, "po.edi")
    assert sent.mic is None  # pyas2lib computes a MIC only for what it signs

    result = Directory([us], [dataclasses.replace(amazon_partner, sign=False, encrypt=False)]
                       ).receive(sent.headers, sent.body)

    assert result.status is InboundStatus.PROCESSED
    assert (result.signed, result.encrypted) == (False, False)
    # RFC 4130 7.3.1: the MIC of a plain message is over its content, without headers.
    assert (result.mic, result.mic_algorithm) == (mic_of(sent.body), "sha256")
    assert f"Received-content-MIC: {mic_of(sent.body)}, sha-256\r\n".encode() in result.mdn.body


def test_the_mic_of_a_compressed_unsigned_message_covers_the_entity_decompressed(
        amazon, us_at_amazon, us, amazon_partner):
    """RFC 5402 section 4: over the uncompressed MIME entity, headers included."""
    sender_view = dataclasses.replace(us_at_amazon, sign=False, encrypt=False, compress=True)
    sent = build_message(amazon, sender_view, PURCHASE_ORDER, "po.edi")
    entity = decompress_cms(sent.body, 1024 * 1024)
    assert entity.startswith(b"Content-Type: application/edi-x12")

    result = Directory([us], [dataclasses.replace(amazon_partner, sign=False, encrypt=False)]
                       ).receive(sent.headers, sent.body)

    assert (result.compressed, result.mic) == (True, mic_of(entity))


# ------------------------------------------------------------ negative dispositions


def assert_negative(result, modifier: str, sender: OrganizationProfile,
                    sender_view: PartnerProfile, sent) -> None:
    """An error result whose MDN the sender can verify and read as a failure."""
    assert result.status is InboundStatus.ERROR
    assert result.disposition == f"processed/Error: {modifier}"
    assert result.payload is None and result.error
    mdn = check_mdn(sender, sender_view, result.mdn.headers, result.mdn.body,
                    sent.message_id, sent.mic)
    assert mdn.status is MdnStatus.FAILED, mdn
    assert mdn.disposition == f"processed/Error: {modifier}"


def test_unknown_partner_gets_a_signed_negative_mdn(stranger_key, us_at_amazon, gateway, us):
    stranger = OrganizationProfile("STRANGER", (stranger_key,))
    sent = build_message(stranger, us_at_amazon, PURCHASE_ORDER, "po.edi")

    result = gateway.receive(sent.headers, sent.body)

    assert result.mdn.signed
    assert_negative(result, "unknown-trading-partner", stranger,
                    PartnerProfile(OUR_ID, (us.keys[0].certificate_pem,)), sent)
    assert gateway.duplicate_checks == []


def test_bare_pyas2lib_raises_for_an_unknown_partner_asking_a_signed_mdn(
        stranger_key, us_at_amazon, us):
    """Why receive() looks partners up itself. If this stops raising, the wrap may go."""
    sent = build_message(OrganizationProfile("STRANGER", (stranger_key,)), us_at_amazon,
                         PURCHASE_ORDER, "po.edi")
    raw = b"".join(f"{k}: {v}\r\n".encode() for k, v in sent.headers.items()) + b"\r\n" + sent.body
    org = _pyas2lib_organization(us, 0)  # has a sign key, so the MDN is to be signed

    with pytest.raises(AttributeError):
        pyas2lib.Message().parse(raw, find_org_cb=lambda _: org, find_partner_cb=lambda _: None)


def test_unknown_recipient_gets_an_unsigned_negative_mdn(amazon, us_at_amazon, gateway):
    sender_view = dataclasses.replace(us_at_amazon, as2_id="SOMEONE-ELSE")
    sent = build_message(amazon, sender_view, PURCHASE_ORDER, "po.edi")

    result = gateway.receive(sent.headers, sent.body)

    assert not result.mdn.signed
    assert result.as2_to == "SOMEONE-ELSE"
    assert_negative(result, "unknown-trading-partner", amazon,
                    dataclasses.replace(sender_view, signed_mdn=False), sent)


def test_encrypted_to_the_wrong_certificate_is_decryption_failed(
        amazon, us_at_amazon, stranger_key, gateway):
    wrong = dataclasses.replace(us_at_amazon, certificates=(stranger_key.certificate_pem,))
    sent = build_message(amazon, wrong, PURCHASE_ORDER, "po.edi")

    result = gateway.receive(sent.headers, sent.body)

    assert_negative(result, "decryption-failed", amazon, us_at_amazon, sent)


def test_a_tampered_payload_is_authentication_failed(amazon, us_at_amazon, us, amazon_partner):
    sender_view = dataclasses.replace(us_at_amazon, encrypt=False)
    sent = build_message(amazon, sender_view, PURCHASE_ORDER, "po.edi")
    assert b"BEG*00*NE" in sent.body
    tampered = sent.body.replace(b"BEG*00*NE", b"BEG*00*RO")

    result = Directory([us], [dataclasses.replace(amazon_partner, encrypt=False)]).receive(
        sent.headers, tampered)

    assert_negative(result, "authentication-failed", amazon, sender_view, sent)


def test_signed_by_another_key_is_authentication_failed(stranger_key, us_at_amazon, gateway):
    impostor = OrganizationProfile(AMAZON_ID, (stranger_key,))
    sent = build_message(impostor, us_at_amazon, PURCHASE_ORDER, "po.edi")

    result = gateway.receive(sent.headers, sent.body)

    assert result.disposition == "processed/Error: authentication-failed"
    assert result.payload is None


@pytest.mark.parametrize("missing", ["sign", "encrypt"])
def test_unsigned_or_unencrypted_is_insufficient_message_security(
        missing, amazon, us_at_amazon, gateway):
    sender_view = dataclasses.replace(us_at_amazon, **{missing: False})
    sent = build_message(amazon, sender_view, PURCHASE_ORDER, "po.edi")

    result = gateway.receive(sent.headers, sent.body)

    assert_negative(result, "insufficient-message-security", amazon, sender_view, sent)


def test_corrupt_compressed_data_is_decompression_failed(amazon, us_at_amazon, us, amazon_partner):
    sender_view = dataclasses.replace(us_at_amazon, sign=False, encrypt=False, compress=True)
    sent = build_message(amazon, sender_view, PURCHASE_ORDER, "po.edi")
    corrupt = sent.body[:-40] + bytes(40)

    result = Directory([us], [dataclasses.replace(amazon_partner, sign=False, encrypt=False)]
                       ).receive(sent.headers, corrupt)

    assert_negative(result, "decompression-failed", amazon, sender_view, sent)


# --------------------------------------------------------------------- guard rails


def test_a_compression_bomb_inside_a_signed_envelope_is_refused(amazon, us_at_amazon, gateway):
    sender_view = dataclasses.replace(us_at_amazon, compress=True)
    bomb = b"~" * (4 * 1024 * 1024)
    sent = build_message(amazon, sender_view, bomb, "bomb.edi")
    assert len(sent.body) < 64 * 1024

    refused = gateway.receive(sent.headers, sent.body, ReceiveLimits(max_decompressed_bytes=1024 * 1024))
    accepted = gateway.receive(sent.headers, sent.body, ReceiveLimits(max_decompressed_bytes=5 * 1024 * 1024))

    assert_negative(refused, "decompression-failed", amazon, sender_view, sent)
    assert "exceeds the limit" in refused.error
    assert accepted.status is InboundStatus.PROCESSED and accepted.compressed


def test_decompression_stops_at_the_cap():
    content = compress_message(bytes(10 * 1024 * 1024))

    assert decompress_cms(content, 10 * 1024 * 1024) == bytes(10 * 1024 * 1024)
    with pytest.raises(DecompressionError, match="exceeds"):
        decompress_cms(content, 10 * 1024 * 1024 - 1)
    with pytest.raises(DecompressionError, match="truncated|decompression failed"):
        decompress_cms(compress_message(b"x" * 1000)[:-8], 10_000)


def test_a_body_over_the_limit_is_refused_before_parsing(amazon, us_at_amazon, gateway):
    sent = build_message(amazon, us_at_amazon, PURCHASE_ORDER, "po.edi")

    refused = gateway.receive(sent.headers, sent.body, ReceiveLimits(max_body_bytes=len(sent.body) - 1))
    accepted = gateway.receive(sent.headers, sent.body, ReceiveLimits(max_body_bytes=len(sent.body)))

    assert_negative(refused, "unexpected-processing-error", amazon, us_at_amazon, sent)
    assert "exceeds the limit" in refused.error
    assert accepted.status is InboundStatus.PROCESSED


# ------------------------------------------------------------ duplicates and retries


def test_a_message_id_seen_before_is_a_duplicate_and_not_processed_again(
        amazon, us_at_amazon, gateway):
    sent = build_message(amazon, us_at_amazon, PURCHASE_ORDER, "po.edi")
    first = gateway.receive(sent.headers, sent.body)

    again = gateway.receive(sent.headers, sent.body)

    assert first.status is InboundStatus.PROCESSED
    assert again.status is InboundStatus.DUPLICATE
    assert again.disposition == "processed/Warning: duplicate-document"
    assert again.payload is None and again.mdn.signed
    mdn = check_mdn(amazon, us_at_amazon, again.mdn.headers, again.mdn.body,
                    sent.message_id, sent.mic)
    assert mdn.status is MdnStatus.PROCESSED_WITH_WARNING
    assert mdn.disposition == "processed/Warning: duplicate-document"


def test_a_retry_keeps_the_message_id_and_the_mic(us, amazon_partner, amazon_gateway):
    first = build_message(us, amazon_partner, PURCHASE_ORDER, "855.edi")
    retry = build_message(us, amazon_partner, PURCHASE_ORDER, "855.edi",
                          message_id=first.message_id)

    assert retry.message_id == first.message_id
    assert retry.headers["Message-ID"] == f"<{first.message_id}>"
    assert retry.mic == first.mic and retry.body != first.body
    assert amazon_gateway.receive(first.headers, first.body).status is InboundStatus.PROCESSED
    assert amazon_gateway.receive(retry.headers, retry.body).status is InboundStatus.DUPLICATE


def test_a_message_id_without_a_domain_as_amazon_sends_them(amazon, us_at_amazon, gateway):
    sent = build_message(amazon, us_at_amazon, PURCHASE_ORDER, "po.edi",
                         message_id="<AMZN1f0c37d2b8a44e4bb7c1>")

    result = gateway.receive(with_header(sent.headers, "AS2-Version", "1.1"), sent.body)

    assert sent.headers["Message-ID"] == "<AMZN1f0c37d2b8a44e4bb7c1>"
    assert result.status is InboundStatus.PROCESSED
    assert result.message_id == "AMZN1f0c37d2b8a44e4bb7c1"
    assert gateway.duplicate_checks == [("AMZN1f0c37d2b8a44e4bb7c1", AMAZON_ID)]


@pytest.mark.parametrize("message_id", ["", "two words", "x" * 256, "a<b"])
def test_an_unusable_message_id_is_refused_when_building(message_id, us, amazon_partner):
    with pytest.raises(ValueError):
        build_message(us, amazon_partner, PURCHASE_ORDER, "855.edi", message_id=message_id)


# ------------------------------------------------------------------ MDN checking


@pytest.fixture
def processed_mdn(us, amazon_partner, amazon_gateway):
    sent = build_message(us, amazon_partner, PURCHASE_ORDER, "855.edi")
    result = amazon_gateway.receive(sent.headers, sent.body)
    return sent, result.mdn


def test_a_mic_other_than_the_stored_one_is_invalid(us, amazon_partner, processed_mdn):
    sent, mdn = processed_mdn
    other_mic = build_message(us, amazon_partner, b"ISA*other~", "x.edi").mic

    checked = check_mdn(us, amazon_partner, mdn.headers, mdn.body, sent.message_id, other_mic)

    assert checked.status is MdnStatus.INVALID
    assert "MIC mismatch" in checked.error


def test_a_processed_mdn_without_a_mic_is_invalid_when_we_stored_one(
        us, amazon, amazon_partner, us_at_amazon):
    # An unsigned MDN with its MIC line taken out; with and without a stored MIC.
    partner = dataclasses.replace(amazon_partner, sign=False, signed_mdn=False)
    sent = build_message(us, partner, PURCHASE_ORDER, "855.edi")
    amazon_side = Directory([amazon], [dataclasses.replace(us_at_amazon, sign=False)])
    mdn = amazon_side.receive(sent.headers, sent.body).mdn
    body = b"".join(line for line in mdn.body.splitlines(keepends=True)
                    if not line.startswith(b"Received-content-MIC:"))
    assert body != mdn.body

    without_stored = check_mdn(us, partner, mdn.headers, body, sent.message_id, None)
    with_stored = check_mdn(us, partner, mdn.headers, body, sent.message_id, "c3RvcmVk")

    assert without_stored.status is MdnStatus.PROCESSED and without_stored.mic is None
    assert with_stored.status is MdnStatus.INVALID


def test_a_tampered_mdn_is_invalid(us, amazon_partner, processed_mdn):
    sent, mdn = processed_mdn
    tampered = mdn.body.replace(b"has been received", b"has been RECEIVED")
    assert tampered != mdn.body

    checked = check_mdn(us, amazon_partner, mdn.headers, tampered, sent.message_id, sent.mic)

    assert checked.status is MdnStatus.INVALID


def test_an_mdn_signed_by_someone_else_is_invalid(us, amazon_partner, stranger_key, processed_mdn):
    sent, mdn = processed_mdn
    expecting_stranger = dataclasses.replace(amazon_partner,
                                             certificates=(stranger_key.certificate_pem,))

    checked = check_mdn(us, expecting_stranger, mdn.headers, mdn.body, sent.message_id, sent.mic)

    assert checked.status is MdnStatus.INVALID


def test_an_mdn_for_another_message_is_invalid(us, amazon_partner, processed_mdn):
    sent, mdn = processed_mdn

    checked = check_mdn(us, amazon_partner, mdn.headers, mdn.body, "another@id", sent.mic)

    assert checked.status is MdnStatus.INVALID
    assert checked.error == "original-message-not-found"


def test_an_unsigned_mdn_is_invalid_when_a_signed_one_was_asked(us, amazon_partner, amazon_gateway):
    sent = build_message(us, dataclasses.replace(amazon_partner, signed_mdn=False),
                         PURCHASE_ORDER, "855.edi")
    mdn = amazon_gateway.receive(sent.headers, sent.body).mdn

    checked = check_mdn(us, amazon_partner, mdn.headers, mdn.body, sent.message_id, sent.mic)

    assert checked.status is MdnStatus.INVALID


@pytest.mark.parametrize("body", [b"", b"garbage", PURCHASE_ORDER])
def test_something_that_is_not_an_mdn_is_invalid(body, us, amazon_partner):
    checked = check_mdn(us, amazon_partner, {"Content-Type": "text/plain"}, body, "id@x", None)

    assert checked.status is MdnStatus.INVALID
    assert mdn_original_message_id({"Content-Type": "text/plain"}, body) is None


def test_an_as2_message_is_not_taken_for_an_mdn(amazon, us_at_amazon):
    sent = build_message(amazon, dataclasses.replace(us_at_amazon, encrypt=False),
                         PURCHASE_ORDER, "po.edi")

    assert mdn_original_message_id(sent.headers, sent.body) is None


# ----------------------------------------------------------------------- rollover


def test_inbound_decryption_tries_both_of_our_keys(our_key, our_next_key, amazon,
                                                   us_at_amazon, amazon_partner):
    to_new = dataclasses.replace(us_at_amazon, certificates=(our_next_key.certificate_pem,))
    sent = build_message(amazon, to_new, PURCHASE_ORDER, "po.edi")
    old_only = OrganizationProfile(OUR_ID, (our_key,))
    both = OrganizationProfile(OUR_ID, (our_key, our_next_key))

    refused = Directory([old_only], [amazon_partner]).receive(sent.headers, sent.body)
    accepted = Directory([both], [amazon_partner]).receive(sent.headers, sent.body)

    assert refused.disposition == "processed/Error: decryption-failed"
    assert accepted.status is InboundStatus.PROCESSED
    # The MDN is signed with keys[0], the certificate the partner has had longest.
    mdn = check_mdn(amazon, us_at_amazon, accepted.mdn.headers, accepted.mdn.body,
                    sent.message_id, sent.mic)
    assert mdn.status is MdnStatus.PROCESSED


def test_signatures_from_either_partner_certificate_are_accepted(
        amazon_key, amazon_next_key, us_at_amazon, us, amazon_partner):
    renewed_amazon = OrganizationProfile(AMAZON_ID, (amazon_next_key,))
    sent = build_message(renewed_amazon, us_at_amazon, PURCHASE_ORDER, "po.edi")
    both = dataclasses.replace(amazon_partner, certificates=(amazon_key.certificate_pem,
                                                             amazon_next_key.certificate_pem))

    refused = Directory([us], [amazon_partner]).receive(sent.headers, sent.body)
    accepted = Directory([us], [both]).receive(sent.headers, sent.body)

    assert refused.disposition == "processed/Error: authentication-failed"
    assert accepted.status is InboundStatus.PROCESSED


def test_mdn_signatures_from_either_partner_certificate_are_accepted(
        amazon_key, amazon_next_key, us, amazon_partner):
    both = dataclasses.replace(amazon_partner, certificates=(amazon_key.certificate_pem,
                                                             amazon_next_key.certificate_pem))
    sent = build_message(us, both, PURCHASE_ORDER, "855.edi")
    renewed_amazon = Directory([OrganizationProfile(AMAZON_ID, (amazon_next_key, amazon_key))],
                               [PartnerProfile(OUR_ID, (us.keys[0].certificate_pem,))])
    mdn = renewed_amazon.receive(sent.headers, sent.body).mdn

    checked = check_mdn(us, both, mdn.headers, mdn.body, sent.message_id, sent.mic)

    assert checked.status is MdnStatus.PROCESSED


# ------------------------------------------- Disposition-Notification-Options


def test_micalg_before_protocol_gets_a_signed_mdn_instead_of_an_exception(
        amazon, us_at_amazon, gateway):
    sent = build_message(amazon, us_at_amazon, PURCHASE_ORDER, "po.edi")
    reordered = with_header(sent.headers, "Disposition-Notification-Options",
                            "signed-receipt-micalg=optional, sha256; "
                            "signed-receipt-protocol=required, pkcs7-signature")

    result = gateway.receive(reordered, sent.body)

    assert result.status is InboundStatus.PROCESSED and result.mdn.signed
    assert "micalg=sha-256" in result.mdn.headers["Content-Type"]
    mdn = check_mdn(amazon, us_at_amazon, result.mdn.headers, result.mdn.body,
                    sent.message_id, sent.mic)
    assert mdn.status is MdnStatus.PROCESSED


def test_bare_pyas2lib_raises_on_micalg_before_protocol(amazon, us_at_amazon, us, amazon_partner):
    """Why receive() rewrites the header. If this stops raising, the rewrite may go."""
    sent = build_message(amazon, us_at_amazon, PURCHASE_ORDER, "po.edi")
    headers = with_header(sent.headers, "Disposition-Notification-Options",
                          "signed-receipt-micalg=optional, sha256; "
                          "signed-receipt-protocol=required, pkcs7-signature")
    raw = b"".join(f"{k}: {v}\r\n".encode() for k, v in headers.items()) + b"\r\n" + sent.body

    with pytest.raises(AS2Exception):
        pyas2lib.Message().parse(raw, find_org_cb=lambda _: _pyas2lib_organization(us, 0),
                                 find_partner_cb=lambda _: _pyas2lib_partner(amazon_partner, 0))


@pytest.mark.parametrize("options, signed, digest", [
    ("signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha256",
     True, "sha256"),
    ("signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256",
     True, "sha256"),
    ("signed-receipt-micalg=required, SHA-384; signed-receipt-protocol=required, pkcs7-signature",
     True, "sha384"),
    ("signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha512, sha1",
     True, "sha512"),
    # The first one we support, in the sender's order of preference.
    ("signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, md2, sha1",
     True, "sha1"),
    ("signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, md5, sha-1",
     True, "sha1"),
    ("signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, md5",
     True, None),
    ("signed-receipt-protocol=optional, pkcs7-signature", True, None),
    ("signed-receipt-micalg=optional, sha256", False, "sha256"),
    ("signed-receipt-protocol=required, pgp-signature; signed-receipt-micalg=optional, sha1",
     False, "sha1"),
    ("nonsense", False, None),
    ("", False, None),
])
def test_the_receipt_options_are_read_in_any_order_and_either_spelling(options, signed, digest):
    assert receipt_options(options) == (signed, digest)


@pytest.mark.parametrize("micalg, digest", [
    ("sha1", "sha1"), ("sha-1", "sha1"), ("SHA-256", "sha256"), ("sha256", "sha256"),
    (" sha-224 ", "sha224"), ("sha-384", "sha384"), ("sha512", "sha512"), ("md5", None), ("", None)])
def test_micalg_names_are_read_as_rfc_5751_and_rfc_3851_write_them(micalg, digest):
    assert supported_digest(micalg) == digest


# ---------------------------------------------------------- never raises on input


@pytest.mark.parametrize("drop", ["AS2-From", "AS2-To", "Message-ID"])
def test_a_request_without_its_as2_headers_is_an_error_without_mdn(drop, amazon, us_at_amazon,
                                                                   gateway):
    sent = build_message(amazon, us_at_amazon, PURCHASE_ORDER, "po.edi")

    result = gateway.receive(with_header(sent.headers, drop, None), sent.body)

    assert result.status is InboundStatus.ERROR
    assert result.disposition == "processed/Error: unexpected-processing-error"
    assert drop in result.error and result.mdn is None


def test_a_header_list_with_injected_lines_is_read_safely(amazon, us_at_amazon, gateway):
    sent = build_message(amazon, us_at_amazon, PURCHASE_ORDER, "po.edi")
    pairs = list(with_header(sent.headers, "Subject", "x\r\nAS2-To: SOMEONE-ELSE").items())

    result = gateway.receive(pairs, sent.body)

    assert result.status is InboundStatus.PROCESSED and result.as2_to == OUR_ID


def test_a_broken_organisation_key_is_a_negative_result_not_an_exception(
        our_key, amazon, us_at_amazon, amazon_partner):
    broken = OrganizationProfile(OUR_ID, (dataclasses.replace(our_key, passphrase=b"wrong"),))
    sent = build_message(amazon, us_at_amazon, PURCHASE_ORDER, "po.edi")

    result = Directory([broken], [amazon_partner]).receive(sent.headers, sent.body)

    assert result.disposition == "processed/Error: unexpected-processing-error"
    assert "profile" in result.error and "wrong" not in result.error
    with pytest.raises(ProfileError):
        build_message(broken, amazon_partner, PURCHASE_ORDER, "855.edi")


@pytest.mark.parametrize("content_type", [
    "application/pkcs7-mime; smime-type=enveloped-data", "multipart/signed; boundary=x",
    "application/pkcs7-mime; smime-type=compressed-data", "application/edi-x12", ""])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=2000),
       options=st.sampled_from(["", "signed-receipt-protocol=required, pkcs7-signature; "
                                    "signed-receipt-micalg=optional, sha256", "=;,;="]))
def test_receive_never_raises_on_garbage(content_type, body, options, gateway):
    headers = {"Content-Type": content_type, "AS2-From": AMAZON_ID, "AS2-To": OUR_ID,
               "Message-ID": "<garbage@test>", "Disposition-Notification-To": "x",
               "Disposition-Notification-Options": options}

    result = gateway.receive(headers, body)

    assert result.status is InboundStatus.ERROR
    assert result.mdn is not None


def test_partner_profiles_refuse_unusable_settings(amazon_key):
    certificate = (amazon_key.certificate_pem,)
    with pytest.raises(ProfileError):
        PartnerProfile(AMAZON_ID, certificate, encryption_algorithm="rc2-cbc")
    with pytest.raises(ProfileError):
        PartnerProfile(AMAZON_ID, certificate, digest_algorithm="md5")
    with pytest.raises(ProfileError):
        PartnerProfile(AMAZON_ID, ())
    with pytest.raises(ValueError):
        PartnerProfile(AMAZON_ID, certificate, mdn_mode="sometimes")
    with pytest.raises(ProfileError):
        OrganizationProfile(OUR_ID, ())


def test_asking_for_an_async_mdn_needs_our_mdn_url(our_key, amazon_partner):
    without_url = OrganizationProfile(OUR_ID, (our_key,))

    with pytest.raises(ProfileError):
        build_message(without_url, dataclasses.replace(amazon_partner, mdn_mode="async"),
                      PURCHASE_ORDER, "855.edi")

