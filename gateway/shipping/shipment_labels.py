"""The labels of a stored shipment: one per carton SSCC, then one per pallet SSCC.

Built from the same rows the 856 was built from, so the SSCC printed is byte-for-byte the
one in MAN*GM. Cartons count "n of N" within their PO (Amazon's "carton 1 of N" is per
PO); pallets count within the shipment.
"""
from __future__ import annotations

from collections import Counter
from functools import partial

from gateway.models import Shipment, Warehouse
from gateway.shipping.labels import Label


def shipment_labels(shipment: Shipment, warehouse: Warehouse | None) -> list[Label]:
    """Every label of ``shipment``; ``warehouse`` None (removed since) prints its code alone."""
    ship_from = _ship_from(shipment.ship_from, warehouse)
    ship_to = ("AMAZON FULFILMENT CENTRE", shipment.ship_to)
    label = partial(Label, ship_from=ship_from, ship_to=ship_to, carrier=f"SCAC {shipment.carrier_scac}",
                    pro_number=shipment.pro_number or "", bol_number=shipment.bill_of_lading)
    per_po = Counter(carton.po_number for carton in shipment.cartons)
    seen: Counter[str] = Counter()
    labels = []
    for carton in shipment.cartons:
        seen[carton.po_number] += 1
        skus = {item.sku for item in carton.items}
        labels.append(label(sscc=carton.sscc, po_number=carton.po_number, carton_number=seen[carton.po_number],
                            carton_count=per_po[carton.po_number], quantity=sum(item.eaches for item in carton.items),
                            sku=next(iter(skus)) if len(skus) == 1 else None))
    labelled = [pallet for pallet in shipment.pallets if pallet.sscc]
    for number, pallet in enumerate(labelled, start=1):
        on_it = [carton for carton in shipment.cartons if carton.pallet_id == pallet.pallet_id]
        pos = {carton.po_number for carton in on_it}
        skus = {item.sku for carton in on_it for item in carton.items}
        assert pallet.sscc is not None
        labels.append(label(sscc=pallet.sscc, po_number=next(iter(pos)) if len(pos) == 1 else None,
                            carton_number=number, carton_count=len(labelled),
                            quantity=sum(item.eaches for carton in on_it for item in carton.items),
                            sku=next(iter(skus)) if len(skus) == 1 else None, kind="PALLET"))
    return labels


def _ship_from(code: str, warehouse: Warehouse | None) -> tuple[str, ...]:
    if warehouse is None:
        return (code,)
    city = " ".join(part for part in (warehouse.city, warehouse.state, warehouse.postal_code) if part)
    return (warehouse.name, warehouse.street, f"{city} {warehouse.country}")
