"""AS2 (RFC 4130) protocol core: receive messages, build messages, check MDNs, manage keys.

pyas2lib does the MIME and CMS work. It must only be imported through this package: the
import hook installed on the next line makes its pinned oscrypto load on OpenSSL 3.0.10+
(see ``compat.py``), and has to be in place before anything imports pyas2lib.
"""

from gateway.as2.compat import install_oscrypto_version_fix

install_oscrypto_version_fix()

from gateway.as2.certificates import (  # noqa: E402  (needs the hook above)
    CertificateError,
    CertificateInfo,
    OrganizationKey,
    PrivateKeyError,
    certificate_pem,
    describe_certificate,
    generate_organization_key,
    load_certificate,
    load_private_key,
    write_private_key,
)
from gateway.as2.protocol import (  # noqa: E402
    InboundMdn,
    InboundResult,
    InboundStatus,
    MdnMode,
    MdnResult,
    MdnStatus,
    OrganizationProfile,
    OutboundMessage,
    PartnerProfile,
    ProfileError,
    ReceiveLimits,
    build_message,
    check_mdn,
    mdn_original_message_id,
    receive,
    unquote_as2_name,
)

__all__ = [
    "CertificateError",
    "CertificateInfo",
    "InboundMdn",
    "InboundResult",
    "InboundStatus",
    "MdnMode",
    "MdnResult",
    "MdnStatus",
    "OrganizationKey",
    "OrganizationProfile",
    "OutboundMessage",
    "PartnerProfile",
    "PrivateKeyError",
    "ProfileError",
    "ReceiveLimits",
    "build_message",
    "check_mdn",
    "certificate_pem",
    "describe_certificate",
    "generate_organization_key",
    "load_certificate",
    "load_private_key",
    "mdn_original_message_id",
    "receive",
    "unquote_as2_name",
    "write_private_key",
]
