"""Where Amazon pays us: the remit-to (N1*RI) every 810 carries, kept on our organisation.

Set with ``edi-gateway org remit-to --name ... --street ... --city ... --postal-code ...
--country CC [--state ST]``; checked like a warehouse address (the same N1/N3/N4 lengths).
No invoice goes out without it: an 810 without a remit-to is short-paid or rejected.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from edi_maps.documents import Address
from gateway.partners.registry import the_organisation
from gateway.platform import audit
from gateway.shipping.warehouses import WarehouseAddress, checked_address

NOT_SET = ("the gateway has no remit-to address for the 810: an admin sets it with `edi-gateway org remit-to "
           "--name ... --street ... --city ... --postal-code ... --country CC`")


def set_remit_to(session: Session, address: WarehouseAddress, *, actor: str = "system") -> Address:
    """Check and keep the remit-to on our organisation; raises ``WarehouseError`` naming the bad value."""
    values = checked_address(address)
    organisation = the_organisation(session)
    organisation.profile = {**organisation.profile, "remit_to": values}
    audit.record(session, "organisation.remit_to_set", actor=actor, subject_type="organisation",
                 subject_id=organisation.id, **values)
    return _address(values)


def remit_to(session: Session) -> Address | None:
    """The remit-to, or None while nobody has set it."""
    values = the_organisation(session).profile.get("remit_to")
    return _address(values) if values else None


def _address(values: dict[str, str | None]) -> Address:
    def text(name: str) -> str:
        value = values[name]
        assert value is not None  # checked_address fills every field but the state
        return value

    return Address(text("name"), text("street"), text("city"), values["state"], text("postal_code"), text("country"))
