"""Our AS2 keys and our partners' certificates: made, imported, listed, loaded, retired.

Private keys are files under ``<data dir>/keys`` (mode 0600, encrypted with the key
passphrase); the database holds only certificates and the key file's name. The
passphrase comes from ``EDI_GATEWAY_KEY_PASSPHRASE``; a development install without it
gets a random one in ``<data dir>/secrets/key-passphrase`` (0600), made on first use.

A retired certificate stays in the database for the record (``certs list`` shows it as
retired) but is never used again: not offered to partners, not used to sign, encrypt,
decrypt or verify. Its key file stays too; nothing reads it.
"""
from __future__ import annotations

import os
import secrets
import string
from datetime import datetime, timezone
from pathlib import Path

import structlog
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gateway.partners.certificates import (
    CertificateInfo,
    OrganizationKey,
    certificate_pem,
    describe_certificate,
    generate_organization_key,
    write_private_key,
)
from gateway.platform import audit
from gateway.platform.config import Settings
from gateway.platform.db import existing
from gateway.platform.private_files import private_folder
from gateway.models import Certificate, Organisation, TradingPartner

log = structlog.get_logger("gateway.partners.keystore")

# A fingerprint prefix shorter than this names too many certificates to be a safe reference.
SHORTEST_FINGERPRINT_PREFIX = 8


class KeystoreError(Exception):
    """A certificate cannot be found, or retiring it would leave its owner without one."""


def key_passphrase(settings: Settings) -> bytes:
    if settings.key_passphrase:
        return settings.key_passphrase.encode()
    path = settings.data_dir / "secrets" / "key-passphrase"
    if not path.exists():
        private_folder(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
        log.warning("EDI_GATEWAY_KEY_PASSPHRASE is not set: made a development passphrase file", path=str(path))
    return path.read_text().strip().encode()


def create_organisation_certificate(
    session: Session, settings: Settings, organisation: Organisation, *, valid_days: int = 730
) -> Certificate:
    """Make a new RSA key and self-signed certificate for us; it is active at once."""
    key = generate_organization_key(organisation.as2_id, key_passphrase(settings), valid_days=valid_days,
                                     organization_name=organisation.name)
    info = describe_certificate(key.certificate_pem)
    key_file = settings.data_dir / "keys" / f"{organisation.as2_id}-{fingerprint(info)[:16]}.key.pem"
    private_folder(key_file.parent)
    write_private_key(key_file, key.private_key_pem)
    certificate = _certificate_row(key.certificate_pem, organisation_id=organisation.id)
    certificate.private_key_file = str(key_file)
    session.add(certificate)
    session.flush()
    return certificate


def import_partner_certificate(session: Session, partner: TradingPartner, data: bytes) -> Certificate:
    """Add a partner's certificate (PEM or DER); an already known one is returned as it is."""
    pem = certificate_pem(data)
    info = describe_certificate(pem)
    existing = session.scalars(
        select(Certificate).where(Certificate.partner_id == partner.id,
                                  Certificate.fingerprint_sha256 == fingerprint(info))
    ).first()
    if existing is not None:
        return existing
    certificate = _certificate_row(pem, partner_id=partner.id)
    session.add(certificate)
    session.flush()
    return certificate


def organisation_keys(session: Session, settings: Settings, organisation: Organisation) -> tuple[OrganizationKey, ...]:
    """Our active key pairs, newest first: the first signs, all of them decrypt."""
    passphrase = key_passphrase(settings)
    rows = _active(session, Certificate.organisation_id == organisation.id)
    return tuple(
        OrganizationKey(private_key_pem=Path(row.private_key_file).read_bytes(), passphrase=passphrase,
                        certificate_pem=row.certificate_pem.encode())
        for row in rows
        if row.private_key_file
    )


def partner_certificates(session: Session, partner: TradingPartner) -> tuple[bytes, ...]:
    """The partner's active certificates, newest first: we encrypt to the first."""
    return tuple(row.certificate_pem.encode() for row in _active(session, Certificate.partner_id == partner.id))


def all_certificates(session: Session) -> list[Certificate]:
    return list(session.scalars(select(Certificate).order_by(Certificate.not_after)))


def certificate_state(certificate: Certificate, now: datetime | None = None) -> str:
    """``active`` (in use), ``expired`` (past its date, so no longer used) or ``retired``."""
    if not certificate.active:
        return "retired"
    return "active" if certificate.not_after > (now or datetime.now(timezone.utc)) else "expired"


def certificate_owner(session: Session, certificate: Certificate) -> str:
    """``us`` or ``partner AS2ID``, as ``certs list`` names the owner."""
    if certificate.organisation_id:
        return "us"
    return f"partner {existing(session, TradingPartner, certificate.partner_id).as2_id}"


def find_certificate(session: Session, reference: str) -> Certificate:
    """The certificate ``reference`` names: its id, or its SHA-256 fingerprint or the start of
    it (at least 8 hex digits, with or without colons), as ``certs list`` shows them."""
    text = reference.strip().replace(":", "").lower()
    clauses = []
    if text.isdigit() and len(text) <= 18:
        clauses.append(Certificate.id == int(text))
    if len(text) >= SHORTEST_FINGERPRINT_PREFIX and all(digit in string.hexdigits for digit in text):
        clauses.append(Certificate.fingerprint_sha256.startswith(text))
    if not clauses:
        raise KeystoreError(f"{reference!r} is neither a certificate id nor a fingerprint "
                            f"(at least {SHORTEST_FINGERPRINT_PREFIX} hex digits); `edi-gateway certs list` shows both")
    found = session.scalars(select(Certificate).where(or_(*clauses)).order_by(Certificate.id)).all()
    if not found:
        raise KeystoreError(f"no certificate {reference!r}; `edi-gateway certs list` shows them")
    if len(found) > 1:
        ids = ", ".join(str(row.id) for row in found)
        raise KeystoreError(f"{reference!r} names certificates {ids}; give the id of the one you mean")
    return found[0]


def retire_certificate(session: Session, certificate: Certificate, *, actor: str, reason: str,
                       force: bool = False) -> bool:
    """Stop using ``certificate`` for good; False when it was retired already.

    Refused, unless ``force``, when it is the last usable certificate of its owner: for us
    that is the only key that signs what we send and decrypts what partners send; for a
    partner, the only certificate we encrypt to and verify it with. Either way every
    exchange would stop, so the message says what to put in place first.
    """
    if not certificate.active:
        return False
    owner = certificate_owner(session, certificate)
    last = is_last_usable(session, certificate)
    if last and not force:
        short = certificate.fingerprint_sha256[:16]
        if certificate.organisation_id:
            raise KeystoreError(
                f"certificate {short} is our only active key: without it the gateway can neither sign what it "
                "sends nor decrypt what partners send; make its successor first (`edi-gateway certs create`) and "
                "give it to your partners, or retire this one anyway with --force")
        as2_id = owner.removeprefix("partner ")
        raise KeystoreError(
            f"certificate {short} is {as2_id}'s only active certificate: without it the gateway can neither "
            f"encrypt to {as2_id} nor verify what it signs; import its new one first (`edi-gateway certs "
            f"import-partner FILE --partner {as2_id}`), or retire this one anyway with --force")
    certificate.active = False
    audit.record(session, "certificate.retired", actor=actor, subject_type="certificate", subject_id=certificate.id,
                 fingerprint=certificate.fingerprint_sha256, owner=owner, subject=certificate.subject, reason=reason,
                 left_without_certificate=last)
    return True


def is_last_usable(session: Session, certificate: Certificate) -> bool:
    """Whether ``certificate`` is the only one its owner can use now (active, unexpired, and
    for us with its private key)."""
    if certificate.organisation_id:
        usable = [row for row in _active(session, Certificate.organisation_id == certificate.organisation_id)
                  if row.private_key_file]
    else:
        usable = _active(session, Certificate.partner_id == certificate.partner_id)
    return [row.id for row in usable] == [certificate.id]


def _active(session: Session, owner_clause) -> list[Certificate]:
    now = datetime.now(timezone.utc)
    rows = session.scalars(
        select(Certificate).where(owner_clause, Certificate.active.is_(True)).order_by(Certificate.not_before.desc(),
                                                                                        Certificate.id.desc())
    ).all()
    return [row for row in rows if row.not_after > now]


def fingerprint(info: CertificateInfo) -> str:
    """SHA-256 fingerprint as 64 lowercase hex digits (how we store and name it)."""
    return info.fingerprint_sha256.replace(":", "").lower()


def _certificate_row(pem: bytes, **owner: int) -> Certificate:
    info = describe_certificate(pem)
    return Certificate(
        certificate_pem=pem.decode(),
        fingerprint_sha256=fingerprint(info),
        subject=info.subject,
        serial_number=format(info.serial_number, "x"),
        not_before=info.not_before,
        not_after=info.not_after,
        active=True,
        **owner,
    )
