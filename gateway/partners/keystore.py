"""Our AS2 keys and our partners' certificates: made, imported, listed, loaded.

Private keys are files under ``<data dir>/keys`` (mode 0600, encrypted with the key
passphrase); the database holds only certificates and the key file's name. The
passphrase comes from ``EDI_GATEWAY_KEY_PASSPHRASE``; a development install without it
gets a random one in ``<data dir>/secrets/key-passphrase`` (0600), made on first use.
"""
from __future__ import annotations

import os
import secrets
from datetime import datetime, timezone
from pathlib import Path

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.partners.certificates import (
    CertificateInfo,
    OrganizationKey,
    certificate_pem,
    describe_certificate,
    generate_organization_key,
    write_private_key,
)
from gateway.platform.config import Settings
from gateway.models import Certificate, Organisation, TradingPartner

log = structlog.get_logger("gateway.partners.keystore")


def key_passphrase(settings: Settings) -> bytes:
    if settings.key_passphrase:
        return settings.key_passphrase.encode()
    path = settings.data_dir / "secrets" / "key-passphrase"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
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
    key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
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
