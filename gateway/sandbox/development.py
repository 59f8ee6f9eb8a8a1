"""What a new installation gets so that ``make run`` shows a working gateway at once.

Only fills gaps: an installation that already has an organisation and an active key is
left alone, so running ``init`` again (as ``run`` does) never changes production data.
"""
from __future__ import annotations

import structlog
from sqlalchemy import select

from gateway.platform.config import Settings
from gateway.platform.db import session_scope
from gateway.partners.keystore import create_organisation_certificate, organisation_keys
from gateway.models import Organisation
from gateway.partners.registry import set_organisation

log = structlog.get_logger("gateway.sandbox.development")

# The demo vendor of the sample documents in tests/fixtures/amazon.
DEVELOPMENT_ORGANISATION = {"name": "Acme Brands (development)", "as2_id": "ACMEBRANDS", "x12_id": "ACMEBRANDS"}


def ensure_development_identity(settings: Settings) -> None:
    with session_scope(settings) as session:
        organisation = session.scalars(select(Organisation).order_by(Organisation.id)).first()
        if organisation is None:
            organisation = set_organisation(session, **DEVELOPMENT_ORGANISATION)
            organisation.profile = {"development": True}  # `org create` may take it over
            log.warning("no organisation was set up: made the development one; change it with `edi-gateway org set`",
                        as2_id=organisation.as2_id)
        if not organisation_keys(session, settings, organisation):
            certificate = create_organisation_certificate(session, settings, organisation)
            log.warning("organisation had no active key: made a self-signed development certificate",
                        fingerprint=certificate.fingerprint_sha256)
