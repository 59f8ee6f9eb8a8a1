"""The certificate expiry watch: an exception 30 days before any active certificate expires.

A partner's certificate expiring stops our messages to it; ours expiring stops theirs to
us. Either needs a rollover planned with the partner, which takes days, hence the lead.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope
from gateway.operations.exception_queue import record_exception
from gateway.models import Certificate, TradingPartner

WARN_BEFORE = timedelta(days=30)


def check_certificates(settings: Settings, now: datetime | None = None) -> list[int]:
    """Record an exception for each active certificate expiring within 30 days; returns their ids."""
    now = now or datetime.now(timezone.utc)
    flagged = []
    with session_scope(settings) as session:
        for certificate in session.scalars(select(Certificate).where(Certificate.active.is_(True))):
            not_after = certificate.not_after
            if not_after - now > WARN_BEFORE:
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
