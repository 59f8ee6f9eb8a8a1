"""pyas2lib itself, as an independent AS2 implementation for the tests to talk to.

The gateway writes its outbound messages itself (``gateway.transport.as2.protocol.build_message``).
Here pyas2lib's own ``Message.build`` writes a partner's messages (the fake Amazon's,
``tests.support.amazon``), and its own ``Message.parse`` reads ours
(``tests/unit/transport/as2/test_as2_build.py``): a test whose other side is not the
gateway's own code. Only the profiles become pyas2lib's ``Organization`` and ``Partner``
as the gateway makes them for its receive path (``_pyas2lib_organization``,
``_pyas2lib_partner``).
"""
from __future__ import annotations

from collections.abc import Mapping

from gateway.transport.as2.compat import install_oscrypto_version_fix
from gateway.transport.as2.protocol import (
    OrganizationProfile,
    OutboundMessage,
    PartnerProfile,
    _pyas2lib_organization,
    _pyas2lib_partner,
)

install_oscrypto_version_fix()  # pyas2lib's oscrypto needs it; importing gateway.transport.as2 did it already

from pyas2lib import Message  # noqa: E402  (needs the fix above)


def build_message(org: OrganizationProfile, to: PartnerProfile, payload: bytes, filename: str | None, *,
                  message_id: str | None = None) -> OutboundMessage:
    """A message from ``org`` to ``to`` as pyas2lib's ``Message.build`` writes it."""
    message = Message(sender=_pyas2lib_organization(org, 0), receiver=_pyas2lib_partner(to, 0))
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
    _status, exception, _mdn = message.parse(raw, find_org_cb=lambda _as2_id: _pyas2lib_organization(receiver, 0),
                                             find_partner_cb=lambda _as2_id: _pyas2lib_partner(sender, 0))
    if exception[0] is not None:
        raise exception[0]
    return message
