"""The MDNs we write, cell by cell: ``openssl cms`` plays an Amazon-side sender over HTTP.

Every combination of the message's security (plain, encrypted only, signed only, signed
and encrypted), of the MDN asked for (signed, sync or async) and of the micalg asked for
(``sha-256`` as RFC 5751 writes it, ``sha1`` for older partners, ``sha256`` as Amazon
writes it) is sent to a running gateway. For each, openssl verifies the MDN's signature,
and the Received-content-MIC must be the one the sender computes itself with ``openssl
dgst`` over the bytes RFC 4130 section 7.3.1 names: the signed entity of a signed
message, the entity it encrypted for an encrypted-only one, the body of a plain one.

One gateway serves the whole module (each cell is a new Message-ID), on SQLite: what is
tested is the AS2 answer, not the database; ``test_as2_openssl_http.py`` covers both.
"""
from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gateway.models import Message, TradingPartner
from gateway.partners.registry import update_profile
from gateway.platform.db import session_scope
from gateway.transport.as2.protocol import MICALG_NAMES
from gateway.transport.as2.receiver import send_async_mdn
from tests.fixtures import AMAZON_FIXTURES
from tests.integration.conftest import Stack, running_stack
from tests.support.openssl_cms import OpenSSL, amazon_signature, multipart_signed

ORDER = (AMAZON_FIXTURES / "850-single-po.edi").read_bytes()  # bare LFs, sent as binary
ENTITY_HEADERS = {"Content-Type": "application/edi-x12",
                  "Content-Disposition": 'attachment; filename="850.edi"',
                  "Content-Transfer-Encoding": "binary"}
ENTITY = "".join(f"{name}: {value}\r\n" for name, value in ENTITY_HEADERS.items()).encode() + b"\r\n" + ORDER
ENVELOPED = 'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"'
# The micalg as the sender writes it, and the digest openssl signs and hashes with.
MICALGS = {"sha-256": "sha256", "sha1": "sha1", "sha256": "sha256"}


@dataclass(frozen=True)
class Sent:
    headers: dict[str, str]
    body: bytes
    mic: str  # as the sender computes it
    digest: str


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory):
    """A running gateway that takes plain, signed and encrypted messages from Amazon
    (its profile asks for neither, so nothing is refused as insufficiently secure)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with running_stack(tmp_path_factory.mktemp("matrix"), port) as stack:
        with session_scope(stack.settings) as session:
            amazon = session.scalars(select(TradingPartner).where(TradingPartner.as2_id == "AMAZON")).one()
            update_profile(amazon, "as2", {"sign": False, "encrypt": False})
        yield stack


@pytest.fixture(scope="module")
def openssl(tmp_path_factory: pytest.TempPathFactory) -> OpenSSL:
    return OpenSSL(tmp_path_factory.mktemp("openssl"))


def amazon_sends(openssl: OpenSSL, gateway: Stack, *, signed: bool, encrypted: bool, micalg: str,
                 mdn_url: str | None) -> Sent:
    """A message as an Amazon-side AS2 product writes it with openssl, and its MIC."""
    digest = MICALGS[micalg]
    headers, body, mic_content = dict(ENTITY_HEADERS), ORDER, ORDER  # plain: the body, no headers
    if signed:
        signature = amazon_signature(openssl, gateway.amazon.key, ENTITY, digest)
        content_type, _, body = multipart_signed(ENTITY, signature, micalg).partition(b"\r\n\r\n")
        headers = {"Content-Type": content_type.decode().removeprefix("Content-Type: ")}
        mic_content = ENTITY  # the signed entity
    if encrypted:
        inner = ENTITY if not signed else b"Content-Type: " + headers["Content-Type"].encode() + b"\r\n\r\n" + body
        body = openssl.run("-encrypt", "-binary", "-aes-256-cbc", "-outform", "DER",
                           "-recip", openssl.write("gateway.crt", gateway.amazon.gateway_certificate),
                           stdin=inner)
        headers = {"Content-Type": ENVELOPED, "Content-Transfer-Encoding": "binary"}
        mic_content = ENTITY  # signed: the signed entity; not signed: the entity encrypted
    headers.update({
        "AS2-Version": "1.1",
        "AS2-From": "AMAZON",
        "AS2-To": "ACMEBRANDS",
        "Message-ID": f"<AMZN{uuid.uuid4().hex}>",
        "Disposition-Notification-To": "edi@amazon.example",
        "Disposition-Notification-Options": "signed-receipt-protocol=optional, pkcs7-signature; "
                                            f"signed-receipt-micalg=optional, {micalg}",
    })
    if mdn_url is not None:
        headers["Receipt-Delivery-Option"] = mdn_url
    return Sent(headers, body, openssl.mic(mic_content, digest), digest)


def mdn_for(gateway: Stack, sent: Sent, response: httpx.Response) -> tuple[str, bytes]:
    """The MDN's Content-Type and body: the HTTP answer's, or for an async MDN what the
    gateway POSTs to the URL the sender named, sent as the worker's task sends it."""
    assert response.status_code == 200, response.text
    if "Receipt-Delivery-Option" not in sent.headers:
        return response.headers["Content-Type"], response.content
    message_id = sent.headers["Message-ID"].strip("<>")
    with session_scope(gateway.settings) as session:
        stored = session.scalars(select(Message).where(Message.transport_id == message_id)).one()
    send_async_mdn(gateway.settings, stored.id)
    headers, body = next((dict(headers), body) for headers, body in reversed(gateway.amazon.mdns)
                         if f"<{message_id}>".encode() in body)
    return headers["Content-Type"], body


@pytest.mark.parametrize("micalg", MICALGS)
@pytest.mark.parametrize("mdn_mode", ["sync", "async"])
@pytest.mark.parametrize("signed, encrypted", [(False, False), (False, True), (True, False), (True, True)],
                         ids=["plain", "encrypted", "signed", "signed+encrypted"])
def test_our_signed_mdn_verifies_with_openssl_and_returns_the_senders_mic(
        signed: bool, encrypted: bool, mdn_mode: str, micalg: str, gateway: Stack, openssl: OpenSSL):
    sent = amazon_sends(openssl, gateway, signed=signed, encrypted=encrypted, micalg=micalg,
                        mdn_url=f"{gateway.amazon_url}/mdn" if mdn_mode == "async" else None)

    response = httpx.post(f"{gateway.url}/as2", content=sent.body, headers=sent.headers, timeout=30)
    content_type, body = mdn_for(gateway, sent, response)

    assert f"micalg={MICALG_NAMES[sent.digest]};" in content_type  # sha-256, sha-1: RFC 5751
    report = openssl.run("-verify", "-inform", "SMIME",
                         "-CAfile", openssl.write("gateway.crt", gateway.amazon.gateway_certificate),
                         stdin=f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    assert f"Original-Message-ID: {sent.headers['Message-ID']}\r\n".encode() in report
    assert b"Disposition: automatic-action/MDN-sent-automatically; processed\r\n" in report
    assert f"Received-content-MIC: {sent.mic}, {MICALG_NAMES[sent.digest]}\r\n".encode() in report
