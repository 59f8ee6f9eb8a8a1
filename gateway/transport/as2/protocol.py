"""AS2 messages and MDNs (RFC 4130) as pure functions around pyas2lib.

The endpoint, the database and the workers call three functions:

- :func:`receive` turns an inbound HTTP request into an :class:`InboundResult` (payload,
  disposition, the MDN to answer with). It never raises for bad input: every failure
  becomes a negative disposition and, when the sender asked for one, a negative MDN.
- :func:`build_message` signs/encrypts/compresses a payload for a partner, keeping the
  Message-ID on a retry.
- :func:`check_mdn` verifies a sync or async MDN and that its MIC is the one we stored.

What pyas2lib 1.4.4 does that shapes this module (read from its as2.py/cms.py):

- ``Message.parse`` builds the MDN itself, and raises instead of returning an error
  when AS2-From is unknown and a signed MDN is asked for (``AttributeError`` in
  ``Mdn.build``), when AS2-To/AS2-From are missing (``TypeError``), and when
  Disposition-Notification-Options lists the micalg before the protocol (it takes the
  last item of the header as the digest). ``Mdn.build`` is also ~80% of a receive's
  CPU (eager debug serialisation, asn1crypto). So partner lookup, duplicates and header
  checks happen here, and the MDN is written here and signed with ``cryptography``
  (pyas2lib's signer for SHA-1, which ``cryptography`` lacks; :func:`_build_mdn`).
- The rest of ``Message.parse`` (decrypt, decompress, verify) is done by
  :func:`gateway.transport.as2.unwrap.unwrap` with pyas2lib's own CMS functions, in pyas2lib's
  order, without its costs and limits: see that module.
- ``Message.build`` serialises the whole MIME tree for each of its debug lines, even
  with debug logging off, loads the partner's certificate from PEM for every message and
  signs with asn1crypto: a sixth of a worker's CPU in a burst. So :func:`build_message`
  writes the same message itself, with pyas2lib's entity, compression and encryption,
  and signs with ``cryptography`` as the MDNs are.
- ``Mdn.parse`` only compares MICs when the MDN carries one; :func:`check_mdn` requires it.
- It computes a MIC only for a signed message, with the digest of the signature, and writes
  it with that name (``sha256``). RFC 4130 section 7.3.1 wants one whenever a signed
  receipt is asked for, encrypted-only and plain messages included, computed with the
  algorithm asked for in ``signed-receipt-micalg``; RFC 5751 names it ``sha-256``. So the
  MIC is computed here (:func:`_received_content`, :func:`_mic_algorithm`), over what
  :func:`gateway.transport.as2.unwrap.unwrap` kept of each step. Messages we build keep
  pyas2lib's spelling (``micalg="sha256"``, ``signed-receipt-micalg=optional, sha256``):
  it is Amazon's own, and no receiver we test with reads the micalg parameter (the
  digest is in the signature).
"""

from __future__ import annotations

import base64
import dataclasses
import email
import email.encoders
import email.message
import email.utils
import enum
import functools
import hashlib
import ipaddress
import socket
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypedDict, Unpack

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from pyas2lib import Mdn, Message, Organization, Partner
from pyas2lib.cms import compress_message, encrypt_message, sign_message
from pyas2lib.exceptions import (
    AS2Exception,
    DecryptionError,
    ImproperlyConfigured,
    InsufficientSecurityError,
    IntegrityError,
)
from pyas2lib.utils import canonicalize, quote_as2name

from gateway.partners.certificates import (
    CertificateError,
    OrganizationKey,
    PrivateKeyError,
    certificate_pem,
    load_certificate,
    load_private_key,
    pyas2lib_key_bundle,
)
from gateway.partners.profile import DIGEST_ALGORITHMS, As2Settings, MdnMode
from gateway.transport.as2.unwrap import Security, Unwrapped, unwrap

RawHeaders = Mapping[str, str] | Iterable[tuple[str, str]]

# The profile's names (as in ``openssl cms``) -> pyas2lib's; a test keeps the two lists equal.
ENCRYPTION_ALGORITHMS = {
    "aes-128-cbc": "aes_128_cbc",
    "aes-192-cbc": "aes_192_cbc",
    "aes-256-cbc": "aes_256_cbc",
    "des-ede3-cbc": "tripledes_192_cbc",
}

# Refusals for the message's security: the sender is not shown to be the partner.
SECURITY_FAILURES = (InsufficientSecurityError, DecryptionError, IntegrityError)

# RFC 4130 disposition modifiers, worded as pyas2lib words them.
UNKNOWN_TRADING_PARTNER = "unknown-trading-partner"
DUPLICATE_DOCUMENT = "duplicate-document"
UNEXPECTED_PROCESSING_ERROR = "unexpected-processing-error"

# The headers that ask for an MDN; pyas2lib is not shown them (see the module docstring).
MDN_REQUEST_HEADERS = frozenset(
    {"disposition-notification-to", "disposition-notification-options", "receipt-delivery-option"}
)
# The digests a MIC is computed and an MDN signed with (hashlib's names, as in partner
# profiles), and how RFC 5751 names them in micalg parameters and Received-content-MIC.
MICALG_NAMES = {digest: digest.replace("sha", "sha-") for digest in DIGEST_ALGORITHMS}
# Used when the sender names no micalg we support.
DEFAULT_DIGEST = "sha256"
# The digests cryptography's PKCS7 signer offers; it has no SHA-1 (see _mdn_signature).
_CRYPTOGRAPHY_DIGESTS: dict[str, type[hashes.SHA224 | hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "sha224": hashes.SHA224, "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
MDN_PROCESSED_TEXT = "The AS2 message has been received and processed."
MDN_FAILED_TEXT = ("The AS2 message could not be processed. The disposition-notification "
                   "report has additional details.")
REPORTING_UA = "edi-gateway AS2"

# Details with which pyas2lib's Mdn.parse rejects an MDN itself (as opposed to relaying
# a negative disposition written by the partner).
_MDN_REJECTED_BY_PYAS2LIB = (
    "mdn-not-found",
    "original-message-not-found",
    "Expected signed MDN",
    "Failed to parse received MDN",
)


class ProfileError(Exception):
    """An organisation or partner profile cannot be used (bad key, certificate, setting)."""


class InboundStatus(str, enum.Enum):
    """Outcome of :func:`receive`; only ``PROCESSED`` carries a payload to process."""

    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    ERROR = "error"


class MdnStatus(str, enum.Enum):
    """Outcome of :func:`check_mdn`."""

    PROCESSED = "processed"  # delivered, MIC confirmed
    PROCESSED_WITH_WARNING = "processed-with-warning"  # delivered, e.g. duplicate-document
    FAILED = "failed"  # the partner reports an error: not delivered
    INVALID = "invalid"  # the MDN cannot be trusted: signature, MIC or reference wrong


@dataclass(frozen=True)
class OrganizationProfile:
    """Our side of AS2.

    ``keys[0]`` signs what we send and our MDNs; every key is tried to decrypt inbound
    messages, so partners may encrypt to the old or the new certificate during a
    rollover. ``mdn_url`` is where partners POST asynchronous MDNs to us.
    """

    as2_id: str
    keys: tuple[OrganizationKey, ...]
    mdn_url: str | None = None
    message_id_domain: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(self.keys))
        if not self.as2_id:
            raise ProfileError("an organisation needs an AS2 id")
        if not self.keys:
            raise ProfileError(f"organisation {self.as2_id} has no key pair")


@dataclass(frozen=True)
class PartnerProfile:
    """A trading partner.

    ``certificates[0]`` is the one we encrypt to; a signature from any of them is
    accepted (partner rollover). ``sign``/``encrypt`` apply both ways, as in pyas2lib:
    we sign/encrypt what we send, and refuse unsigned/unencrypted messages with
    ``insufficient-message-security``. ``validate_certs`` is off by default because
    Amazon's certificates may not chain to a public CA; ``ca_certificates`` (PEM) are
    the roots when it is on. ``canonicalize_as_binary`` verifies signatures over the
    bytes as sent, for partners that sign bare-LF content in binary mode.
    """

    as2_id: str
    certificates: tuple[bytes, ...]
    url: str | None = None
    sign: bool = True
    encrypt: bool = True
    compress: bool = False
    digest_algorithm: str = "sha256"
    encryption_algorithm: str = "aes-256-cbc"
    mdn_mode: MdnMode = MdnMode.SYNC
    signed_mdn: bool = True
    canonicalize_as_binary: bool = False
    validate_certs: bool = False
    ca_certificates: bytes | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "certificates", tuple(self.certificates))
        object.__setattr__(self, "mdn_mode", MdnMode(self.mdn_mode))
        if not self.as2_id:
            raise ProfileError("a partner needs an AS2 id")
        if not self.certificates:
            raise ProfileError(f"partner {self.as2_id} has no certificate")
        if self.digest_algorithm not in DIGEST_ALGORITHMS:
            raise ProfileError(
                f"digest {self.digest_algorithm!r} is not one of {DIGEST_ALGORITHMS}"
            )
        if self.encryption_algorithm not in ENCRYPTION_ALGORITHMS:
            raise ProfileError(
                f"encryption {self.encryption_algorithm!r} is not one of "
                f"{tuple(ENCRYPTION_ALGORITHMS)}"
            )


@dataclass(frozen=True)
class ReceiveLimits:
    """Guard rails for :func:`receive`: the HTTP body, and the payload once decompressed.

    ``max_unverified_decompressed_bytes`` caps what is inflated before a partner that must
    sign is authenticated (its signature inside the compression, RFC 5402): parsing costs
    about ten times the inflated size in memory, and this much is anyone's to spend.
    """

    max_body_bytes: int = 20 * 1024 * 1024
    max_decompressed_bytes: int = 100 * 1024 * 1024
    max_unverified_decompressed_bytes: int = 8 * 1024 * 1024


@dataclass(frozen=True)
class InboundMdn:
    """The MDN to answer with: in the HTTP response (sync) or POSTed to ``url`` (async)."""

    mode: MdnMode
    url: str | None
    headers: dict[str, str]
    body: bytes
    signed: bool


@dataclass(frozen=True)
class InboundResult:
    """What :func:`receive` made of a request. ``disposition`` is the RFC 4130 text sent
    in the MDN, e.g. ``processed/Error: decryption-failed``; ``error`` explains a
    failure for our logs and operators (it never holds key material).

    ``authenticated``: the sender is a known partner and the message met its profile's
    security requirement (its signature verified, or the profile asks for none and the
    message was not refused for its security). An unauthenticated request is a
    stranger's: its bytes are kept only in part (``receiver._store_raw``)."""

    status: InboundStatus
    disposition: str
    message_id: str | None
    as2_from: str | None
    as2_to: str | None
    payload: bytes | None = field(default=None, repr=False)
    filename: str | None = None
    content_type: str | None = None
    mic: str | None = None
    mic_algorithm: str | None = None
    signed: bool = False
    encrypted: bool = False
    compressed: bool = False
    mdn: InboundMdn | None = None
    error: str | None = None
    authenticated: bool = False


@dataclass(frozen=True)
class OutboundMessage:
    """A message ready to POST to ``url``. Store ``message_id`` and ``mic`` before sending:
    a retry reuses the Message-ID, and the MDN's MIC must equal ``mic``."""

    message_id: str
    headers: dict[str, str]
    body: bytes = field(repr=False)
    mic: str | None
    mic_algorithm: str | None
    mdn_mode: MdnMode
    url: str | None


@dataclass(frozen=True)
class MdnResult:
    """What :func:`check_mdn` concluded; ``disposition`` is the partner's text."""

    status: MdnStatus
    disposition: str | None
    original_message_id: str | None
    message_id: str | None
    signed: bool
    mic: str | None
    error: str | None = None


# --------------------------------------------------------------------------- receive


def receive(
    raw_headers: RawHeaders,
    body: bytes,
    lookup_org: Callable[[str], OrganizationProfile | None],
    lookup_partner: Callable[[str], PartnerProfile | None],
    is_duplicate: Callable[[str, str], bool],
    limits: ReceiveLimits = ReceiveLimits(),
) -> InboundResult:
    """Decrypt, verify and decompress an inbound AS2 message and build its MDN.

    ``lookup_org(as2_to)`` and ``lookup_partner(as2_from)`` return a profile or None;
    ``is_duplicate(message_id, as2_from)`` says whether that Message-ID was already
    received from that partner. It is asked only once the message is authenticated (see
    :attr:`InboundResult.authenticated`), so a stranger cannot learn which Message-IDs
    exist. Exceptions from these callbacks propagate (the
    endpoint should answer 5xx so the sender retries); everything wrong with the
    request itself comes back as a negative result.
    """
    request = _Request.read(_header_pairs(raw_headers), body)
    missing = [name for name, value in (("AS2-From", request.as2_from),
                                        ("AS2-To", request.as2_to),
                                        ("Message-ID", request.message_id)) if not value]
    if missing:
        # Without these an MDN can be neither addressed nor matched: no MDN.
        return InboundResult(
            InboundStatus.ERROR, f"processed/Error: {UNEXPECTED_PROCESSING_ERROR}",
            request.message_id or None, request.as2_from or None, request.as2_to or None,
            error=f"missing AS2 header(s): {', '.join(missing)}")

    organization = lookup_org(request.as2_to)
    partner = lookup_partner(request.as2_from)
    if (organization is None or partner is None) and request.mdn_request is not None \
            and request.mdn_request.mode is MdnMode.ASYNC:
        # A stranger's Receipt-Delivery-Option is never POSTed to: no MDN (HTTP 400).
        request = dataclasses.replace(request, mdn_request=None)
    if organization is None:
        return request.refuse(None, UNKNOWN_TRADING_PARTNER, f"unknown AS2-To {request.as2_to!r}")
    if partner is None:
        return request.refuse(organization, UNKNOWN_TRADING_PARTNER,
                              f"unknown AS2-From {request.as2_from!r}")
    if len(body) > limits.max_body_bytes:
        return request.refuse(organization, UNEXPECTED_PROCESSING_ERROR,
                              f"body of {len(body)} bytes exceeds the limit of "
                              f"{limits.max_body_bytes}")
    return _open(request, organization, partner, limits, is_duplicate)


@dataclass(frozen=True)
class _MdnRequest:
    """The MDN a sender asked for (see :func:`receipt_options`)."""

    mode: MdnMode
    url: str | None
    signed: bool
    mic_algorithm: str | None


class _SecurityFlags(TypedDict):
    """How far :func:`gateway.transport.as2.unwrap.unwrap` got."""

    signed: bool
    encrypted: bool
    compressed: bool
    authenticated: bool


class _ResultFields(TypedDict, total=False):
    """The :class:`InboundResult` fields that :meth:`_Request.answer` passes through."""

    payload: bytes | None
    filename: str | None
    content_type: str | None
    mic: str | None
    mic_algorithm: str | None
    signed: bool
    encrypted: bool
    compressed: bool
    error: str | None
    authenticated: bool


@dataclass(frozen=True)
class _Request:
    """An inbound request with its AS2 headers read, and how to answer it."""

    headers: list[tuple[str, str]]
    body: bytes = field(repr=False)
    message_id: str
    as2_from: str
    as2_to: str
    mdn_request: _MdnRequest | None

    @classmethod
    def read(cls, headers: list[tuple[str, str]], body: bytes) -> _Request:
        mdn_request = None
        if _header(headers, "disposition-notification-to"):
            url = _header(headers, "receipt-delivery-option") or None
            options = receipt_options(_header(headers, "disposition-notification-options"))
            mdn_request = _MdnRequest(MdnMode.ASYNC if url else MdnMode.SYNC, url,
                                      options.signed, options.mic_algorithm)
        return cls(headers, body, _message_id(headers), unquote_as2_name(_header(headers, "as2-from")),
                   unquote_as2_name(_header(headers, "as2-to")), mdn_request)

    def answer(self, organization: OrganizationProfile | None, status: InboundStatus,
               disposition_type: str, modifier: str | None,
               **fields: Unpack[_ResultFields]) -> InboundResult:
        """The result, with the MDN asked for (signed with our current key if we can)."""
        disposition = f"{disposition_type}: {modifier}" if modifier else disposition_type
        mdn = None
        if self.mdn_request is not None:
            mdn = _build_mdn(self, self.mdn_request, organization, disposition,
                             fields.get("mic"), fields.get("mic_algorithm"))
        return InboundResult(status=status, disposition=disposition,
                             message_id=self.message_id, as2_from=self.as2_from,
                             as2_to=self.as2_to, mdn=mdn, **fields)

    def refuse(self, organization: OrganizationProfile | None, modifier: str,
               error: str) -> InboundResult:
        return self.answer(organization, InboundStatus.ERROR, "processed/Error", modifier,
                           error=error)


def _open(request: _Request, organization: OrganizationProfile, partner: PartnerProfile,
          limits: ReceiveLimits, is_duplicate: Callable[[str, str], bool]) -> InboundResult:
    """Decrypt, decompress and verify the message (see ``unwrap.py``) and answer it;
    a Message-ID seen before is a duplicate, once the message is authenticated.

    Every key of ours is tried to decrypt and every partner certificate to verify, so
    either side can be in the middle of a certificate rollover.
    """
    try:
        security = Security(
            decrypt_keys=[_pyas2lib_organization(organization, index).decrypt_key
                          for index in range(len(organization.keys))],
            verify_certificates=[functools.partial(_verify_certificate, partner, index)
                                 for index in range(len(partner.certificates))],
            require_encryption=partner.encrypt,
            require_signature=partner.sign,
            canonicalize_as_binary=partner.canonicalize_as_binary,
            max_decompressed_bytes=limits.max_decompressed_bytes,
            max_unverified_decompressed_bytes=limits.max_unverified_decompressed_bytes,
        )
    except ProfileError as error:
        return request.refuse(organization, UNEXPECTED_PROCESSING_ERROR, f"profile: {error}")
    raw = _raw_message([(name, value) for name, value in request.headers
                        if name.lower() not in MDN_REQUEST_HEADERS], request.body)
    opened = unwrap(raw, security)
    authenticated = opened.verified or (not partner.sign and not isinstance(opened.error, SECURITY_FAILURES))
    flags: _SecurityFlags = {"signed": opened.signed, "encrypted": opened.encrypted, "compressed": opened.compressed,
                             "authenticated": authenticated}
    if opened.error is not None:
        failure = opened.error
        return request.answer(organization, InboundStatus.ERROR,
                              getattr(failure, "disposition_type", "processed/Error"),
                              getattr(failure, "disposition_modifier", UNEXPECTED_PROCESSING_ERROR),
                              error=f"{type(failure).__name__}: {failure}", **flags)
    mic_algorithm = _mic_algorithm(request.mdn_request, opened)
    mic = _mic(_received_content(opened, request.body), mic_algorithm)
    if is_duplicate(request.message_id, request.as2_from):
        return request.answer(
            organization, InboundStatus.DUPLICATE, "processed/Warning", DUPLICATE_DOCUMENT,
            mic=mic, mic_algorithm=mic_algorithm,
            error=f"Message-ID {request.message_id} already received from {request.as2_from}", **flags)
    return request.answer(organization, InboundStatus.PROCESSED, "processed", None,
                          payload=opened.content, filename=opened.filename,
                          content_type=opened.content_type, mic=mic, mic_algorithm=mic_algorithm, **flags)


def _received_content(opened: Unwrapped, body: bytes) -> bytes:
    """What the Received-content-MIC is computed over (RFC 4130 section 7.3.1; RFC 5402
    section 4 for compressed messages).

    - A signed message: the signed content, the MIME headers and body of the first part
      of multipart/signed, as the signature verified them.
    - Encrypted or compressed, unsigned: the MIME entity (headers and content) that
      decryption and decompression gave, byte for byte: the sender hashes what it
      encrypted, and binary EDI must not have its line ends touched.
    - Neither: the body as received, without headers. RFC 4130 leaves the headers out
      because they are rewritten on the way (over HTTP: refolded, reordered, proxied).
    """
    if opened.signed_content is not None:
        return opened.signed_content
    if opened.inner_entity is not None:
        return opened.inner_entity
    return body


def _mic_algorithm(mdn_request: _MdnRequest | None, opened: Unwrapped) -> str:
    """The digest of the MIC: the first ``signed-receipt-micalg`` the sender offered that
    we support (RFC 4130 section 7.3.1); without one, the digest it signed with, as its
    own MIC was computed; else the default."""
    if mdn_request is not None and mdn_request.mic_algorithm is not None:
        return mdn_request.mic_algorithm
    return supported_digest(opened.signature_digest or "") or DEFAULT_DIGEST


def _mic(content: bytes, digest: str) -> str:
    """A MIC as Received-content-MIC carries it: the base64 digest."""
    return base64.b64encode(hashlib.new(digest, content).digest()).decode("ascii")


# ------------------------------------------------------- where an async MDN may go


def async_mdn_url_refusal(url: str, partner: As2Settings | None,
                          resolve: Callable[[str], Sequence[str]]) -> str | None:
    """Why an asynchronous MDN must not be POSTed to ``url``, or None if it may be.

    The sender writes Receipt-Delivery-Option, so without this anyone could make the
    gateway POST where they like (an internal service, a cloud metadata address). The
    URL must be http(s) and name the host of the partner's own AS2 URL or one of its
    ``mdn_hosts``; and every address ``resolve(host)`` gives must be public unless the
    profile allows private ones. ``partner`` is the AS2 section of the sender's profile,
    None for an unknown or inactive sender, who gets no asynchronous MDN at all.
    ``resolve`` may raise ``OSError`` (a lookup that failed: try again later).
    """
    if partner is None:
        return "the sender is not a known, active partner"
    try:
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        return f"not a usable URL: {error}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"scheme {parts.scheme or '(none)'!r} is not http or https"
    if parts.username is not None or parts.password is not None:
        return "the URL carries a user name or password"
    own_host = (urllib.parse.urlsplit(partner.url).hostname or "").rstrip(".") if partner.url else ""
    allowed = {own_host, *partner.mdn_hosts} - {""}
    if host not in allowed:
        return (f"host {host or '(none)'!r} is not the partner's AS2 host or one of its mdn_hosts "
                f"({', '.join(sorted(allowed)) or 'none configured'})")
    addresses = [ipaddress.ip_address(address.split("%")[0]) for address in resolve(host)]
    if not addresses:
        return f"host {host!r} has no address"
    private = [str(address) for address in addresses if not address.is_global]
    if private and not partner.allow_private_mdn_addresses:
        return (f"host {host!r} resolves to non-public address(es) {', '.join(private)} and the profile "
                "does not allow private MDN addresses")
    return None


# ----------------------------------------------------------------------------- send


def build_message(
    org: OrganizationProfile,
    partner: PartnerProfile,
    payload: bytes,
    filename: str | None,
    content_type: str = "application/edi-x12",
    message_id: str | None = None,
    subject: str = "AS2 Message",
) -> OutboundMessage:
    """Sign, compress and encrypt ``payload`` for ``partner`` as its profile says.

    Pass the ``message_id`` of an earlier attempt to resend it: RFC 4130 wants a retry
    to keep its Message-ID so that the receiver can recognise the duplicate. Raises
    :class:`ProfileError` when the profiles cannot be used.

    The message is what pyas2lib's ``Message.build`` writes (its headers, in its order,
    the entity canonicalised by pyas2lib, its CMS functions for compressing and
    encrypting, its ``micalg=sha256`` spelling), written here without its costs: it
    serialised the whole MIME tree twice more for debug lines that are off, loaded the
    partner's certificate from PEM for every message, and signed with asn1crypto. About
    7 ms a message, a sixth of a worker's CPU in a burst; ``cryptography`` signs here as
    it does our MDNs (:func:`_signature`).
    """
    message_id = _checked_message_id(message_id if message_id is not None
                                     else email.utils.make_msgid(domain=org.message_id_domain or _default_domain()))
    entity = _entity(payload, content_type, filename)
    # Each layer as its MIME headers and its body; ``part`` is the layer as the next one wraps it.
    headers: list[tuple[str, str]] = list(entity.items())
    part, body = canonicalize(entity), payload
    mic = None
    if partner.compress:
        headers, body = [("MIME-Version", "1.0"), *_COMPRESSED_HEADERS], compress_message(part)
        part = _mime(headers, body)
    if partner.sign:
        mic = base64.b64encode(hashlib.new(partner.digest_algorithm, part).digest()).decode("ascii")
        content_type, body = _signed(part, _signature(org, part, partner.digest_algorithm),
                                     partner.digest_algorithm, micalg=f'"{partner.digest_algorithm}"')
        headers = [("Content-Type", content_type)]
        part = _mime(headers, body)
    if partner.encrypt:
        body = encrypt_message(part, ENCRYPTION_ALGORITHMS[partner.encryption_algorithm],
                               _encryption_certificate(partner))
        headers = [("MIME-Version", "1.0"), *_ENVELOPED_HEADERS]
    return OutboundMessage(
        message_id=message_id,
        headers={**dict(headers), **_as2_headers(org, partner, message_id, subject)},
        body=body,
        mic=mic,
        mic_algorithm=partner.digest_algorithm if mic else None,
        mdn_mode=partner.mdn_mode,
        url=partner.url,
    )


_COMPRESSED_HEADERS = (("Content-Type", 'application/pkcs7-mime; name="smime.p7z"; smime-type="compressed-data"'),
                       ("Content-Disposition", 'attachment; filename="smime.p7z"'),
                       ("Content-Transfer-Encoding", "binary"))
_ENVELOPED_HEADERS = (("Content-Type", 'application/pkcs7-mime; name="smime.p7m"; smime-type="enveloped-data"'),
                      ("Content-Disposition", 'attachment; filename="smime.p7m"'),
                      ("Content-Transfer-Encoding", "binary"))


def _entity(payload: bytes, content_type: str, filename: str | None) -> email.message.Message:
    """The payload as a MIME entity, as pyas2lib makes it: 7bit or 8bit text (whose lines
    canonicalising ends in CRLF), binary for application/octet-stream."""
    entity = email.message.Message()
    entity.set_payload(payload)
    entity.set_type(content_type)
    if content_type.lower().startswith("application/octet-stream"):
        entity["Content-Transfer-Encoding"] = "binary"
    else:
        email.encoders.encode_7or8bit(entity)
    if filename:
        entity.add_header("Content-Disposition", "attachment", filename=filename)
    del entity["MIME-Version"]
    return entity


def _mime(headers: Iterable[tuple[str, str]], body: bytes) -> bytes:
    return "".join(f"{name}: {value}\r\n" for name, value in headers).encode() + b"\r\n" + body


def _as2_headers(org: OrganizationProfile, partner: PartnerProfile, message_id: str, subject: str) -> dict[str, str]:
    """The AS2 headers (RFC 4130) of a message to ``partner``, with the MDN it asks for."""
    headers = {
        "AS2-Version": "1.2",
        "ediint-features": "CMS",
        "Message-ID": f"<{message_id}>",
        "AS2-From": quote_as2name(org.as2_id),
        "AS2-To": quote_as2name(partner.as2_id),
        "Subject": subject,
        "Date": email.utils.formatdate(localtime=True),
    }
    if partner.mdn_mode is MdnMode.NONE:
        return headers
    headers["disposition-notification-to"] = org.as2_id
    if partner.signed_mdn:
        headers["disposition-notification-options"] = (
            f"signed-receipt-protocol=required, pkcs7-signature; "
            f"signed-receipt-micalg=optional, {partner.digest_algorithm}")
    if partner.mdn_mode is MdnMode.ASYNC:
        if not org.mdn_url:
            raise ProfileError("MDN URL must be set in the organization when MDN mode is set to ASYNC")
        headers["receipt-delivery-option"] = org.mdn_url
    return headers


@functools.lru_cache(maxsize=256)
def _encryption_certificate(partner: PartnerProfile):
    """The certificate we encrypt to, as pyas2lib's ``encrypt_message`` takes it, its chain
    checked when the profile asks (loaded once per profile, not for every message)."""
    try:
        return _pyas2lib_partner(partner, 0).load_encrypt_cert()
    except AS2Exception as error:
        raise ProfileError(f"partner {partner.as2_id}: {error}") from None


def _checked_message_id(message_id: str) -> str:
    message_id = message_id.strip().removeprefix("<").removesuffix(">")
    if not message_id or len(message_id) > 255 or any(c in message_id for c in "<> \r\n"):
        raise ValueError(f"not a usable Message-ID: {message_id!r}")
    return message_id


# ------------------------------------------------------------------- MDNs we send


def _build_mdn(request: _Request, mdn_request: _MdnRequest, organization: OrganizationProfile | None,
               disposition: str,
               mic: str | None, mic_algorithm: str | None) -> InboundMdn:
    """The MDN (RFC 4130 section 7) for ``request``, signed when asked and possible.

    Written here rather than by pyas2lib's ``Mdn.build`` (see the module docstring).
    The signature covers the multipart/report entity exactly as sent (binary mode), so
    no canonicalisation can make sender and receiver disagree.
    """
    fields = [
        ("Reporting-UA", REPORTING_UA),
        ("Original-Recipient", f"rfc822; {request.as2_to}"),
        ("Final-Recipient", f"rfc822; {request.as2_to}"),
        ("Original-Message-ID", f"<{request.message_id}>"),
        ("Disposition", f"automatic-action/MDN-sent-automatically; {disposition}"),
    ]
    if mic and mic_algorithm:
        fields.append(("Received-content-MIC", f"{mic}, {MICALG_NAMES[mic_algorithm]}"))
    boundary = _new_boundary()
    text = MDN_PROCESSED_TEXT if disposition == "processed" else MDN_FAILED_TEXT
    content_type = (f"multipart/report; report-type=disposition-notification; "
                    f'boundary="{boundary}"')
    body = (
        f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n"
        f"Content-Transfer-Encoding: 7bit\r\n\r\n{text}\r\n"
        f"--{boundary}\r\nContent-Type: message/disposition-notification\r\n"
        f"Content-Transfer-Encoding: 7bit\r\n\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in fields)
        + f"\r\n--{boundary}--\r\n"
    ).encode("latin-1", errors="replace")

    signature = None
    if mdn_request.signed and organization is not None:
        # Signed with the digest of the MIC (RFC 4130 section 7.3), when there is a MIC.
        digest = mic_algorithm or mdn_request.mic_algorithm or DEFAULT_DIGEST
        entity = f"Content-Type: {content_type}\r\n\r\n".encode() + body
        signature = _mdn_signature(organization, entity, digest)
        if signature is not None:
            content_type, body = _signed(entity, signature, digest)
    domain = organization.message_id_domain if organization is not None else None
    headers = {
        "AS2-Version": "1.2",
        "AS2-From": quote_as2name(request.as2_to),
        "AS2-To": quote_as2name(request.as2_from),
        "Message-ID": email.utils.make_msgid(domain=domain or _default_domain()),
        "Date": email.utils.formatdate(usegmt=True),
        "Subject": "Message Disposition Notification",
        "MIME-Version": "1.0",
        "Content-Type": content_type,
    }
    return InboundMdn(mode=mdn_request.mode, url=mdn_request.url,
                      headers=headers, body=body, signed=signature is not None)


def _mdn_signature(organization: OrganizationProfile, entity: bytes, digest: str) -> bytes | None:
    """:func:`_signature`, or None if our key cannot be opened: the MDN then goes unsigned
    (every parse also fails with a profile error)."""
    try:
        return _signature(organization, entity, digest)
    except ProfileError:
        return None


def _signature(organization: OrganizationProfile, entity: bytes, digest: str) -> bytes:
    """A detached CMS signature (DER) over ``entity`` as it is (binary mode) with our
    current key; raises :class:`ProfileError` if the key cannot be opened.

    cryptography signs: about 0.3 ms against pyas2lib's 2 ms (asn1crypto), measured on an
    MDN. Its PKCS7 builder has no SHA-1, so partners that still ask for sha1 get
    pyas2lib's signer.
    """
    if digest not in _CRYPTOGRAPHY_DIGESTS:
        signature: bytes = sign_message(entity, digest, _pyas2lib_organization(organization, 0).sign_key)
        return signature
    signer = _signer(organization.keys[0])
    if signer is None:
        raise ProfileError(f"organisation {organization.as2_id}: its signing key cannot be opened")
    private_key, certificate = signer
    return (
        pkcs7.PKCS7SignatureBuilder().set_data(entity)
        .add_signer(certificate, private_key, _CRYPTOGRAPHY_DIGESTS[digest]())
        .sign(Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    )


def _signed(entity: bytes, signature: bytes, digest: str, micalg: str | None = None) -> tuple[str, bytes]:
    """``entity`` and its detached CMS ``signature`` as multipart/signed (RFC 5751), its
    ``micalg`` RFC 5751's name of ``digest`` unless another spelling is given."""
    boundary = _new_boundary()
    content_type = (f'multipart/signed; protocol="application/pkcs7-signature"; '
                    f'micalg={micalg or MICALG_NAMES[digest]}; boundary="{boundary}"')
    body = (
        f"--{boundary}\r\n".encode() + entity + f"\r\n--{boundary}\r\n".encode()
        + b'Content-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
          b"Content-Transfer-Encoding: base64\r\n"
          b'Content-Disposition: attachment; filename="smime.p7s"\r\n\r\n'
        + base64.encodebytes(signature).replace(b"\n", b"\r\n")
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return content_type, body


@functools.lru_cache(maxsize=64)
def _signer(key: OrganizationKey) -> tuple[rsa.RSAPrivateKey, x509.Certificate] | None:
    """Our current key and certificate as cryptography signs with them; None if the key
    cannot be opened."""
    try:
        return (load_private_key(key.private_key_pem, key.passphrase),
                load_certificate(key.certificate_pem))
    except (PrivateKeyError, CertificateError):
        return None


def _new_boundary() -> str:
    # Starts with "=" so that "--" + boundary never occurs inside the Content-Type header.
    return f"=_edi_gateway_{uuid.uuid4().hex}"


@functools.cache
def _default_domain() -> str:
    """Right-hand side of our Message-IDs when the profile sets none (looked up once:
    ``make_msgid`` would otherwise resolve the host name for every message)."""
    return socket.getfqdn()


# --------------------------------------------------------------- MDNs we receive


def check_mdn(
    org: OrganizationProfile,
    partner: PartnerProfile,
    raw_headers: RawHeaders,
    body: bytes,
    original_message_id: str,
    stored_mic: str | None,
) -> MdnResult:
    """Verify an MDN (sync response or async POST) for the message we sent.

    The MDN must refer to ``original_message_id``, carry a valid signature from one of
    the partner's certificates when the profile asks for signed MDNs, and, when it says
    ``processed``, return exactly the MIC we stored at send time. pyas2lib alone skips
    the MIC comparison when the MDN leaves the MIC out; here that is invalid.
    """
    headers = _header_pairs(raw_headers)
    raw = _raw_message(headers, body)
    signed = _header(headers, "content-type").lower().startswith("multipart/signed")
    original_message_id = original_message_id.strip("<>")

    def invalid(error: str, mdn: Mdn | None = None) -> MdnResult:
        return MdnResult(MdnStatus.INVALID, None, original_message_id,
                         mdn.message_id if mdn else None, signed, None, error)

    try:
        receiver = _pyas2lib_organization(org, 0)
        senders = [_pyas2lib_partner(partner, i) for i in range(len(partner.certificates))]
    except ProfileError as error:
        return invalid(f"profile: {error}")

    for sender in senders:
        original = Message(sender=receiver, receiver=sender)
        original.message_id = original_message_id
        mdn = Mdn()
        status, detail = mdn.parse(
            raw, lambda mdn_original_id, _recipient: original
            if mdn_original_id == original_message_id else None
        )
        rejected = status == "failed/Failure" and str(detail).startswith(_MDN_REJECTED_BY_PYAS2LIB)
        if not rejected:
            break
    if rejected:
        return invalid(str(detail), mdn)

    fields = _disposition_fields(mdn.payload)
    disposition = fields.get("disposition", "").rpartition(";")[2].strip()
    mic = fields.get("received-content-mic", "").partition(",")[0].strip() or None
    normalised = disposition.lower()
    if normalised == "processed":
        status = MdnStatus.PROCESSED
    elif normalised.startswith("processed/warning"):
        status = MdnStatus.PROCESSED_WITH_WARNING
    elif disposition:
        status = MdnStatus.FAILED
    else:
        return invalid("the MDN has no Disposition", mdn)

    if status is not MdnStatus.FAILED and stored_mic is not None:
        mic_required = status is MdnStatus.PROCESSED
        if (mic is not None or mic_required) and mic != stored_mic:
            return invalid(f"MIC mismatch: the MDN returned {mic!r}, we sent {stored_mic!r}", mdn)
    return MdnResult(status, disposition, original_message_id, mdn.message_id, signed, mic)


def mdn_original_message_id(raw_headers: RawHeaders, body: bytes) -> str | None:
    """The Original-Message-ID an MDN answers, or None if this is not an MDN.

    Lets the endpoint tell an asynchronous MDN from an AS2 message, and find the
    stored message (and MIC) to pass to :func:`check_mdn`.
    """
    mdn = Mdn()
    try:
        mdn.payload = email.message_from_bytes(_raw_message(_header_pairs(raw_headers), body))
        original_message_id, _recipient = mdn.detect_mdn()
    except Exception:  # noqa: BLE001 - MDNNotFound, or a malformed report
        return None
    return original_message_id or None


def _disposition_fields(report: email.message.Message | None) -> dict[str, str]:
    """The fields of the message/disposition-notification part, names in lower case."""
    fields: dict[str, str] = {}
    if report is None:
        return fields
    for part in report.walk():
        if part.get_content_type() == "message/disposition-notification":
            for block in part.get_payload():  # header blocks, as the parser makes them
                if not isinstance(block, email.message.Message):
                    continue
                for name, value in block.items():
                    fields.setdefault(name.lower(), " ".join(str(value).split()))
    return fields


# --------------------------------------------------- headers and pyas2lib objects


def _header_pairs(raw_headers: RawHeaders) -> list[tuple[str, str]]:
    """Headers as (name, value) pairs, each value on one line (no header injection)."""
    items = raw_headers.items() if isinstance(raw_headers, Mapping) else raw_headers
    return [(str(name).strip(), " ".join(str(value).split())) for name, value in items]


class ReceiptOptions(NamedTuple):
    """What Disposition-Notification-Options asks of the MDN (RFC 4130 section 7.3)."""

    signed: bool  # a signed receipt: signed-receipt-protocol lists pkcs7-signature
    mic_algorithm: str | None  # the first signed-receipt-micalg we support, hashlib's name


def receipt_options(options: str) -> ReceiptOptions:
    """Read Disposition-Notification-Options.

    Parameters are read by name, in any order (pyas2lib took the last item of the
    header, so micalg listed before protocol broke it). Each is ``importance, value,
    ...``; the sender lists micalgs by preference, so the first one we support is the
    one the MIC and the MDN's signature use. Names are accepted as RFC 5751 writes them
    (``sha-256``) and as RFC 3851 did (``sha1``), which most AS2 products, Amazon's
    included, carried on to ``sha256``.
    """
    parameters = {}
    for parameter in options.split(";"):
        name, _, rest = parameter.partition("=")
        parameters[name.strip().lower()] = [item.strip().lower() for item in rest.split(",")]
    signed = "pkcs7-signature" in parameters.get("signed-receipt-protocol", [])[1:]
    offered = (supported_digest(item) for item in parameters.get("signed-receipt-micalg", [])[1:])
    return ReceiptOptions(signed, next((digest for digest in offered if digest), None))


def supported_digest(micalg: str) -> str | None:
    """hashlib's name of a micalg written either way (``sha-256``, ``SHA256``, ``sha1``),
    or None if it is not one of ours."""
    digest = micalg.strip().lower().replace("-", "")
    return digest if digest in MICALG_NAMES else None


# Credentials a client (or a proxy) may send: never kept, never shown.
REDACTED_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


def redacted_headers(raw_headers: RawHeaders) -> dict[str, str]:
    """The headers to store or show, with the value of each of ``REDACTED_HEADERS`` replaced."""
    items = raw_headers.items() if isinstance(raw_headers, Mapping) else raw_headers
    return {name: "[redacted]" if name.lower() in REDACTED_HEADERS else value for name, value in items}


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


def unquote_as2_name(as2_name: str) -> str:
    """An AS2-From/AS2-To header value as an AS2 id (RFC 4130 allows quoted names)."""
    return email.utils.unquote(as2_name.strip())


def _message_id(headers: list[tuple[str, str]]) -> str:
    # Amazon sends Message-IDs without an @-domain; they are used as they are.
    return _header(headers, "message-id").strip().removeprefix("<").removesuffix(">")


def _raw_message(headers: list[tuple[str, str]], body: bytes) -> bytes:
    """The ``Name: value`` lines, a blank line and the body: what pyas2lib parses.

    WSGI hands header values over as latin-1 strings, so latin-1 gives back the bytes
    received."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return head.encode("latin-1", errors="replace") + b"\r\n" + body


@functools.lru_cache(maxsize=256)
def _pyas2lib_organization(org: OrganizationProfile, decrypt_key_index: int) -> Organization:
    """pyas2lib's Organization signing with ``keys[0]``, decrypting with the given key.

    Cached: loading a passphrase-protected key costs a key derivation, and profiles
    are immutable, so equal profiles share their loaded keys.
    """
    try:
        sign_key = pyas2lib_key_bundle(org.keys[0])
        decrypt_key = pyas2lib_key_bundle(org.keys[decrypt_key_index])
        return Organization(
            as2_name=org.as2_id,
            sign_key=sign_key,
            sign_key_pass=org.keys[0].passphrase,
            decrypt_key=decrypt_key,
            decrypt_key_pass=org.keys[decrypt_key_index].passphrase,
            mdn_url=org.mdn_url,
            domain=org.message_id_domain or _default_domain(),
        )
    except (AS2Exception, CertificateError, PrivateKeyError) as error:
        raise ProfileError(f"organisation {org.as2_id}: {error}") from None


@functools.lru_cache(maxsize=256)
def _pyas2lib_partner(partner: PartnerProfile, verify_cert_index: int) -> Partner:
    """pyas2lib's Partner verifying with the given certificate, encrypting to the first."""
    try:
        return Partner(
            as2_name=partner.as2_id,
            verify_cert=certificate_pem(partner.certificates[verify_cert_index]),
            verify_cert_ca=partner.ca_certificates,
            encrypt_cert=certificate_pem(partner.certificates[0]),
            encrypt_cert_ca=partner.ca_certificates,
            validate_certs=partner.validate_certs,
            compress=partner.compress,
            encrypt=partner.encrypt,
            enc_alg=ENCRYPTION_ALGORITHMS[partner.encryption_algorithm],
            sign=partner.sign,
            digest_alg=partner.digest_algorithm,
            mdn_mode=None if partner.mdn_mode is MdnMode.NONE else partner.mdn_mode.value.upper(),
            mdn_digest_alg=partner.digest_algorithm if partner.signed_mdn else None,
            canonicalize_as_binary=partner.canonicalize_as_binary,
        )
    except (ImproperlyConfigured, CertificateError) as error:
        raise ProfileError(f"partner {partner.as2_id}: {error}") from None


@functools.lru_cache(maxsize=256)
def _verify_certificate(partner: PartnerProfile, index: int):
    """The partner's certificate ``index`` as the oscrypto object pyas2lib verifies with,
    its chain checked when the profile asks (pyas2lib would load it for every message)."""
    return _pyas2lib_partner(partner, index).load_verify_cert()
