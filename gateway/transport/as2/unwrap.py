"""Opening an inbound AS2 message: decrypt, decompress, verify, with pyas2lib's own steps.

pyas2lib's ``Message.parse`` does the same work, and :func:`unwrap` keeps its steps, their
order, its CMS functions (``decrypt_message``, ``verify_message``), its canonicalisation
(``canonicalize``) and its exceptions, so the MDN dispositions are pyas2lib's. It is not
called on the receive path because, in pyas2lib 1.4.4:

- it serialises the whole MIME message twice per call for ``logger.debug`` f-strings,
  which Python evaluates even when debug logging is off: 40% of a receive's CPU
  (``tests/unit/transport/as2/test_unwrap.py`` keeps an eye on it);
- it verifies the signature over the signed part rebuilt from its parsed form, never
  over the bytes as sent: slow, and wrong when the two differ (see :func:`_verify`);
- it loads the partner's certificate again for every message;
- it tries one decryption key and one certificate, so a certificate rollover meant
  parsing the whole message again for each pair;
- it decompresses with an unbounded ``zlib.decompress`` (a compression bomb);
- it decompresses before it checks that a partner who must sign has signed, so an
  unsigned bomb costs its whole inflated size: here the first kilobytes decide.

The same test file parses many messages both ways and requires the same outcome.
"""

from __future__ import annotations

import email
import email.message
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes as parse_mime
from typing import TYPE_CHECKING

from asn1crypto import cms
from pyas2lib.cms import decrypt_message, verify_message
from pyas2lib.exceptions import (
    DecompressionError,
    DecryptionError,
    InsufficientSecurityError,
    IntegrityError,
)
from pyas2lib.utils import canonicalize, mime_to_bytes

if TYPE_CHECKING:
    from oscrypto.asymmetric import Certificate, PrivateKey

SIGNATURE_TYPES = ("application/pkcs7-signature", "application/x-pkcs7-signature")
# How much of a compressed entity is inflated to see whether it is signed inside.
PEEK_BYTES = 16 * 1024


@dataclass(frozen=True)
class Unwrapped:
    """What was found inside a message. ``error`` is set when a step failed: a pyas2lib
    ``AS2Exception`` names its disposition in ``disposition_type``/``disposition_modifier``;
    any other exception is an unexpected processing error. The flags say how far it got.

    The MIC is not computed here: its algorithm is the one the sender asks for in the MDN
    request, which this module is not shown. What it is computed over (RFC 4130 section
    7.3.1) is kept instead: ``signed_content``, the bytes the signature verified over, with
    ``signature_digest`` the digest the signer used; and ``inner_entity``, the MIME entity
    (headers and content) that decryption and decompression gave, None for a message that
    was neither encrypted nor compressed. ``verified`` survives an error after the
    signature was checked (e.g. a payload compressed inside it that will not inflate)."""

    signed: bool = False
    encrypted: bool = False
    compressed: bool = False
    content: bytes | None = None
    filename: str | None = None
    content_type: str | None = None
    signed_content: bytes | None = field(default=None, repr=False)
    signature_digest: str | None = None
    inner_entity: bytes | None = field(default=None, repr=False)
    error: Exception | None = None
    verified: bool = False  # a partner certificate verified the signature


@dataclass(frozen=True)
class Security:
    """What the partner's profile demands and the keys that open its messages.

    ``decrypt_keys`` are pyas2lib ``decrypt_key`` tuples (oscrypto private key,
    certificate). ``verify_certificates`` are functions that return an oscrypto
    certificate: loading one may check its chain and fail, which, as in pyas2lib, only
    matters to a signed message. Each list is tried in order (certificate rollover)."""

    decrypt_keys: Sequence[tuple[PrivateKey, Certificate]]
    verify_certificates: Sequence[Callable[[], Certificate]]
    require_encryption: bool
    require_signature: bool
    canonicalize_as_binary: bool
    max_decompressed_bytes: int
    # Inflated before the signature is verified (it is inside the compression), when the
    # partner must sign: see ReceiveLimits.
    max_unverified_decompressed_bytes: int


def unwrap(raw: bytes, security: Security) -> Unwrapped:
    """Open ``raw`` (header lines, a blank line, the body) as pyas2lib's ``Message.parse``
    would; never raises for bad input."""
    signed = encrypted = compressed = verified = False
    signed_content: bytes | None = None
    signature_digest: str | None = None
    try:
        payload = envelope = parse_mime(raw)
        entity = raw  # the bytes ``payload`` was parsed from
        if security.require_encryption and payload.get_content_type() != "application/pkcs7-mime":
            raise InsufficientSecurityError("the partner must encrypt its messages, and this one is not encrypted")
        if (payload.get_content_type() == "application/pkcs7-mime"
                and payload.get_param("smime-type") == "enveloped-data"):
            encrypted = True
            entity = _decrypt(_body(payload), security.decrypt_keys)
            payload = parse_mime(entity)
            if payload.get_content_type() == "text/plain":
                payload = email.message.Message()
                payload.set_payload(entity)
                payload.set_type("application/edi-consent")
        if security.require_signature and _content_type_inside(payload) != "multipart/signed":
            # Decided before decompression: an unsigned bomb is refused at its first kilobytes.
            raise InsufficientSecurityError("the partner must sign its messages, and this one is not signed")
        compressed, payload, entity = _decompressed(
            payload, entity, security.max_unverified_decompressed_bytes if security.require_signature
            else security.max_decompressed_bytes)
        inner_entity = entity if encrypted or compressed else None
        if security.require_signature and payload.get_content_type() != "multipart/signed":
            raise InsufficientSecurityError("the partner must sign its messages, and this one is not signed")
        if payload.get_content_type() == "multipart/signed":
            signed = True
            as_sent = _first_part(entity, payload.get_boundary())
            signature = None
            for part in payload.walk():
                if part.get_content_type() in SIGNATURE_TYPES:
                    signature = _body(part)
                else:
                    payload = part
            signed_content, signature_digest = _verify(
                signature, security.verify_certificates, as_sent,
                lambda: canonicalize(payload, canonicalize_as_binary=security.canonicalize_as_binary))
            verified = True
        if not compressed:
            compressed, payload, _ = _decompressed(payload, entity, security.max_decompressed_bytes)
        # pyas2lib adds the envelope's headers to the payload after parsing, so what the
        # payload lacks (e.g. a filename for bare text) is the envelope's.
        source = payload if "content-type" in payload else envelope
        return Unwrapped(signed=signed, encrypted=encrypted, compressed=compressed, content=_content(payload),
                         filename=payload.get_filename() or envelope.get_filename(),
                         content_type=source.get_content_type(), signed_content=signed_content,
                         signature_digest=signature_digest, inner_entity=inner_entity, verified=verified)
    except Exception as error:  # noqa: BLE001 - every failure becomes a disposition
        return Unwrapped(signed=signed, encrypted=encrypted, compressed=compressed, error=error, verified=verified)


def _body(part: email.message.Message) -> bytes:
    """The decoded body of a part that is not multipart (the parser gives such a part a
    str payload, so this never fails on a parsed message)."""
    body = part.get_payload(decode=True)
    if not isinstance(body, bytes):
        raise ValueError(f"{part.get_content_type()} part has no body")
    return body


def _decrypt(data: bytes, keys: Sequence[tuple[PrivateKey, Certificate]]) -> bytes:
    """Decrypt with the first key that opens the content (several during a rollover)."""
    failure: DecryptionError | None = None
    for key in keys:
        try:
            content: bytes = decrypt_message(data, key)[1]  # (cipher name, content)
            return content
        except DecryptionError as error:
            failure = error
    raise failure or DecryptionError("no key to decrypt with")


def _verify(signature: bytes | None, certificates: Sequence[Callable[[], object]], as_sent: bytes | None,
            canonical: Callable[[], bytes]) -> tuple[bytes, str]:
    """The signed content and its digest algorithm, for a signature that one of
    ``certificates`` verifies.

    The content is first taken as sent: the bytes of the first part, as RFC 1847 and
    ``openssl cms`` see them, which costs nothing. pyas2lib rebuilds the part from its
    parsed form instead (``canonicalize``), a third of the time spent opening a message;
    that form is tried only when the bytes as sent do not verify. When both verify they
    are the same bytes, so the MIC is the one pyas2lib would give.
    """
    failure: IntegrityError | None = None
    for content in (as_sent, None):
        content = canonical() if content is None else content
        for certificate in certificates:
            try:
                return content, verify_message(content, signature, certificate())
            except IntegrityError as error:
                failure = error
    raise failure or IntegrityError("no certificate to verify with")


def _first_part(entity: bytes, boundary: str | None) -> bytes | None:
    """The first body part of the multipart ``entity`` exactly as sent (RFC 2046: the line
    break before a delimiter belongs to the delimiter), or None if it cannot be found."""
    if not boundary:
        return None
    delimiter = b"--" + boundary.encode("latin-1")
    start = entity.find(delimiter)
    while start > 0 and entity[start - 1:start] != b"\n":
        start = entity.find(delimiter, start + 1)
    start = entity.find(b"\n", start) + 1 if start >= 0 else 0
    end = entity.find(b"\n" + delimiter, start)
    if start == 0 or end < 0:
        return None
    return entity[start:end - 1 if entity[end - 1:end] == b"\r" else end]


def _decompressed(payload: email.message.Message, entity: bytes,
                  max_bytes: int) -> tuple[bool, email.message.Message, bytes]:
    """(compressed?, the payload inside, the bytes it was parsed from)."""
    if not (payload.get_content_type() == "application/pkcs7-mime"
            and payload.get_param("smime-type") == "compressed-data"):
        return False, payload, entity
    content = decompress_cms(_body(payload), max_bytes)
    return True, parse_mime(content), content


def _content(payload: email.message.Message) -> bytes:
    """The payload's bytes, as pyas2lib's ``Message.content`` gives them."""
    if not payload.is_multipart():
        return _body(payload)
    boundary_param = payload.get_boundary()
    if boundary_param is None:  # the parser makes no multipart of an entity without one
        raise ValueError(f"{payload.get_content_type()} payload has no boundary")
    boundary = b"--" + boundary_param.encode("utf-8")
    return boundary + boundary.join(mime_to_bytes(payload).split(boundary)[1:])


def _content_type_inside(payload: email.message.Message) -> str:
    """The content type of ``payload``, or for compressed data the type of what is inside,
    read from the first kilobytes inflated (RFC 5402 allows compressing a signed entity)."""
    if not (payload.get_content_type() == "application/pkcs7-mime"
            and payload.get_param("smime-type") == "compressed-data"):
        return payload.get_content_type()
    head = _inflate(_body(payload), PEEK_BYTES, whole=False)
    end = min((index for index in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if index >= 0), default=len(head))
    return parse_mime(head[:end] + b"\r\n\r\n").get_content_type()


def decompress_cms(data: bytes, max_bytes: int) -> bytes:
    """Inflate a CMS CompressedData (zlib), refusing content larger than ``max_bytes``.

    Raises pyas2lib's ``DecompressionError`` so the disposition is
    ``decompression-failed``.
    """
    return _inflate(data, max_bytes, whole=True)


def _inflate(data: bytes, max_bytes: int, whole: bool) -> bytes:
    """Inflate the CompressedData in ``data``, never holding more than ``max_bytes`` + 1
    bytes of output: zlib stops there (``max_length``), before the size is checked.
    ``whole=False`` gives the first ``max_bytes`` and nothing is refused for size."""
    try:
        content_info = cms.ContentInfo.load(data)
        if content_info["content_type"].native != "compressed_data":
            raise DecompressionError("compressed data not found in the CMS structure")
        compressed = content_info["content"]
        algorithm = compressed["compression_algorithm"]["algorithm"].native
        if algorithm != "zlib":
            raise DecompressionError(f"unsupported compression algorithm {algorithm!r}")
        inflater = zlib.decompressobj()
        content = inflater.decompress(compressed["encap_content_info"]["content"].native,
                                      max_bytes + 1 if whole else max_bytes)
    except DecompressionError:
        raise
    except Exception as error:  # noqa: BLE001 - any malformed input is a decompression failure
        raise DecompressionError(f"decompression failed: {error}") from error
    if not whole:
        return content
    if len(content) > max_bytes:
        raise DecompressionError(f"decompressed content exceeds the limit of {max_bytes} bytes")
    if not inflater.eof:
        raise DecompressionError("compressed content is truncated")
    return content
