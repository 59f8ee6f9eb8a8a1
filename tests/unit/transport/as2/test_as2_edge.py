"""The AS2 edge's pure decisions: where an async MDN may go, what is decided before
decompression, when duplicates are looked up, which headers are never kept."""

from __future__ import annotations

import dataclasses

import pytest
from oscrypto.asymmetric import load_certificate
from pyas2lib.cms import compress_message, encrypt_message

from gateway.partners.profile import As2Settings, Profile, ProfileSettingError
from gateway.transport.as2 import unwrap
from gateway.transport.as2.protocol import (
    InboundStatus,
    OrganizationProfile,
    ReceiveLimits,
    async_mdn_url_refusal,
    build_message,
    redacted_headers,
)

from .conftest import AMAZON_ID, OUR_ID, PURCHASE_ORDER, Directory

PUBLIC = {"as2.amazon.example": ["52.94.236.248"], "mdn.amazon.example": ["2600:9000::1"],
          "metadata.example": ["169.254.169.254"], "inside.example": ["10.0.0.7"],
          "mixed.example": ["52.94.236.249", "127.0.0.1"], "localhost": ["127.0.0.1", "::1"],
          "127.0.0.1": ["127.0.0.1"]}


def resolve(host: str) -> list[str]:
    return PUBLIC[host]


@pytest.fixture
def partner() -> As2Settings:
    return As2Settings(url="https://as2.amazon.example/as2", mdn_hosts=("mdn.amazon.example",))


@pytest.mark.parametrize("url", [
    "https://as2.amazon.example/mdn",
    "http://AS2.amazon.example.:8080/mdn",
    "https://mdn.amazon.example/as2/mdn",
])
def test_an_async_mdn_may_go_to_the_partners_own_hosts(partner, url):
    assert async_mdn_url_refusal(url, partner, resolve) is None


@pytest.mark.parametrize("url, reason", [
    ("file:///etc/passwd", "scheme"),
    ("gopher://as2.amazon.example/", "scheme"),
    ("as2.amazon.example/mdn", "scheme"),
    ("https://evil.example/mdn", "not the partner's AS2 host"),
    ("http://127.0.0.1:9000/internal", "not the partner's AS2 host"),
    ("http://as2.amazon.example@127.0.0.1/", "user name or password"),
    ("http://user:pw@as2.amazon.example/", "user name or password"),
    ("http://as2.amazon.example:port/", "not a usable URL"),
    ("", "scheme"),
])
def test_an_async_mdn_url_outside_the_profile_is_refused(partner, url, reason):
    assert reason in async_mdn_url_refusal(url, partner, resolve)


@pytest.mark.parametrize("host", ["metadata.example", "inside.example", "mixed.example", "localhost"])
def test_a_configured_host_that_resolves_to_a_private_address_is_refused_unless_allowed(partner, host):
    configured = dataclasses.replace(partner, mdn_hosts=(host,))
    assert "non-public address" in async_mdn_url_refusal(f"http://{host}/mdn", configured, resolve)
    allowed = dataclasses.replace(configured, allow_private_mdn_addresses=True)
    assert async_mdn_url_refusal(f"http://{host}/mdn", allowed, resolve) is None


def test_no_async_mdn_for_an_unknown_sender_or_a_host_without_addresses(partner):
    assert "not a known" in async_mdn_url_refusal("https://as2.amazon.example/mdn", None, resolve)
    assert "no address" in async_mdn_url_refusal("https://as2.amazon.example/mdn", partner, lambda _host: [])


def test_mdn_hosts_are_checked_when_the_profile_is_written():
    profile = Profile.from_json({"as2": {"mdn_hosts": ["MDN.Amazon.example."]}})
    assert profile.as2.mdn_hosts == ("mdn.amazon.example",)
    assert Profile.from_json(profile.to_json()) == profile
    for bad in (["https://mdn.amazon.example"], ["mdn.amazon.example/path"], "mdn.amazon.example", [7]):
        with pytest.raises(ProfileSettingError, match="as2.mdn_hosts"):
            Profile.from_json({"as2": {"mdn_hosts": bad}})
    assert Profile().as2.allow_private_mdn_addresses is False


def test_credentials_are_redacted_whatever_their_case():
    headers = [("Authorization", "Basic c2VjcmV0"), ("cookie", "session=1"), ("Proxy-Authorization", "x"),
               ("AS2-From", "AMAZON")]
    assert redacted_headers(headers) == {"Authorization": "[redacted]", "cookie": "[redacted]",
                                         "Proxy-Authorization": "[redacted]", "AS2-From": "AMAZON"}


# ------------------------------------------------ authentication before expensive work


def unsigned_bomb(us: OrganizationProfile, inflated: int) -> tuple[dict[str, str], bytes]:
    """What anyone can send: compressed, encrypted to our public certificate, not signed."""
    inner = b"Content-Type: application/edi-x12\r\n\r\n" + b"~" * inflated
    compressed = (b'Content-Type: application/pkcs7-mime; smime-type="compressed-data"; name="smime.p7z"\r\n'
                  b"Content-Transfer-Encoding: binary\r\n\r\n" + compress_message(inner))
    body = encrypt_message(compressed, "aes_256_cbc", load_certificate(us.keys[0].certificate_pem))
    headers = {"AS2-From": AMAZON_ID, "AS2-To": OUR_ID, "Message-ID": "<bomb@stranger>",
               "Content-Type": 'application/pkcs7-mime; smime-type="enveloped-data"; name="smime.p7m"',
               "Disposition-Notification-To": "x@stranger"}
    return headers, body


def test_an_unsigned_compressed_message_is_refused_before_it_is_inflated(us, gateway, monkeypatch):
    headers, body = unsigned_bomb(us, 8 * 1024 * 1024)
    inflated: list[int] = []
    real_inflate = unwrap._inflate
    monkeypatch.setattr(unwrap, "_inflate", lambda data, max_bytes, whole: inflated.append(max_bytes)
                        or real_inflate(data, max_bytes, whole))

    result = gateway.receive(headers, body)

    assert result.status is InboundStatus.ERROR
    assert result.disposition == "processed/Error: insufficient-message-security"
    assert "must sign" in result.error
    assert inflated == [unwrap.PEEK_BYTES], "only the first kilobytes were inflated"
    assert not result.authenticated
    assert gateway.duplicate_checks == [], "no Message-ID oracle before authentication"


def test_a_signed_message_is_authenticated_and_only_then_checked_for_a_duplicate(
        amazon, us_at_amazon, gateway):
    sent = build_message(amazon, us_at_amazon, PURCHASE_ORDER, "po.edi")
    first = gateway.receive(sent.headers, sent.body)
    again = gateway.receive(sent.headers, sent.body)
    assert (first.status, first.authenticated) == (InboundStatus.PROCESSED, True)
    assert (again.status, again.authenticated) == (InboundStatus.DUPLICATE, True)
    assert again.mic == first.mic and again.payload is None


def test_a_forged_message_id_from_a_stranger_learns_nothing(amazon, us_at_amazon, gateway, stranger_key):
    sent = build_message(amazon, us_at_amazon, PURCHASE_ORDER, "po.edi")
    gateway.receive(sent.headers, sent.body)
    forger = OrganizationProfile(AMAZON_ID, (stranger_key,))  # claims to be Amazon, signs with its own key
    forged = build_message(forger, us_at_amazon, PURCHASE_ORDER, "po.edi", message_id=sent.message_id)

    result = gateway.receive(forged.headers, forged.body)

    assert result.status is InboundStatus.ERROR and "duplicate" not in result.disposition
    assert result.disposition == "processed/Error: authentication-failed"
    assert not result.authenticated
    assert len(gateway.duplicate_checks) == 1, "only the authentic message was looked up"


def test_an_unknown_sender_gets_no_asynchronous_mdn(stranger_key, us_at_amazon, gateway):
    sent = build_message(OrganizationProfile("STRANGER", (stranger_key,)), us_at_amazon, PURCHASE_ORDER, "po.edi")
    headers = {**sent.headers, "Receipt-Delivery-Option": "http://127.0.0.1:9/internal"}

    result = gateway.receive(headers, sent.body)

    assert result.status is InboundStatus.ERROR and "unknown-trading-partner" in result.disposition
    assert result.mdn is None


def signed_then_compressed(amazon, us_at_amazon, payload: bytes) -> tuple[dict[str, str], bytes]:
    """A signed entity compressed afterwards (RFC 5402 allows either order; pyas2lib only
    compresses first), unencrypted."""
    signed = build_message(amazon, dataclasses.replace(us_at_amazon, encrypt=False), payload, "po.edi")
    entity = f"Content-Type: {signed.headers['Content-Type']}\r\n\r\n".encode() + signed.body
    headers = {**signed.headers, "Content-Type": 'application/pkcs7-mime; smime-type="compressed-data"'}
    return headers, compress_message(entity)


def test_a_signature_inside_the_compression_is_inflated_up_to_the_unverified_cap(
        amazon, us_at_amazon, us, amazon_partner):
    gateway = Directory([us], [dataclasses.replace(amazon_partner, encrypt=False)])
    headers, body = signed_then_compressed(amazon, us_at_amazon, PURCHASE_ORDER)

    accepted = gateway.receive(headers, body)
    refused = gateway.receive(headers, body, ReceiveLimits(max_unverified_decompressed_bytes=100))

    assert (accepted.status, accepted.signed, accepted.compressed, accepted.authenticated) == (
        InboundStatus.PROCESSED, True, True, True)
    assert refused.disposition == "processed/Error: decompression-failed" and "exceeds the limit" in refused.error
    assert not refused.authenticated
