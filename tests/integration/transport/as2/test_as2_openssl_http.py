"""Interop over real HTTP: ``openssl cms`` plays Amazon against the running endpoint.

The protocol-level interop tests call ``gateway.transport.as2.receiver`` directly; these POST to
``/as2`` the way Amazon does (Message-ID without an @-domain, ``signed-receipt-micalg=
optional, sha256``, a binary enveloped body), so the web layer, the store and the partner
profile in the database all stand between openssl and our MDN.
"""
from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
from asn1crypto import cms
from sqlalchemy import select

from gateway.platform.db import session_scope
from gateway.models import Message
from gateway.platform.storage import read_body, read_payload
from tests.fixtures import AMAZON_FIXTURES
from tests.support.openssl_cms import OpenSSL, amazon_signature, multipart_signed

# Bare LFs: the payload must come out of the store exactly as openssl signed it.
ORDER = (AMAZON_FIXTURES / "850-single-po.edi").read_bytes()
ENTITY = (b"Content-Type: application/edi-x12\r\n"
          b'Content-Disposition: attachment; filename="850.edi"\r\n'
          b"Content-Transfer-Encoding: binary\r\n\r\n" + ORDER)
PROCESSED = b"Disposition: automatic-action/MDN-sent-automatically; processed\r\n"
AUTHENTICATION_FAILED = (b"Disposition: automatic-action/MDN-sent-automatically; "
                         b"processed/Error: authentication-failed\r\n")


@pytest.fixture
def openssl(tmp_path: Path) -> OpenSSL:
    folder = tmp_path / "openssl"
    folder.mkdir()
    return OpenSSL(folder)


def encrypted_to_us(openssl: OpenSSL, stack, signature: bytes) -> bytes:
    """``ENTITY`` signed with ``signature``, enveloped by openssl for our certificate (DER)."""
    return openssl.run("-encrypt", "-binary", "-aes-256-cbc", "-outform", "DER",
                       "-recip", openssl.write("gateway.crt", stack.amazon.gateway_certificate),
                       stdin=multipart_signed(ENTITY, signature))


def post_as_amazon(stack, message_id: str, body: bytes) -> httpx.Response:
    """POST ``body`` to ``/as2`` with the headers Amazon sends, asking for a signed sync MDN."""
    headers = {
        "AS2-Version": "1.1",
        "AS2-From": "AMAZON",
        "AS2-To": "ACMEBRANDS",
        "Message-ID": f"<{message_id}>",
        "Subject": "Purchase order",
        "Content-Type": 'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"',
        "Content-Transfer-Encoding": "binary",
        "Disposition-Notification-To": "edi@amazon.example",
        "Disposition-Notification-Options": "signed-receipt-protocol=optional, pkcs7-signature; "
                                            "signed-receipt-micalg=optional, sha256",
    }
    return httpx.post(f"{stack.url}/as2", content=body, headers=headers, timeout=30)


def mdn_report_verified_by_openssl(openssl: OpenSSL, stack, response: httpx.Response) -> bytes:
    """The signed report of the MDN in ``response``, as ``openssl cms -verify`` returns it.

    Our certificate is self-signed, so it is its own CA: ``-CAfile`` makes openssl check
    the chain too, not only the signature.
    """
    smime = f"Content-Type: {response.headers['Content-Type']}\r\n\r\n".encode() + response.content
    return openssl.run("-verify", "-inform", "SMIME",
                       "-CAfile", openssl.write("gateway.crt", stack.amazon.gateway_certificate),
                       stdin=smime)


def mic_openssl_signed(signature: bytes) -> str:
    """The MIC of the content as openssl hashed it: the message-digest signed attribute."""
    signer = cms.ContentInfo.load(signature)["content"]["signer_infos"][0]
    digest = next(attribute["values"][0].native for attribute in signer["signed_attrs"]
                  if attribute["type"].native == "message_digest")
    return base64.b64encode(digest).decode()


def stored(settings, message_id: str) -> Message:
    with session_scope(settings) as session:
        return session.scalars(select(Message).where(Message.transport_id == message_id)).one()


def test_an_850_signed_and_encrypted_by_openssl_is_stored_and_our_mdn_verifies_with_openssl(
        stack, openssl: OpenSSL):
    signature = amazon_signature(openssl, stack.amazon.key, ENTITY)
    body = encrypted_to_us(openssl, stack, signature)

    response = post_as_amazon(stack, "AMZN20261127PO1", body)

    assert response.status_code == 200, response.text
    message = stored(stack.settings, "AMZN20261127PO1")
    assert message.status == "accepted", message.error
    assert read_body(stack.settings, message) == body
    assert read_payload(stack.settings, message) == ORDER  # binary: bare LFs kept
    report = mdn_report_verified_by_openssl(openssl, stack, response)
    assert b"Original-Message-ID: <AMZN20261127PO1>\r\n" in report
    assert PROCESSED in report
    assert f"Received-content-MIC: {mic_openssl_signed(signature)}, sha-256\r\n".encode() in report


def test_a_tampered_signature_gets_a_negative_mdn_that_verifies_with_openssl(stack, openssl: OpenSSL):
    signature = amazon_signature(openssl, stack.amazon.key, ENTITY)
    # The RSA signature value ends the DER structure: flip one bit of it.
    tampered = signature[:-1] + bytes([signature[-1] ^ 0x01])
    body = encrypted_to_us(openssl, stack, tampered)

    response = post_as_amazon(stack, "AMZN20261127PO2", body)

    assert response.status_code == 200, response.text
    message = stored(stack.settings, "AMZN20261127PO2")
    assert message.status == "rejected"
    assert message.payload is None
    assert read_body(stack.settings, message) == body, "a rejected message's bytes are kept too"
    report = mdn_report_verified_by_openssl(openssl, stack, response)
    assert b"Original-Message-ID: <AMZN20261127PO2>\r\n" in report
    assert AUTHENTICATION_FAILED in report
    assert b"Received-content-MIC" not in report
