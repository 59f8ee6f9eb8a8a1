"""Interop with an independent CMS implementation: ``openssl cms`` plays the partner.

The MIME around openssl's CMS output is written by hand here, as another AS2 product
would write it, so that neither side of a test is pyas2lib checking itself.
"""

from __future__ import annotations

import dataclasses
import email
from pathlib import Path

import pytest

from gateway.transport.as2.protocol import InboundStatus, MdnStatus, build_message, check_mdn
from tests.support.openssl_cms import OpenSSL, amazon_signature, amazon_signs, mic_of, multipart_signed

from .conftest import AMAZON_ID, OUR_ID, PURCHASE_ORDER, Directory

ENTITY_HEADERS = (b"Content-Type: application/edi-x12\r\n"
                  b'Content-Disposition: attachment; filename="po.edi"\r\n')


@pytest.fixture
def openssl(tmp_path: Path) -> OpenSSL:
    return OpenSSL(tmp_path)


def amazon_headers(message_id: str, micalg: str = "sha256") -> dict[str, str]:
    """HTTP headers as Amazon sends them (AS2 1.1, Message-ID without a domain)."""
    return {
        "AS2-Version": "1.1",
        "AS2-From": AMAZON_ID,
        "AS2-To": OUR_ID,
        "Message-ID": f"<{message_id}>",
        "Subject": "Purchase order",
        "Content-Type": 'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"',
        "Content-Transfer-Encoding": "binary",
        "Disposition-Notification-To": "edi@amazon.example",
        "Disposition-Notification-Options": "signed-receipt-protocol=optional, pkcs7-signature; "
                                            f"signed-receipt-micalg=optional, {micalg}",
    }


@pytest.mark.parametrize("key_transport", ["pkcs1", "oaep"])
def test_a_message_from_openssl_is_received_and_our_mdn_verifies_with_openssl(
        key_transport, openssl: OpenSSL, amazon_key, our_key, gateway: Directory):
    entity = ENTITY_HEADERS + b"Content-Transfer-Encoding: binary\r\n\r\n" + PURCHASE_ORDER
    padding = [] if key_transport == "pkcs1" else ["-keyopt", "rsa_padding_mode:oaep"]
    enveloped = openssl.run(
        "-encrypt", "-binary", "-aes-256-cbc", "-outform", "DER",
        "-recip", openssl.write("gateway.crt", our_key.certificate_pem), *padding,
        stdin=amazon_signs(openssl, amazon_key, entity))

    result = gateway.receive(amazon_headers("AMZN20261127PO1"), enveloped)

    assert result.status is InboundStatus.PROCESSED, result.error
    assert result.payload == PURCHASE_ORDER  # bare LFs kept: binary transfer
    assert result.message_id == "AMZN20261127PO1"
    assert result.mic == mic_of(entity)
    assert result.mdn.signed

    smime = (f"Content-Type: {result.mdn.headers['Content-Type']}\r\n\r\n").encode() + result.mdn.body
    report = openssl.run("-verify", "-inform", "SMIME",
                         "-CAfile", openssl.write("gateway.crt", our_key.certificate_pem),
                         stdin=smime)
    assert b"Original-Message-ID: <AMZN20261127PO1>" in report
    assert b"Disposition: automatic-action/MDN-sent-automatically; processed\r\n" in report
    assert f"Received-content-MIC: {mic_of(entity)}, sha-256\r\n".encode() in report


def test_the_mic_and_the_mdn_signature_use_the_micalg_asked_for_not_the_signature_digest(
        openssl: OpenSSL, amazon_key, our_key, gateway: Directory):
    """RFC 4130 7.3.1: the sender says which algorithm its MIC is computed with, whatever
    it signed with; the first one of its list that we support counts."""
    entity = ENTITY_HEADERS + b"Content-Transfer-Encoding: binary\r\n\r\n" + PURCHASE_ORDER
    enveloped = openssl.run(
        "-encrypt", "-binary", "-aes-256-cbc", "-outform", "DER",
        "-recip", openssl.write("gateway.crt", our_key.certificate_pem),
        stdin=amazon_signs(openssl, amazon_key, entity))  # signed with sha256

    result = gateway.receive(amazon_headers("AMZN20261127PO5", micalg="md5, sha-1, sha-256"), enveloped)

    assert (result.mic, result.mic_algorithm) == (openssl.mic(entity, "sha1"), "sha1")
    assert "micalg=sha-1;" in result.mdn.headers["Content-Type"]
    smime = (f"Content-Type: {result.mdn.headers['Content-Type']}\r\n\r\n").encode() + result.mdn.body
    report = openssl.run("-verify", "-inform", "SMIME",
                         "-CAfile", openssl.write("gateway.crt", our_key.certificate_pem),
                         stdin=smime)
    assert f"Received-content-MIC: {openssl.mic(entity, 'sha1')}, sha-1\r\n".encode() in report


def test_our_negative_mdn_verifies_with_openssl(openssl: OpenSSL, our_key, gateway: Directory):
    result = gateway.receive(amazon_headers("AMZN20261127PO2"), b"not CMS at all")

    smime = (f"Content-Type: {result.mdn.headers['Content-Type']}\r\n\r\n").encode() + result.mdn.body
    report = openssl.run("-verify", "-inform", "SMIME",
                         "-CAfile", openssl.write("gateway.crt", our_key.certificate_pem),
                         stdin=smime)
    # pyas2lib reads the CMS structure before its decryption step starts.
    assert b"; processed/Error: unexpected-processing-error\r\n" in report


@pytest.mark.parametrize("canonicalize_as_binary", [False, True])
def test_bare_lf_content_signed_in_binary_mode_verifies_as_sent(
        canonicalize_as_binary, openssl: OpenSSL, amazon_key, our_key, us, amazon_partner):
    """The signature covers the bytes as sent, so they are what is verified first; pyas2lib
    alone (which rebuilds the part with CRLFs) needs the partner's canonicalize_as_binary."""
    # No Content-Transfer-Encoding: binary on the entity, yet signed over bare LFs.
    entity = ENTITY_HEADERS + b"\r\n" + PURCHASE_ORDER
    enveloped = openssl.run(
        "-encrypt", "-binary", "-aes-256-cbc", "-outform", "DER",
        "-recip", openssl.write("gateway.crt", our_key.certificate_pem),
        stdin=amazon_signs(openssl, amazon_key, entity))
    partner = dataclasses.replace(amazon_partner, canonicalize_as_binary=canonicalize_as_binary)

    result = Directory([us], [partner]).receive(amazon_headers("AMZN20261127PO3"), enveloped)

    assert result.disposition == "processed"
    assert result.mic == mic_of(entity)


def test_content_signed_in_canonical_form_but_sent_with_bare_lfs_verifies_in_canonical_form(
        openssl: OpenSSL, amazon_key, our_key, us, amazon_partner):
    """The bytes as sent do not verify here (a relay turned CRLFs into LFs after signing),
    so pyas2lib's canonical form of the part is tried next, and verifies."""
    canonical = ENTITY_HEADERS + b"\r\n" + PURCHASE_ORDER.replace(b"\n", b"\r\n")
    as_sent = ENTITY_HEADERS + b"\r\n" + PURCHASE_ORDER
    signed = multipart_signed(as_sent, amazon_signature(openssl, amazon_key, canonical))
    enveloped = openssl.run(
        "-encrypt", "-binary", "-aes-256-cbc", "-outform", "DER",
        "-recip", openssl.write("gateway.crt", our_key.certificate_pem), stdin=signed)

    result = Directory([us], [amazon_partner]).receive(amazon_headers("AMZN20261127PO4"), enveloped)

    assert result.disposition == "processed"
    assert result.mic == mic_of(canonical)


def test_openssl_decrypts_and_verifies_what_we_send(openssl: OpenSSL, us, amazon_partner,
                                                    amazon_key, our_key):
    sent = build_message(us, amazon_partner, PURCHASE_ORDER, "855.edi")
    assert sent.headers["Content-Transfer-Encoding"] == "binary"

    signed = openssl.run("-decrypt", "-inform", "DER",
                         "-recip", openssl.write("amazon.crt", amazon_key.certificate_pem),
                         *openssl.key_arguments(amazon_key, "amazon"), stdin=sent.body)
    # Text mode: pyas2lib signs the canonical (CRLF) form of a text entity.
    content = openssl.run("-verify", "-inform", "SMIME",
                          "-CAfile", openssl.write("gateway.crt", our_key.certificate_pem),
                          stdin=signed)

    entity = email.message_from_bytes(content)
    assert entity.get_content_type() == "application/edi-x12"
    assert entity.get_filename() == "855.edi"
    assert entity.get_payload(decode=True) == PURCHASE_ORDER.replace(b"\n", b"\r\n")
    assert sent.mic == mic_of(content)


@pytest.mark.parametrize("micalg", ["sha-256", "sha256", "SHA-256"])
def test_an_mdn_signed_by_openssl_is_checked(micalg, openssl: OpenSSL, us, amazon_partner, amazon_key):
    """Partners name the digest either way (RFC 5751 ``sha-256``, RFC 3851 style ``sha256``)."""
    sent = build_message(us, amazon_partner, PURCHASE_ORDER, "855.edi")

    def mdn_from_openssl(mic: str) -> tuple[dict[str, str], bytes]:
        report = (
            b'Content-Type: multipart/report; report-type=disposition-notification; '
            b'boundary="report"\r\n\r\n--report\r\nContent-Type: text/plain\r\n\r\n'
            b"Your message was received.\r\n--report\r\n"
            b"Content-Type: message/disposition-notification\r\n\r\n"
            b"Reporting-UA: Amazon AS2\r\nOriginal-Recipient: rfc822; AMAZON\r\n"
            b"Final-Recipient: rfc822; AMAZON\r\n"
            + f"Original-Message-ID: <{sent.message_id}>\r\n".encode()
            + b"Disposition: automatic-action/MDN-sent-automatically; processed\r\n"
            + f"Received-content-MIC: {mic}, {micalg}\r\n\r\n--report--\r\n".encode()
        )
        smime = openssl.run(
            "-sign", "-md", "sha256", "-outform", "SMIME", "-crlfeol",
            "-signer", openssl.write("amazon.crt", amazon_key.certificate_pem),
            *openssl.key_arguments(amazon_key, "amazon"), stdin=report)
        head, _, body = smime.partition(b"\r\n\r\n")
        head = head.replace(b'micalg="sha-256"', f"micalg={micalg}".encode())
        assert micalg.encode() in head
        message = email.message_from_bytes(head + b"\r\n\r\n")
        return {name: " ".join(value.split()) for name, value in message.items()}, body

    good_headers, good_body = mdn_from_openssl(sent.mic)
    bad_headers, bad_body = mdn_from_openssl(mic_of(b"something else"))

    good = check_mdn(us, amazon_partner, good_headers, good_body, sent.message_id, sent.mic)
    bad = check_mdn(us, amazon_partner, bad_headers, bad_body, sent.message_id, sent.mic)

    assert (good.status, good.signed, good.mic) == (MdnStatus.PROCESSED, True, sent.mic)
    assert bad.status is MdnStatus.INVALID and "MIC mismatch" in bad.error
