"""``build_message`` writes what pyas2lib's ``Message.build`` writes, and pyas2lib reads it.

The gateway writes its outbound MIME itself (see the docstring of
``gateway.transport.as2.protocol``); pyas2lib's own builder and parser are the reference.
"""

from __future__ import annotations

import dataclasses
import email.utils
import itertools
from datetime import datetime, timedelta, timezone

import pytest
from asn1crypto import cms

from gateway.partners.certificates import OrganizationKey
from gateway.transport.as2.protocol import (
    DIGEST_ALGORITHMS,
    ENCRYPTION_ALGORITHMS,
    MdnMode,
    OrganizationProfile,
    PartnerProfile,
    ProfileError,
    build_message,
)
from tests.support import pyas2lib_as2

from .conftest import PURCHASE_ORDER

SECURITY = [dict(sign=sign, encrypt=encrypt, compress=compress)
            for sign, encrypt, compress in itertools.product((True, False), repeat=3)]
PAYLOADS = {
    "bare LFs": PURCHASE_ORDER,
    "CRLFs and a lone CR": b"ISA*00~\r\nGS*PR~\rST*855*0001~\r\nSE*2*0001~",
    "one line": PURCHASE_ORDER.replace(b"\n", b""),
    "8-bit text": "ISA*00~\nN1*ST*Bäckerei Müller~\n".encode("utf-8"),
}

# The content-encryption algorithms' object identifiers (RFC 3565 for AES, RFC 3370 for 3DES).
CIPHER_OIDS = {"aes-128-cbc": "2.16.840.1.101.3.4.1.2", "aes-192-cbc": "2.16.840.1.101.3.4.1.22",
               "aes-256-cbc": "2.16.840.1.101.3.4.1.42", "des-ede3-cbc": "1.2.840.113549.3.7"}


def _name(security: dict[str, bool]) -> str:
    return "-".join(name for name, on in security.items() if on) or "plain"


@pytest.mark.parametrize("security", SECURITY, ids=_name)
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_pyas2lib_reads_what_we_build_and_computes_our_mic(security, payload, us, amazon_partner, amazon,
                                                           us_at_amazon):
    partner = dataclasses.replace(amazon_partner, **security)

    sent = build_message(us, partner, payload, "855-T8MDR6PB.edi")
    received = pyas2lib_as2.parse(amazon, dataclasses.replace(us_at_amazon, **security), sent.headers, sent.body)

    assert (received.signed, received.encrypted, received.compressed) == (
        security["sign"], security["encrypt"], security["compress"])
    assert received.payload.get_filename() == "855-T8MDR6PB.edi"
    data = received.payload.get_payload(decode=True)
    assert data.replace(b"\r\n", b"\n").replace(b"\r", b"\n") == payload.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if security["sign"]:
        assert received.mic.decode() == sent.mic
    else:
        assert sent.mic is None and sent.mic_algorithm is None


@pytest.mark.parametrize("digest", DIGEST_ALGORITHMS)
@pytest.mark.parametrize("encryption", ENCRYPTION_ALGORITHMS)
def test_every_digest_and_cipher_of_a_profile_reads_back_in_pyas2lib(digest, encryption, us, amazon_partner, amazon,
                                                                     us_at_amazon):
    profile = dict(digest_algorithm=digest, encryption_algorithm=encryption)

    sent = build_message(us, dataclasses.replace(amazon_partner, **profile), PURCHASE_ORDER, "855.edi")
    received = pyas2lib_as2.parse(amazon, dataclasses.replace(us_at_amazon, **profile), sent.headers, sent.body)

    assert received.digest_alg == digest and received.encrypted
    envelope = cms.ContentInfo.load(sent.body)["content"]["encrypted_content_info"]
    assert envelope["content_encryption_algorithm"]["algorithm"].dotted == CIPHER_OIDS[encryption]
    assert received.mic.decode() == sent.mic and sent.mic_algorithm == digest
    assert f"signed-receipt-micalg=optional, {digest}" in sent.headers["disposition-notification-options"]


def _comparable(headers: dict[str, str]) -> dict[str, str]:
    """Headers without what differs between any two builds: the Message-ID, the date and the boundary."""
    kept = {name: value for name, value in headers.items() if name not in ("Message-ID", "Date")}
    if "boundary=" in kept.get("Content-Type", ""):
        kept["Content-Type"] = kept["Content-Type"].split("; boundary=")[0]
    return kept


@pytest.mark.parametrize("security", SECURITY, ids=_name)
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize("mdn", [MdnMode.SYNC, MdnMode.ASYNC, MdnMode.NONE])
def test_the_headers_and_the_mic_are_pyas2libs(mdn, security, payload, us, amazon_partner):
    partner = dataclasses.replace(amazon_partner, mdn_mode=mdn, **security)

    ours = build_message(us, partner, payload, "855.edi")
    reference = pyas2lib_as2.build_message(us, partner, payload, "855.edi")

    assert list(_comparable(ours.headers).items()) == list(_comparable(reference.headers).items())
    assert ours.mic == reference.mic  # the same entity was signed, byte for byte
    sent_at = email.utils.parsedate_to_datetime(ours.headers["Date"])
    assert abs(sent_at - datetime.now(timezone.utc)) < timedelta(minutes=1)
    if not security["encrypt"] and not security["sign"] and not security["compress"]:
        assert ours.body == reference.body == payload  # sent as it is


def test_a_signing_key_that_cannot_be_opened_is_a_profile_error(us, amazon_partner, our_key: OrganizationKey):
    locked = OrganizationProfile(us.as2_id, (dataclasses.replace(our_key, passphrase=b"not the passphrase"),))

    with pytest.raises(ProfileError, match="cannot be opened"):
        build_message(locked, amazon_partner, PURCHASE_ORDER, "855.edi")
    with pytest.raises(ProfileError):  # pyas2lib's signer, for SHA-1
        build_message(locked, dataclasses.replace(amazon_partner, digest_algorithm="sha1"), PURCHASE_ORDER, "855.edi")


def test_an_async_mdn_without_our_mdn_url_is_a_profile_error(us, amazon_partner):
    with pytest.raises(ProfileError, match="MDN URL"):
        build_message(dataclasses.replace(us, mdn_url=None), dataclasses.replace(amazon_partner, mdn_mode=MdnMode.ASYNC),
                      PURCHASE_ORDER, "855.edi")


def test_a_certificate_we_cannot_load_is_a_profile_error(us, amazon_partner: PartnerProfile):
    broken = dataclasses.replace(amazon_partner, certificates=(b"-----BEGIN CERTIFICATE-----\nnot one\n"
                                                               b"-----END CERTIFICATE-----\n",))

    with pytest.raises(ProfileError):
        build_message(us, broken, PURCHASE_ORDER, "855.edi")


def test_a_new_message_id_is_on_our_domain_and_at_most_255_characters(us, amazon_partner):
    sent = build_message(dataclasses.replace(us, message_id_domain="edi.brand.example"), amazon_partner,
                         PURCHASE_ORDER, "855.edi")

    assert sent.message_id.endswith("@edi.brand.example") and sent.headers["Message-ID"] == f"<{sent.message_id}>"
    with pytest.raises(ValueError, match="not a usable Message-ID"):  # as pyas2lib refuses one, for other AS2 servers
        build_message(dataclasses.replace(us, message_id_domain="d" * 250 + ".example"), amazon_partner,
                      PURCHASE_ORDER, "855.edi")
