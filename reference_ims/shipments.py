"""Ships orders and posts each shipment to the gateway: a SANDBOX extension of the reference IMS.

Not part of docs/ims-api.yaml's contract, whose only shipment path is the gateway's
``POST /api/v1/ims/shipments``: a real IMS ships from its warehouse and posts what it
packed. Here a demo or a test ships an order with ``POST
/api/v1/sales-orders/{po_number}/shipments`` (or lets ``--auto-ship-seconds`` do it), and
the shipment is posted to the gateway with the same retrying delivery as the allocation
callbacks. The gateway's last answer is kept on the stored shipment, because a refused
shipment (409, 422) is not retried: a person has to read why.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reference_ims.delivery import Answer, Courier
from reference_ims.payloads import parse_ship_request
from reference_ims.shipping import (
    DEFAULT_CARRIER_SCAC,
    DEFAULT_COMPANY_PREFIX,
    DEFAULT_SHIP_FROM,
    DeliveryState,
    ShipmentRecord,
    ShipOptions,
    check_company_prefix,
)
from reference_ims.store import Store

log = logging.getLogger("reference_ims.shipments")

# A shipment the gateway never receives is lost to Amazon's ASN, so it is tried for longer
# than an allocation callback (which the gateway can read back with GET): about a minute.
SHIPMENT_ATTEMPTS = 7


@dataclass(frozen=True, slots=True)
class ShippingSettings:
    ship_from: str = DEFAULT_SHIP_FROM
    carrier_scac: str = DEFAULT_CARRIER_SCAC
    company_prefix: str = DEFAULT_COMPANY_PREFIX


class Shipper:
    """Ships orders from ``store``; with ``shipment_url`` and ``token``, posts every shipment there."""

    def __init__(self, store: Store, settings: ShippingSettings, shipment_url: str | None = None,
                 token: str | None = None) -> None:
        check_company_prefix(settings.company_prefix)
        if not settings.ship_from.strip():
            raise ValueError("the ship-from warehouse code must not be empty (--ship-from)")
        self.store, self.settings = store, settings
        self._courier: Courier | None = None
        if shipment_url and token:
            self._courier = Courier(shipment_url, token, store.shipment_body, label=lambda key: f"shipment {key}",
                                    on_answer=self._record, attempts=SHIPMENT_ATTEMPTS, thread_name="shipment-posts")

    def ship(self, po_number: str, request_body: Any = None) -> ShipmentRecord:
        """Ship the order with the options of ``request_body`` (None: every default) and queue the post."""
        defaults = ShipOptions(self.settings.ship_from, self.settings.carrier_scac, pallets=True,
                               shipped_at=datetime.now(UTC).replace(microsecond=0))
        options = defaults if request_body is None else parse_ship_request(request_body, defaults)
        state = DeliveryState.SENDING if self._courier else DeliveryState.NOT_SENT
        record = self.store.ship_order(po_number, options, company_prefix=self.settings.company_prefix, state=state)
        log.info("shipped PO %s as %s (%d cartons)", po_number, record.shipment_id, len(record.body["cartons"]))
        if self._courier is not None:
            self._courier.send([record.shipment_id])
        return record

    def _record(self, shipment_id: str, answer: Answer) -> None:
        if answer.delivered:
            state = DeliveryState.ACCEPTED
        elif not answer.final:
            state = DeliveryState.SENDING
        elif answer.refused:
            state = DeliveryState.REFUSED
        else:
            state = DeliveryState.GIVEN_UP
        self.store.record_answer(shipment_id, state, answer.status, answer.text)

