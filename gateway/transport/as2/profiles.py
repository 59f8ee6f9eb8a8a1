"""The AS2 profiles of our organisation and of a partner, built from their rows and keys.

pyas2lib needs an organisation (our keys, our MDN URL) and a partner (its certificates
and the algorithms of its profile); they are made here from ``gateway.partners``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import TypeVar

from sqlalchemy import Connection, and_, bindparam, func, select
from sqlalchemy.orm import Session

from gateway.platform.db import existing
from gateway.models import Certificate, Organisation, TradingPartner
from gateway.partners.keystore import organisation_keys, partner_certificates
from gateway.partners.registry import PartnerError, profile_of
from gateway.platform.config import Settings
from gateway.transport.as2.protocol import OrganizationProfile, PartnerProfile


def organisation_profile(session: Session, settings: Settings, organisation: Organisation) -> OrganizationProfile:
    return OrganizationProfile(
        as2_id=organisation.as2_id,
        keys=organisation_keys(session, settings, organisation),
        mdn_url=f"{settings.public_url}/as2/mdn",
    )


# Settings of the AS2 profile section that only say where our async MDNs may go
# (async_mdn_url_refusal reads them from the section itself), not how messages look.
_NOT_PROTOCOL = ("mdn_hosts", "allow_private_mdn_addresses")


def partner_profile(session: Session, partner: TradingPartner) -> PartnerProfile:
    settings = {name: value for name, value in asdict(profile_of(partner).as2).items() if name not in _NOT_PROTOCOL}
    return PartnerProfile(as2_id=partner.as2_id, certificates=partner_certificates(session, partner), **settings)


# ------------------------------------------------- profiles built once per version
#
# A receive needs both profiles, hundreds of times a second, and so does every send and
# every MDN check. Building them reads key files and the passphrase and loads every row
# through the ORM, so each process keeps the profiles it built, under a key read from the
# database each time (one small query each): the rows behind a profile, and which of its
# certificates are valid now. A partner changed or a certificate added by another process
# (the CLI) therefore counts from the next message on, and an expired certificate drops
# out when it expires.

_built_profiles: dict[tuple, OrganizationProfile | PartnerProfile] = {}
_Profile = TypeVar("_Profile", OrganizationProfile, PartnerProfile)


@dataclass(frozen=True)
class PartnerVersion:
    """A partner row as the receive path needs it: to store a message against it, and to
    tell whether the profile built for it is still current (``stamp``)."""

    id: int
    active: bool
    stamp: tuple


# Built once: constructing a statement costs more than running it (~0.1 ms against 0.03).
_PARTNER_VERSION = (
    select(TradingPartner.id, TradingPartner.active, TradingPartner.updated_at, Certificate.id,
           Certificate.not_after)
    .outerjoin(Certificate, and_(Certificate.partner_id == TradingPartner.id, Certificate.active.is_(True)))
    .where(TradingPartner.as2_id == bindparam("as2_id"))
)
_ORGANISATION_ROWS = (
    select(Organisation.id, Organisation.as2_id, Certificate.id, Certificate.not_after)
    .outerjoin(Certificate, and_(Certificate.organisation_id == Organisation.id, Certificate.active.is_(True),
                                 Certificate.private_key_file.is_not(None)))
)
_ORGANISATION_VERSION = _ORGANISATION_ROWS.where(Organisation.as2_id == bindparam("as2_id"))
# Ours: the installation's one organisation (``the_organisation``), in the same query.
_OUR_ORGANISATION_VERSION = _ORGANISATION_ROWS.where(
    Organisation.id == select(func.min(Organisation.id)).scalar_subquery())


def partner_version(connection: Connection, as2_id: str) -> PartnerVersion | None:
    rows = connection.execute(_PARTNER_VERSION, {"as2_id": as2_id}).all()
    if not rows:
        return None
    partner_id, active, updated_at = rows[0][:3]
    return PartnerVersion(partner_id, active, (updated_at, _valid_now(rows)))


def current_partner_profile(connection: Connection, version: PartnerVersion) -> PartnerProfile:
    """``partner_profile`` for the row ``version`` names, built once per version."""
    key = ("partner", version.id, version.stamp)
    profile = _built_profiles.get(key)
    if isinstance(profile, PartnerProfile):  # or None: a "partner" key only ever holds a PartnerProfile
        return profile
    with Session(bind=connection) as session:
        partner = existing(session, TradingPartner, version.id)
        return _remember(key, partner_profile(session, partner))


def current_organisation_profile(connection: Connection, settings: Settings,
                                 as2_id: str) -> OrganizationProfile | None:
    """``organisation_profile`` for ``as2_id`` (None if that is not us), built once per
    set of valid key pairs."""
    rows = connection.execute(_ORGANISATION_VERSION, {"as2_id": as2_id}).all()
    return _organisation_profile(connection, settings, rows)


def sending_profiles(session: Session, settings: Settings,
                     partner: TradingPartner) -> tuple[OrganizationProfile, PartnerProfile]:
    """Our profile and ``partner``'s, for a message we send to it or an MDN it sends back,
    from the versions above (``organisation_profile`` and ``partner_profile`` otherwise)."""
    connection = session.connection()
    organisation = _organisation_profile(connection, settings, connection.execute(_OUR_ORGANISATION_VERSION).all())
    if organisation is None:
        raise PartnerError("no organisation is set up: run `edi-gateway org create --as2-id YOUR_AS2_ID`")
    version = partner_version(connection, partner.as2_id)
    assert version is not None, f"partner {partner.as2_id} was loaded in this transaction"
    return organisation, current_partner_profile(connection, version)


def _organisation_profile(connection: Connection, settings: Settings, rows) -> OrganizationProfile | None:
    """The profile of the organisation in ``(id, as2_id, certificate id, not_after)`` rows, built
    once per set of valid key pairs; None for no rows."""
    if not rows:
        return None
    organisation_id, as2_id = rows[0][:2]
    key = ("organisation", organisation_id, as2_id, settings.public_url, settings.data_dir, _valid_now(rows))
    profile = _built_profiles.get(key)
    if isinstance(profile, OrganizationProfile):  # or None: an "organisation" key only holds these
        return profile
    with Session(bind=connection) as session:
        organisation = existing(session, Organisation, organisation_id)
        return _remember(key, organisation_profile(session, settings, organisation))


def _valid_now(rows) -> frozenset[int]:
    """The ids of the certificates in ``(..., id, not_after)`` rows that are valid now."""
    now = datetime.now(timezone.utc)
    return frozenset(row[-2] for row in rows if row[-2] is not None and row[-1] > now)


def _remember(key: tuple, profile: _Profile) -> _Profile:
    if len(_built_profiles) >= 64:  # old versions are never asked for again
        _built_profiles.clear()
    _built_profiles[key] = profile
    return profile
