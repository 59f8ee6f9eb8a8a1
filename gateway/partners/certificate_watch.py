"""The certificate expiry watch: an exception 30 days before any active certificate expires.

A partner's certificate expiring stops our messages to it; ours expiring stops theirs to
us. Either needs a rollover planned with the partner, which takes days, hence the lead.
The exception resolves itself once the certificate is renewed (its owner has another
active certificate valid past the window) or retired.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope
from gateway.operations.exception_queue import record_exception, resolve_cause_gone
from gateway.models import Certificate, TradingPartner

WARN_BEFORE = timedelta(days=30)


def check_certificates(settings: Settings, now: datetime | None = None) -> list[int]:
    """Record an exception for each active certificate expiring within 30 days; returns their ids."""
    now = now or datetime.now(timezone.utc)
    flagged = []
    with session_scope(settings) as session:
        certificates = list(session.scalars(select(Certificate)))
        lasting = {_owner(certificate) for certificate in certificates
                   if certificate.active and certificate.not_after - now > WARN_BEFORE}
        for certificate in certificates:
            not_after = certificate.not_after
            if not certificate.active or not_after - now > WARN_BEFORE or _owner(certificate) in lasting:
                _resolve(session, certificate, now)
                continue
            if certificate.organisation_id:
                owner = "our"
            else:
                partner = existing(session, TradingPartner, certificate.partner_id)
                owner = f"{partner.as2_id}'s"
            days = (not_after - now).days
            state = f"expired {-days} days ago" if days < 0 else f"expires in {days} days"
            record_exception(session, "certificate_expiring",
                             f"{owner} certificate {certificate.subject} {state} ({not_after:%Y-%m-%d})",
                             subject_type="certificate", subject_id=certificate.id,
                             detail={"fingerprint": certificate.fingerprint_sha256})
            flagged.append(certificate.id)
    return flagged


def _owner(certificate: Certificate) -> tuple[int | None, int | None]:
    return certificate.organisation_id, certificate.partner_id


def _resolve(session: Session, certificate: Certificate, now: datetime) -> None:
    """Resolve the certificate's expiry exception, if any, saying why it no longer matters."""
    if not certificate.active:
        cause = "the certificate was retired"
    elif certificate.not_after - now > WARN_BEFORE:
        cause = f"the certificate is valid until {certificate.not_after:%Y-%m-%d}"
    else:
        cause = "renewed: another active certificate of the same owner is valid beyond the next 30 days"
    resolve_cause_gone(session, ("certificate_expiring",), subject_type="certificate", subject_id=certificate.id,
                       cause=cause)
