"""pyas2lib itself, as an independent AS2 implementation for the tests to talk to.

The gateway writes its outbound messages itself (``gateway.transport.as2.protocol.build_message``).
Here pyas2lib's own ``Message.build`` writes a partner's messages (the fake Amazon's,
``tests.support.amazon``), and its own ``Message.parse`` reads ours
(``tests/unit/transport/as2/test_as2_build.py``): a test whose other side is not the
gateway's own code.
"""
from __future__ import annotations

from collections.abc import Mapping

from gateway.partners.certificates import pyas2lib_key_bundle
from gateway.transport.as2.compat import install_oscrypto_version_fix
from gateway.transport.as2.protocol import (
    ENCRYPTION_ALGORITHMS,
    MdnMode,
    OrganizationProfile,
    OutboundMessage,
    PartnerProfile,
)

install_oscrypto_version_fix()  # pyas2lib's oscrypto needs it; importing gateway.transport.as2 did it already

from pyas2lib import Message, Organization, Partner  # noqa: E402  (needs the fix above)


def organization(profile: OrganizationProfile) -> Organization:
    key = profile.keys[0]
    bundle = pyas2lib_key_bundle(key)
    return Organization(as2_name=profile.as2_id, sign_key=bundle, sign_key_pass=key.passphrase,
                        decrypt_key=bundle, decrypt_key_pass=key.passphrase, mdn_url=profile.mdn_url,
                        domain=profile.message_id_domain or "pyas2lib.example")


def partner(profile: PartnerProfile) -> Partner:
    return Partner(
        as2_name=profile.as2_id, verify_cert=profile.certificates[0], encrypt_cert=profile.certificates[0],
        validate_certs=False, compress=profile.compress, encrypt=profile.encrypt,
        enc_alg=ENCRYPTION_ALGORITHMS[profile.encryption_algorithm], sign=profile.sign,
        digest_alg=profile.digest_algorithm,
        mdn_mode=None if profile.mdn_mode is MdnMode.NONE else profile.mdn_mode.value.upper(),
        mdn_digest_alg=profile.digest_algorithm if profile.signed_mdn else None,
        canonicalize_as_binary=profile.canonicalize_as_binary)


def build_message(org: OrganizationProfile, to: PartnerProfile, payload: bytes, filename: str | None, *,
                  message_id: str | None = None) -> OutboundMessage:
    """A message from ``org`` to ``to`` as pyas2lib's ``Message.build`` writes it."""
    message = Message(sender=organization(org), receiver=partner(to))
    message.build(payload, filename=filename, content_type="application/edi-x12",
                  disposition_notification_to=org.as2_id)
    if message_id is not None:  # pyas2lib would append "@domain" to one passed in
        message.message_id = message_id
        message.payload.replace_header("Message-ID", f"<{message_id}>")
    return OutboundMessage(message_id=message.message_id, headers=message.headers, body=message.content,
                           mic=message.mic.decode("ascii") if message.mic else None,
                           mic_algorithm=message.digest_alg if message.mic else None,
                           mdn_mode=to.mdn_mode, url=to.url)


def parse(receiver: OrganizationProfile, sender: PartnerProfile, headers: Mapping[str, str],
          body: bytes) -> Message:
    """Receive a message as pyas2lib does; raises what its ``parse`` reports as an exception."""
    message = Message()
    raw = "".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode() + b"\r\n" + body
    _status, exception, _mdn = message.parse(raw, find_org_cb=lambda _as2_id: organization(receiver),
                                             find_partner_cb=lambda _as2_id: partner(sender))
    if exception[0] is not None:
        raise exception[0]
    return message
