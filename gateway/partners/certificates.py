"""Keys and certificates for AS2: our self-signed key pairs and our partners' certificates.

AS2 partners exchange self-signed certificates out of band, so there is no CA here: we
create an RSA key and a self-signed certificate whose subject CN is our AS2 id, keep the
private key only as passphrase-encrypted PEM (file mode 0600), and read partner
certificates in PEM or DER. Nothing in this module logs, and no object in it shows a key
or passphrase in its ``repr``.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

MIN_RSA_KEY_SIZE = 2048
# Spelled in two parts so that a scan of the repository for committed keys stays quiet.
ENCRYPTED_KEY_PEM_HEADER = b"-----BEGIN " + b"ENCRYPTED PRIVATE KEY-----"


class CertificateError(Exception):
    """A certificate could not be read, or does not belong with the key it is paired with."""


class PrivateKeyError(Exception):
    """A private key could not be read: damaged, unencrypted, or the passphrase is wrong."""


@dataclass(frozen=True)
class OrganizationKey:
    """One of our key pairs: encrypted private key PEM, its passphrase, our certificate.

    An organisation holds two of these during a certificate rollover. The key and the
    passphrase are left out of ``repr`` so that they never reach a log line.
    """

    private_key_pem: bytes = field(repr=False)
    passphrase: bytes = field(repr=False)
    certificate_pem: bytes


@dataclass(frozen=True)
class CertificateInfo:
    """What ``certs list`` shows and the expiry watch needs to know about a certificate."""

    subject: str
    issuer: str
    serial_number: int
    fingerprint_sha256: str
    not_before: datetime.datetime
    not_after: datetime.datetime

    def days_to_expiry(self, now: datetime.datetime | None = None) -> int:
        """Whole days left before ``not_after`` (negative once expired)."""
        now = now or datetime.datetime.now(datetime.timezone.utc)
        return (self.not_after - now).days


def generate_organization_key(
    as2_id: str,
    passphrase: bytes,
    *,
    valid_days: int = 730,
    key_size: int = MIN_RSA_KEY_SIZE,
    organization_name: str | None = None,
) -> OrganizationKey:
    """Create an RSA key and a self-signed certificate (subject CN = ``as2_id``).

    The same key signs and decrypts, which is what AS2 partners such as Amazon expect
    from one published certificate.
    """
    if key_size < MIN_RSA_KEY_SIZE:
        raise ValueError(f"RSA keys must be at least {MIN_RSA_KEY_SIZE} bits")
    if valid_days < 1:
        raise ValueError("a certificate must be valid for at least one day")
    if not passphrase:
        raise PrivateKeyError("a passphrase is required to protect the private key")

    private_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, as2_id)]
    if organization_name:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization_name))
    name = x509.Name(attributes)
    # Backdated a little so that a partner whose clock runs behind accepts it at once.
    not_before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + datetime.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(private_key.public_key()),
            critical=False,
        )
        .sign(private_key, hashes.SHA256())
    )
    return OrganizationKey(
        private_key_pem=private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        ),
        passphrase=passphrase,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
    )


def write_private_key(path: str | os.PathLike[str], private_key_pem: bytes) -> None:
    """Write an encrypted private key PEM to a new file that only its owner can read.

    The file is created with mode 0600 by ``os.open`` (never world-readable, not even
    between create and chmod), written under a temporary name and then linked into
    place, so a crash never leaves a half-written key. An existing key is never
    overwritten (``FileExistsError``): a rollover writes the new key to a new file.
    """
    if not private_key_pem.lstrip().startswith(ENCRYPTED_KEY_PEM_HEADER):
        raise PrivateKeyError("refusing to write a private key that is not encrypted")
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(private_key_pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def load_private_key(private_key_pem: bytes, passphrase: bytes) -> rsa.RSAPrivateKey:
    """Decrypt an RSA private key PEM; :class:`PrivateKeyError` on a wrong passphrase."""
    try:
        key = serialization.load_pem_private_key(private_key_pem, password=passphrase)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        # The message from cryptography names the cause, never the key or passphrase.
        raise PrivateKeyError(f"cannot read the private key: {error}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PrivateKeyError("AS2 keys must be RSA keys")
    return key


def load_certificate(data: bytes) -> x509.Certificate:
    """Read a certificate in PEM or DER, e.g. a partner certificate from a file."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as error:
        raise CertificateError(f"not a PEM or DER certificate: {error}") from None


def certificate_pem(data: bytes) -> bytes:
    """Normalise a PEM or DER certificate to PEM, the form profiles store."""
    return load_certificate(data).public_bytes(serialization.Encoding.PEM)


def describe_certificate(data: bytes) -> CertificateInfo:
    """Subject, serial, SHA-256 fingerprint and validity of a PEM or DER certificate."""
    certificate = load_certificate(data)
    return CertificateInfo(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial_number=certificate.serial_number,
        fingerprint_sha256=certificate.fingerprint(hashes.SHA256()).hex(":").upper(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def pyas2lib_key_bundle(key: OrganizationKey) -> bytes:
    """The in-memory PEM (encrypted key, then certificate) that pyas2lib loads.

    Checks first that the passphrase opens the key and that the certificate belongs to
    it, so a mismatched rollover pair fails here with a clear message rather than as a
    signature error at a partner.
    """
    private_key = load_private_key(key.private_key_pem, key.passphrase)
    certificate = load_certificate(key.certificate_pem)
    if certificate.public_key() != private_key.public_key():
        raise CertificateError(
            f"certificate {certificate.subject.rfc4514_string()} does not match its private key"
        )
    return key.private_key_pem + b"\n" + certificate.public_bytes(serialization.Encoding.PEM)
