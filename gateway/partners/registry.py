"""Our organisation and our trading partners: the stored rows, created, found and changed.

A partner's AS2 settings live in ``profile["as2"]`` (see ``AS2_DEFAULTS``) so that a
vendor can match whatever Amazon's onboarding asked for without a code change.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Organisation, TradingPartner
from gateway.transport.as2.protocol import MdnMode, PartnerProfile, ProfileError

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
