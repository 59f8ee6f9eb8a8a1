"""Our organisation and our trading partners: stored rows and the AS2 profiles made from them.

A partner's AS2 settings live in ``profile["as2"]`` (see ``AS2_DEFAULTS``) so that a
vendor can match whatever Amazon's onboarding asked for without a code change.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select
from sqlalchemy.orm import Session

from gateway.as2 import MdnMode, OrganizationProfile, PartnerProfile, ProfileError
from gateway.config import Settings
from gateway.keystore import organisation_keys, partner_certificates
from gateway.models import Certificate, Organisation, TradingPartner

AS2_DEFAULTS: dict[str, Any] = {
    "url": None,
    "sign": True,
    "encrypt": True,
    "compress": False,
    "digest_algorithm": "sha256",
    "encryption_algorithm": "aes-256-cbc",
    "mdn_mode": MdnMode.SYNC.value,
    "signed_mdn": True,
    "canonicalize_as_binary": False,
    "validate_certs": False,
}


class PartnerError(Exception):
    """A partner or organisation record is missing or would be invalid."""


def the_organisation(session: Session) -> Organisation:
    organisation = session.scalars(select(Organisation).order_by(Organisation.id)).first()
    if organisation is None:
        raise PartnerError("no organisation is set up: run `edi-gateway org set`")
    return organisation


def set_organisation(session: Session, *, name: str, as2_id: str, x12_id: str, x12_qualifier: str = "ZZ") -> Organisation:
    """Create our organisation, or update it (there is one per installation)."""
    organisation = session.scalars(select(Organisation).order_by(Organisation.id)).first()
    if organisation is None:
        organisation = Organisation(name=name, as2_id=as2_id, x12_id=x12_id, x12_qualifier=x12_qualifier, profile={})
        session.add(organisation)
    else:
        organisation.name, organisation.as2_id = name, as2_id
        organisation.x12_id, organisation.x12_qualifier = x12_id, x12_qualifier
    session.flush()
    return organisation


def find_partner(session: Session, as2_id: str) -> TradingPartner | None:
    return session.scalars(select(TradingPartner).where(TradingPartner.as2_id == as2_id)).first()


def get_partner(session: Session, as2_id: str) -> TradingPartner:
    partner = find_partner(session, as2_id)
    if partner is None:
        raise PartnerError(f"no trading partner with AS2 id {as2_id!r}")
    return partner


def add_partner(
    session: Session, *, name: str, as2_id: str, x12_id: str, x12_qualifier: str = "ZZ", as2: dict[str, Any] | None = None
) -> TradingPartner:
    if find_partner(session, as2_id) is not None:
        raise PartnerError(f"a trading partner with AS2 id {as2_id!r} exists already")
    partner = TradingPartner(
        organisation=the_organisation(session), name=name, as2_id=as2_id, x12_id=x12_id,
        x12_qualifier=x12_qualifier, profile={"as2": _checked_as2({**AS2_DEFAULTS, **(as2 or {})})},
    )
    session.add(partner)
    session.flush()
    return partner


def update_partner_as2(partner: TradingPartner, changes: dict[str, Any]) -> None:
    merged = {**AS2_DEFAULTS, **partner.profile.get("as2", {}), **changes}
    partner.profile = {**partner.profile, "as2": _checked_as2(merged)}


def as2_settings(partner: TradingPartner) -> dict[str, Any]:
    return {**AS2_DEFAULTS, **partner.profile.get("as2", {})}


def organisation_profile(session: Session, settings: Settings, organisation: Organisation) -> OrganizationProfile:
    return OrganizationProfile(
        as2_id=organisation.as2_id,
        keys=organisation_keys(session, settings, organisation),
        mdn_url=f"{settings.public_url}/as2/mdn",
    )


def partner_profile(session: Session, partner: TradingPartner) -> PartnerProfile:
    return PartnerProfile(as2_id=partner.as2_id, certificates=partner_certificates(session, partner),
                          **as2_settings(partner))


# ------------------------------------------------------------ the receive path's look-ups
#
# A receive needs both profiles, hundreds of times a second. Building them reads key
# files and the passphrase and loads every row through the ORM, so each process keeps
# the profiles it built, under a key read from the database for every message (one
# small query each, on the receive path's Connection): the rows behind a profile, and
# which of its certificates are valid now. A partner changed or a certificate added by
# another process (the CLI) therefore counts from the next message on, and an expired
# certificate drops out when it expires.

_built_profiles: dict[tuple, OrganizationProfile | PartnerProfile] = {}


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
_ORGANISATION_VERSION = (
    select(Organisation.id, Certificate.id, Certificate.not_after)
    .outerjoin(Certificate, and_(Certificate.organisation_id == Organisation.id, Certificate.active.is_(True),
                                 Certificate.private_key_file.is_not(None)))
    .where(Organisation.as2_id == bindparam("as2_id"))
)


def partner_version(connection: Connection, as2_id: str) -> PartnerVersion | None:
    rows = connection.execute(_PARTNER_VERSION, {"as2_id": as2_id}).all()
    if not rows:
        return None
    partner_id, active, updated_at = rows[0][:3]
    return PartnerVersion(partner_id, active, (updated_at, _valid_now(rows)))


def receiving_partner_profile(connection: Connection, version: PartnerVersion) -> PartnerProfile:
    """``partner_profile`` for the row ``version`` names, built once per version."""
    key = ("partner", version.id, version.stamp)
    profile = _built_profiles.get(key)
    if profile is None:
        with Session(bind=connection) as session:
            profile = _remember(key, partner_profile(session, session.get(TradingPartner, version.id)))
    return profile


def receiving_organisation_profile(connection: Connection, settings: Settings,
                                   as2_id: str) -> OrganizationProfile | None:
    """``organisation_profile`` for ``as2_id`` (None if that is not us), built once per
    set of valid key pairs."""
    rows = connection.execute(_ORGANISATION_VERSION, {"as2_id": as2_id}).all()
    if not rows:
        return None
    key = ("organisation", rows[0][0], as2_id, settings.public_url, settings.data_dir, _valid_now(rows))
    profile = _built_profiles.get(key)
    if profile is None:
        with Session(bind=connection) as session:
            profile = _remember(key, organisation_profile(session, settings, session.get(Organisation, rows[0][0])))
    return profile


def _valid_now(rows) -> frozenset[int]:
    """The ids of the certificates in ``(..., id, not_after)`` rows that are valid now."""
    now = datetime.now(timezone.utc)
    return frozenset(row[-2] for row in rows if row[-2] is not None and row[-1] > now)


def _remember(key: tuple, profile: OrganizationProfile | PartnerProfile) -> OrganizationProfile | PartnerProfile:
    if len(_built_profiles) >= 64:  # old versions are never asked for again
        _built_profiles.clear()
    _built_profiles[key] = profile
    return profile


def _checked_as2(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(AS2_DEFAULTS)
    if unknown:
        raise PartnerError(f"unknown AS2 setting(s): {', '.join(sorted(unknown))}")
    # PartnerProfile validates algorithms and modes; a placeholder certificate lets it run.
    try:
        PartnerProfile(as2_id="check", certificates=(b"-",), **values)
    except (ProfileError, ValueError) as error:
        raise PartnerError(str(error)) from None
    return values
