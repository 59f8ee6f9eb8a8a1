"""What a new installation gets so that ``make run`` shows a working gateway at once.

Only fills gaps: an installation that already has an organisation is left alone, so
running ``init`` again (as ``run`` does) never changes production data. ``org create``
takes the development organisation over and retires its certificate.
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


def is_development(organisation: Organisation) -> bool:
    """Whether ``organisation`` is the stand-in ``init`` made, which ``org create`` replaces."""
    return bool(organisation.profile.get("development"))


def ensure_development_identity(settings: Settings) -> None:
    """A development organisation with a key, on an installation that has no organisation.

    A key is made only for the development organisation: a real one whose keys are all
    retired or expired must not get a new key that no partner has; it gets a warning.
    """
    with session_scope(settings) as session:
        organisation = session.scalars(select(Organisation).order_by(Organisation.id)).first()
        if organisation is None:
            organisation = set_organisation(session, **DEVELOPMENT_ORGANISATION)
            organisation.profile = {"development": True}
            log.warning("no organisation was set up: made the development one; replace it with "
                        "`edi-gateway org create --as2-id YOUR_AS2_ID`", as2_id=organisation.as2_id)
        if organisation_keys(session, settings, organisation):
            return
        if not is_development(organisation):
            log.warning("our organisation has no active key, so nothing can be signed or decrypted: "
                        "make one with `edi-gateway certs create` and give it to partners", as2_id=organisation.as2_id)
            return
        certificate = create_organisation_certificate(session, settings, organisation)
        log.warning("organisation had no active key: made a self-signed development certificate",
                    fingerprint=certificate.fingerprint_sha256)
