"""How the reference IMS packs an order for the truck, free of I/O so it can be checked with cases.

A SANDBOX extension, not part of docs/ims-api.yaml's contract: a real IMS packs however its
warehouse does and only posts the result (the ``Shipment`` schema) to the gateway. Here
each line's eaches go into cartons of the SKU's case pack, one SKU per carton, the last
carton partial only when the case pack does not divide the quantity; cartons go on
pallets of at most ``CARTONS_PER_PALLET``, or travel loose. Every carton and pallet gets
an SSCC-18 whose check digit comes from biip, so it is the number GS1 defines, not our
reading of it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from biip.checksums import gs1_standard_check_digit

CARTONS_PER_PALLET = 20
CARTON_EXTENSION_DIGIT = 0
PALLET_EXTENSION_DIGIT = 1
SSCC_PAYLOAD_DIGITS = 17  # extension digit + company prefix + serial reference, before the check digit
DEFAULT_COMPANY_PREFIX = "0614141"  # GS1's example company prefix: never on a real label
DEFAULT_SHIP_FROM = "WH1"
DEFAULT_CARRIER_SCAC = "ABFS"
TRANSIT_DAYS = 2


@dataclass(frozen=True, slots=True)
class ShipLine:
    """What one order line sends now: the allocated eaches that have not shipped yet."""

    line_number: str
    sku: str
    quantity: int
    case_pack: int


@dataclass(frozen=True, slots=True)
class PackedCarton:
    """One carton before it has an SSCC: one SKU of one line; ``pallet`` counts from 0, None when loose."""

    line_number: str
    sku: str
    quantity: int
    pallet: int | None


@dataclass(frozen=True, slots=True)
class ShipOptions:
    """The choices a shipment is made with; each has a default (the CLI's or the contract example's)."""

    ship_from: str
    carrier_scac: str
    pallets: bool
    shipped_at: datetime  # aware, UTC

    @property
    def ship_date(self) -> date:
        return self.shipped_at.date()

    @property
    def estimated_delivery_date(self) -> date:
        return self.ship_date + timedelta(days=TRANSIT_DAYS)


def pack(lines: Sequence[ShipLine], *, pallets: bool) -> tuple[list[PackedCarton], int]:
    """The cartons of ``lines`` in line order, and how many pallets carry them (0 when loose)."""
    contents = [(line, quantity) for line in lines for quantity in carton_quantities(line.quantity, line.case_pack)]
    cartons = [
        PackedCarton(line.line_number, line.sku, quantity, index // CARTONS_PER_PALLET if pallets else None)
        for index, (line, quantity) in enumerate(contents)
    ]
    pallet_count = -(-len(cartons) // CARTONS_PER_PALLET) if pallets else 0
    return cartons, pallet_count


def carton_quantities(quantity: int, case_pack: int) -> list[int]:
    """Full cartons of ``case_pack``, then the remainder in one partial carton if there is one."""
    if case_pack < 1:
        raise ValueError(f"a case pack is at least 1 each, not {case_pack}")
    full, rest = divmod(quantity, case_pack)
    return [case_pack] * full + ([rest] if rest else [])


def check_company_prefix(prefix: str) -> str:
    """``prefix`` when it can make SSCCs; ValueError saying what is wrong otherwise."""
    if not prefix.isdigit() or not 6 <= len(prefix) <= 12:
        raise ValueError(f"the GS1 company prefix {prefix!r} must be 6 to 12 digits (--gs1-company-prefix)")
    return prefix


def serial_capacity(prefix: str) -> int:
    """How many serial references the prefix leaves room for."""
    return 10 ** (SSCC_PAYLOAD_DIGITS - 1 - len(prefix))


def sscc(prefix: str, extension_digit: int, serial: int) -> str:
    """The SSCC-18 of ``serial`` under ``prefix``: extension digit, prefix, serial reference, check digit."""
    width = SSCC_PAYLOAD_DIGITS - 1 - len(prefix)
    if not 0 <= serial < serial_capacity(prefix):
        raise ValueError(f"SSCC serial {serial} does not fit the {width} digits the company prefix {prefix} leaves")
    payload = f"{extension_digit}{prefix}{serial:0{width}d}"
    return f"{payload}{gs1_standard_check_digit(payload)}"


@dataclass(frozen=True, slots=True)
class Carton:
    sscc: str
    pallet_id: str | None
    line_number: str
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Shipment:
    """One order's shipment, as the ``Shipment`` schema of docs/ims-api.yaml carries it."""

    shipment_id: str
    po_number: str
    ship_to: str
    options: ShipOptions
    bill_of_lading: str
    pro_number: str
    pallets: tuple[tuple[str, str], ...]  # (pallet_id, sscc)
    cartons: tuple[Carton, ...]


def build_shipment(po_number: str, ship_to: str, number: int, options: ShipOptions, cartons: Sequence[PackedCarton],
                   pallet_count: int, *, company_prefix: str, first_serial: int) -> Shipment:
    """The shipment numbered ``number``; its cartons, then its pallets, take serials from ``first_serial`` on.

    The shipment number makes the shipment id, the bill of lading and the PRO number, so
    all three are as unique as the number is.
    """
    pallet_ids = [f"P{index + 1}" for index in range(pallet_count)]
    labelled = tuple(
        Carton(sscc(company_prefix, CARTON_EXTENSION_DIGIT, first_serial + index),
               None if carton.pallet is None else pallet_ids[carton.pallet], carton.line_number, carton.sku, carton.quantity)
        for index, carton in enumerate(cartons)
    )
    pallets = tuple(
        (pallet_id, sscc(company_prefix, PALLET_EXTENSION_DIGIT, first_serial + len(cartons) + index))
        for index, pallet_id in enumerate(pallet_ids)
    )
    return Shipment(
        shipment_id=f"SHP-{options.ship_date:%Y%m%d}-{number}",
        po_number=po_number,
        ship_to=ship_to,
        options=options,
        bill_of_lading=f"BOL{number:010d}",
        pro_number=f"PRO{number:010d}",
        pallets=pallets,
        cartons=labelled,
    )


class DeliveryState(StrEnum):
    """Where posting a shipment to the gateway stands."""

    NOT_SENT = "not_sent"  # the IMS was started without --shipment-url
    SENDING = "sending"  # queued, or retrying after a network error or a 5xx
    ACCEPTED = "accepted"  # 2xx: the gateway has it
    REFUSED = "refused"  # 4xx (409, 422...): the gateway's answer says why; not retried
    GIVEN_UP = "given_up"  # no success after every attempt


@dataclass(frozen=True, slots=True)
class ShipmentRecord:
    """A stored shipment: the body as posted, and the gateway's last answer to it."""

    shipment_id: str
    po_number: str
    created_at: datetime
    body: dict[str, Any]
    state: DeliveryState
    attempts: int
    gateway_status: int | None
    gateway_answer: str | None  # the response body, or the network error in words
    answered_at: datetime | None
