"""Whether a PO line costs what the catalogue expects, compared in the PO's unit.

Pure rules, no I/O: intake and the 860 changes call :func:`cost_difference` with what they
read, and raise a ``cost_mismatch`` exception when it finds one.

1. The catalogue keeps one cost **per each** (``CatalogueItem.unit_cost``). Amazon prices
   a line in the unit it orders in: per each (EA) or per case (CA). So the catalogue's
   cost is first brought to the PO's unit: ``unit_cost`` for an EA line, ``unit_cost`` x
   the line's pack size for a CA line (its PO4, else the catalogue's case pack: the eaches
   its cases are counted in, see ``intake.set_eaches``).
2. A CA line with no pack size cannot be compared; its ``unit_mismatch`` exception already
   says why. A SKU without a catalogue cost is not compared either.
3. The catalogue's figure is rounded to the decimals of the PO's cost (at least cents)
   before comparing: a per-each cost cannot always divide a case price (40.00 for 12 is
   3.3333 each, and 12 x 3.3333 = 39.9996), and Amazon states its price no finer.

What the 855 does with a line whose cost differs: it states Amazon's cost, in the PO's
unit (PO104, per case for a CA line), and finance hears of the difference at once. The
rules (amazon-vendor-rules.md, from Amazon's SP-API vendor guides): "The acknowledged unit
cost must equal what will be invoiced, or payment is held" (855), and the invoice's "unit
cost = acknowledged cost" and "cost must match the order" (810). Stating the catalogue's
figure instead would hold payment by design, and Amazon's acknowledgement guide
(submitAcknowledgement) adds that the acknowledged price cannot be higher than the PO's.
So a price the vendor will not honour is not settled in the 855, but it is never accepted
silently: the ``cost_mismatch`` exception (high severity: it alerts) names both figures,
which is higher and by how much, and the price is corrected with Amazon, whose 860 price
change the gateway applies and acknowledges again ("Changes to quantity, price or date
may follow within 48 hours and replace the earlier acknowledgement of that line").
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from edi_maps.documents import UnitOfMeasure
from gateway.catalogue.items import money_text

UNIT_WORDS = {UnitOfMeasure.EACH: "each", UnitOfMeasure.CASE: "case"}


@dataclass(frozen=True, slots=True)
class CostDifference:
    """A PO line's cost and the catalogue's, both per the PO's unit, when they differ."""

    unit: UnitOfMeasure  # the PO's unit: every figure below except catalogue_unit_cost is per this
    po_cost: Decimal  # Amazon's cost (PO104)
    catalogue_cost: Decimal  # the catalogue's cost brought to the PO's unit and rounded as the PO's
    catalogue_unit_cost: Decimal  # the catalogue's cost per each, as kept
    eaches_per_unit: int  # 1 for EA, the pack size for CA

    @property
    def po_is_higher(self) -> bool:
        return self.po_cost > self.catalogue_cost

    @property
    def amount(self) -> Decimal:
        """By how much the two differ, per the PO's unit (never negative)."""
        return abs(self.po_cost - self.catalogue_cost)

    def as_detail(self) -> dict[str, str | int]:
        """The figures as an exception's detail keeps them (money as text, per the PO's unit)."""
        return {"unit": self.unit.value, "po_cost": money_text(self.po_cost),
                "catalogue_cost": money_text(self.catalogue_cost), "difference": money_text(self.amount),
                "higher": "po" if self.po_is_higher else "catalogue",
                "catalogue_unit_cost": money_text(self.catalogue_unit_cost), "eaches_per_unit": self.eaches_per_unit}

    def describe(self) -> str:
        """The difference in the words finance reads, e.g. "PO cost 39.00 per each is 1.00
        lower than the catalogue's 40.00 per each"; a case names the each cost it comes from."""
        per = f"per {UNIT_WORDS[self.unit]}"
        made_of = ""
        if self.unit is UnitOfMeasure.CASE:
            made_of = f" ({self.eaches_per_unit} x {money_text(self.catalogue_unit_cost)} each)"
        return (f"PO cost {money_text(self.po_cost)} {per} is {money_text(self.amount)} "
                f"{'higher' if self.po_is_higher else 'lower'} than the catalogue's "
                f"{money_text(self.catalogue_cost)} {per}{made_of}")


def cost_difference(po_cost: Decimal, unit: UnitOfMeasure, pack_size: int | None,
                    catalogue_unit_cost: Decimal | None) -> CostDifference | None:
    """The difference between Amazon's cost for a line and the catalogue's per-each cost;
    None when they agree or cannot be compared (no catalogue cost, cases with no pack size).

    ``pack_size`` is the line's eaches per case (only read for a CA line).
    """
    if catalogue_unit_cost is None:
        return None
    eaches_per_unit = 1 if unit is UnitOfMeasure.EACH else pack_size
    if eaches_per_unit is None:
        return None
    catalogue_cost = _as_precise_as(catalogue_unit_cost * eaches_per_unit, po_cost)
    if catalogue_cost == po_cost:
        return None
    return CostDifference(unit, po_cost, catalogue_cost, catalogue_unit_cost, eaches_per_unit)


def _as_precise_as(amount: Decimal, po_cost: Decimal) -> Decimal:
    """``amount`` rounded (half up) to the decimals ``po_cost`` uses, at least cents.

    Significant decimals, not stored ones: the database keeps 40.00 as 40.0000.
    """
    exponent = po_cost.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # a str only for NaN and infinity, which no cost is
    places = max(2, -exponent)
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
