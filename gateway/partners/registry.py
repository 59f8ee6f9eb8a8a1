"""Our organisation and our trading partners: the stored rows, created, found and changed.

A partner's settings are its typed profile (``gateway.partners.profile``), checked here
whenever it is written so a bad value is refused with one line, never found by a worker.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Organisation, TradingPartner
from gateway.partners.profile import Profile, ProfileSettingError


class PartnerError(Exception):
    """A partner or organisation record is missing or would be invalid."""


def the_organisation(session: Session) -> Organisation:
    organisation = session.scalars(select(Organisation).order_by(Organisation.id)).first()
    if organisation is None:
        raise PartnerError("no organisation is set up: run `edi-gateway org create --as2-id YOUR_AS2_ID`")
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
    session: Session, *, name: str, as2_id: str, x12_id: str, x12_qualifier: str = "ZZ",
    as2: Mapping[str, Any] | None = None,
) -> TradingPartner:
    if find_partner(session, as2_id) is not None:
        raise PartnerError(f"a trading partner with AS2 id {as2_id!r} exists already")
    profile = _checked(lambda: Profile().changed("as2", as2 or {}))
    partner = TradingPartner(
        organisation=the_organisation(session), name=name, as2_id=as2_id, x12_id=x12_id,
        x12_qualifier=x12_qualifier, profile=profile.to_json(),
    )
    session.add(partner)
    session.flush()
    return partner


def profile_of(partner: TradingPartner) -> Profile:
    """The partner's typed profile, as stored (defaults for what was never set)."""
    return _profile_from(orjson.dumps(partner.profile, option=orjson.OPT_SORT_KEYS))


@lru_cache(maxsize=64)
def _profile_from(stored: bytes) -> Profile:
    """Reading and checking a profile costs more than a PO's translation; a profile is frozen,
    so equal stored profiles share one (keyed by their text, so a changed profile is read anew;
    written by orjson, several times faster than json, as it is asked for several times a PO)."""
    return _checked(lambda: Profile.from_json(orjson.loads(stored)))


def update_profile(partner: TradingPartner, section: str, changes: Mapping[str, Any]) -> Profile:
    """Change settings of one profile section (``as2``, ``x12``, ``acknowledgement``, ``ship_notice``,
    ``invoicing``)."""
    profile = _checked(lambda: Profile.from_json(partner.profile).changed(section, changes))
    partner.profile = profile.to_json()
    return profile


def _checked(make: Callable[[], Profile]) -> Profile:
    """``make()``, its setting error worded as every partner error is."""
    try:
        return make()
    except ProfileSettingError as error:
        raise PartnerError(str(error)) from None
