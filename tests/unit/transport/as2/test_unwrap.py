"""``unwrap`` against pyas2lib's own ``Message.parse``: same outcome on the same messages.

``gateway.transport.as2.unwrap`` repeats the steps of ``Message.parse`` without its costs (see its
docstring), so these tests parse messages both ways and require the same payload, signed
content (pyas2lib's MIC), flags and disposition, for every security combination a partner
profile can ask for.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyas2lib
import pyas2lib.as2
from gateway.transport.as2.protocol import ReceiveLimits, build_message
from gateway.transport.as2.protocol import (
    MDN_REQUEST_HEADERS,
    _pyas2lib_organization,
    _pyas2lib_partner,
    _raw_message,
    _verify_certificate,
)
from gateway.transport.as2.unwrap import Security, Unwrapped, _first_part, unwrap

from .conftest import PURCHASE_ORDER


def raw_of(sent) -> bytes:
    return _raw_message([(name, value) for name, value in sent.headers.items()
                         if name.lower() not in MDN_REQUEST_HEADERS], sent.body)


def by_unwrap(raw: bytes, us, partner) -> Unwrapped:
    return unwrap(raw, Security(
        decrypt_keys=[_pyas2lib_organization(us, index).decrypt_key for index in range(len(us.keys))],
        verify_certificates=[lambda index=index: _verify_certificate(partner, index)
                             for index in range(len(partner.certificates))],
        require_encryption=partner.encrypt, require_signature=partner.sign,
        canonicalize_as_binary=partner.canonicalize_as_binary,
        max_decompressed_bytes=ReceiveLimits().max_decompressed_bytes,
        max_unverified_decompressed_bytes=ReceiveLimits().max_unverified_decompressed_bytes))


def by_pyas2lib(raw: bytes, us, partner) -> dict[str, object]:
    message = pyas2lib.Message()
    status, (exception, _trace), _mdn = message.parse(
        raw, find_org_cb=lambda _: _pyas2lib_organization(us, 0),
        find_partner_cb=lambda _: _pyas2lib_partner(partner, 0))
    if exception is not None:
        return {"disposition": (status, exception.disposition_modifier)}
    return {"content": message.content, "filename": message.payload.get_filename(),
            "content_type": message.payload.get_content_type(),
            "mic": message.mic.decode() if message.mic else None,
            "mic_algorithm": message.digest_alg if message.mic else None,
            "flags": (message.signed, message.encrypted, message.compressed)}


def outcome(opened: Unwrapped) -> dict[str, object]:
    """As ``by_pyas2lib``: pyas2lib's MIC is that of the signed content, with the signature's digest."""
    if opened.error is not None:
        return {"disposition": (opened.error.disposition_type, opened.error.disposition_modifier)}
    mic = None
    if opened.signed_content is not None and opened.signature_digest is not None:
        mic = base64.b64encode(hashlib.new(opened.signature_digest, opened.signed_content).digest()).decode()
    return {"content": opened.content, "filename": opened.filename, "content_type": opened.content_type,
            "mic": mic, "mic_algorithm": opened.signature_digest,
            "flags": (opened.signed, opened.encrypted, opened.compressed)}


profiles = st.fixed_dictionaries({
    "sign": st.booleans(),
    "encrypt": st.booleans(),
    "compress": st.booleans(),
    "digest_algorithm": st.sampled_from(["sha1", "sha256", "sha384", "sha512"]),
    "encryption_algorithm": st.sampled_from(["aes-128-cbc", "aes-256-cbc", "des-ede3-cbc"]),
    "canonicalize_as_binary": st.booleans(),
})
payloads = st.one_of(
    st.just(PURCHASE_ORDER),
    st.binary(min_size=1, max_size=2000),
    st.text(alphabet="AZ09*~>^:\r\n \t", min_size=1, max_size=500).map(str.encode),
)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profile=profiles, payload=payloads,
       content_type=st.sampled_from(["application/edi-x12", "application/edi-consent", "text/plain"]))
def test_unwrap_and_pyas2lib_agree_on_what_partners_send(profile, payload, content_type, amazon, us_at_amazon,
                                                          us, amazon_partner):
    sent = build_message(amazon, dataclasses.replace(us_at_amazon, **profile), payload, "po.edi",
                         content_type=content_type)
    partner = dataclasses.replace(amazon_partner, **profile)
    raw = raw_of(sent)

    opened = by_unwrap(raw, us, partner)

    assert opened.error is None, opened.error
    assert outcome(opened) == by_pyas2lib(raw, us, partner)


@pytest.mark.parametrize("sent_with, expected_with, modifier", [
    ({"sign": False}, {}, "insufficient-message-security"),
    ({"encrypt": False}, {}, "insufficient-message-security"),
    ({"sign": False, "encrypt": False}, {"sign": True, "encrypt": False}, "insufficient-message-security"),
])
def test_unwrap_and_pyas2lib_refuse_alike_what_is_less_secure_than_agreed(
        sent_with, expected_with, modifier, amazon, us_at_amazon, us, amazon_partner):
    sent = build_message(amazon, dataclasses.replace(us_at_amazon, **sent_with), PURCHASE_ORDER, "po.edi")
    partner = dataclasses.replace(amazon_partner, **expected_with)
    raw = raw_of(sent)

    assert outcome(by_unwrap(raw, us, partner)) == by_pyas2lib(raw, us, partner) == {
        "disposition": ("processed/Error", modifier)}


def test_unwrap_and_pyas2lib_refuse_alike_a_message_for_another_key(
        amazon, us_at_amazon, us, amazon_partner, stranger_key):
    sent = build_message(amazon, dataclasses.replace(us_at_amazon, certificates=(stranger_key.certificate_pem,)),
                         PURCHASE_ORDER, "po.edi")
    raw = raw_of(sent)

    assert outcome(by_unwrap(raw, us, amazon_partner)) == by_pyas2lib(raw, us, amazon_partner) == {
        "disposition": ("processed/Error", "decryption-failed")}


def test_unwrap_and_pyas2lib_refuse_alike_a_signature_by_someone_else(
        amazon, us_at_amazon, us, amazon_partner, stranger_key):
    impostor = dataclasses.replace(amazon, keys=(stranger_key,))
    raw = raw_of(build_message(impostor, us_at_amazon, PURCHASE_ORDER, "po.edi"))

    assert outcome(by_unwrap(raw, us, amazon_partner)) == by_pyas2lib(raw, us, amazon_partner) == {
        "disposition": ("processed/Error", "authentication-failed")}


def test_pyas2lib_parse_still_serialises_messages_for_debug_logs_nobody_reads(
        monkeypatch, amazon, us_at_amazon, us, amazon_partner):
    """The first reason ``unwrap`` exists. If pyas2lib stops doing this, measure again
    (bench/as2_bench.py): ``Message.parse`` might then be fast enough to call as it is."""
    assert not logging.getLogger("pyas2lib").isEnabledFor(logging.DEBUG)
    calls = []
    real = pyas2lib.as2.mime_to_bytes
    monkeypatch.setattr(pyas2lib.as2, "mime_to_bytes", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    raw = raw_of(build_message(amazon, us_at_amazon, PURCHASE_ORDER, "po.edi"))

    by_pyas2lib(raw, us, amazon_partner)
    del calls[:]  # the first parse may be the one that loads things
    by_pyas2lib(raw, us, amazon_partner)

    assert len(calls) == 2  # "Decrypting message ..." and "Verifying signed message ..."


@pytest.mark.parametrize("entity, expected", [
    (b"--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n--B\r\nsig\r\n--B--\r\n", b"Content-Type: text/plain\r\n\r\nbody"),
    (b"--B\nContent-Type: text/plain\n\nbody\n--B\nsig\n--B--\n", b"Content-Type: text/plain\n\nbody"),
    (b"preamble mentions --B here\r\n--B\r\npart\r\n--B--\r\n", b"part"),
    (b"Content-Type: multipart/signed; boundary=B\r\n\r\n--B\r\n\r\n--B--\r\n", b""),
    (b"--B\r\nno closing delimiter", None),
    (b"no delimiter at all", None),
])
def test_the_first_part_is_cut_from_the_bytes_as_sent(entity, expected):
    assert _first_part(entity, "B") == expected
    assert _first_part(entity, None) is None
