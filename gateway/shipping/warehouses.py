"""The warehouses shipments leave from: a code the shipment names, and the name and address
the 856's ship-from (N1*SF, N3, N4) is written with.

Every value is checked here, when the warehouse is added, so a ship notice is never refused
later for an address nobody can fix at that moment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Warehouse
from gateway.platform import audit

# The shipment's ship-from reference: short, and safe in any X12 element and file name.
CODE = re.compile(r"[A-Z0-9-]{1,20}")
COUNTRY = re.compile(r"[A-Z]{2}")
STATE = re.compile(r"[A-Z0-9]{2}")

# Element lengths (minimum, maximum) in X12 4010 and 5010 alike, where these values go:
# N102 name AN 1/60, N301 address AN 1/55, N401 city AN 2/30, N402 state ID 2/2,
# N403 postal code ID 3/15, N404 country ID 2/3 (we keep ISO 3166-1 alpha-2, so 2); the
# same as data elements 93, 166, 19, 156, 116 and 26 in edi_maps/pyx12_maps/dataele.xml.
NAME_LENGTH = (1, 60)
STREET_LENGTH = (1, 55)
CITY_LENGTH = (2, 30)
POSTAL_CODE_LENGTH = (3, 15)


class WarehouseError(ValueError):
    """The warehouse cannot be saved as given; the message names the value and why."""


@dataclass(frozen=True, slots=True)
class WarehouseAddress:
    """What a warehouse is added or updated with, before it is checked."""

    name: str
    street: str
    city: str
    postal_code: str
    country: str
    state: str | None = None


def _text(label: str, value: str, length: tuple[int, int]) -> str:
    """The value without surrounding spaces, refused when empty or outside its X12 length."""
    value = value.strip()
    if not value:
        raise WarehouseError(f"{label} is empty")
    low, high = length
    if not low <= len(value) <= high:
        raise WarehouseError(f"{label} {value!r} must be {low} to {high} characters (X12)")
    return value


def _checked(code: str, address: WarehouseAddress) -> tuple[str, dict[str, str | None]]:
    """The code and the column values, upper-cased where X12 and ISO expect it, or a WarehouseError."""
    code = code.strip().upper()
    if not CODE.fullmatch(code):
        raise WarehouseError(f"code {code!r} must be 1 to 20 characters of A-Z, 0-9 and -")
    return code, checked_address(address)


def checked_address(address: WarehouseAddress) -> dict[str, str | None]:
    """An address as N1/N3/N4 can carry it (also the invoices' remit-to), or a WarehouseError."""
    country = address.country.strip().upper()
    if not COUNTRY.fullmatch(country):
        raise WarehouseError(f"country {country!r} must be two letters (ISO 3166-1 alpha-2, e.g. US, GB, DE)")
    state = address.state.strip().upper() if address.state is not None else None
    if state is not None and not STATE.fullmatch(state):
        raise WarehouseError(f"state {state!r} must be a two-character code (X12 N402, e.g. WA)")
    return {
        "name": _text("name", address.name, NAME_LENGTH),
        "street": _text("street", address.street, STREET_LENGTH),
        "city": _text("city", address.city, CITY_LENGTH),
        "state": state,
        "postal_code": _text("postal code", address.postal_code, POSTAL_CODE_LENGTH),
        "country": country,
    }


def find_warehouse(session: Session, code: str) -> Warehouse | None:
    """The warehouse a shipment names as its ship-from, or None when no warehouse has that code."""
    return session.scalars(select(Warehouse).where(Warehouse.code == code.strip().upper())).first()


def list_warehouses(session: Session) -> list[Warehouse]:
    """Every warehouse, by code."""
    return list(session.scalars(select(Warehouse).order_by(Warehouse.code)))


def add_or_update_warehouse(session: Session, code: str, address: WarehouseAddress, *,
                            actor: str = "system") -> tuple[Warehouse, bool]:
    """Save the warehouse under ``code``, replacing the address of an existing one (a moved
    warehouse keeps its code, so shipments need not change); returns it and whether it is new."""
    code, values = _checked(code, address)
    warehouse = find_warehouse(session, code)
    created = warehouse is None
    if warehouse is None:
        warehouse = Warehouse(code=code)
        session.add(warehouse)
    for column, value in values.items():
        setattr(warehouse, column, value)
    session.flush()
    audit.record(session, "warehouse.added" if created else "warehouse.updated", actor=actor,
                 subject_type="warehouse", subject_id=code, **values)
    return warehouse, created
