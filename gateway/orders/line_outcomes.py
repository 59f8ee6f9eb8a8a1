"""Where every 855 line status is decided: what to accept, backorder or reject, and why.

Pure rules, no I/O, so they can be read top to bottom and tested as a table:

1. An identifier that is not in the catalogue is rejected whole (InvalidProductIdentifier);
   a SKU the catalogue marks discontinued is rejected whole (ObsoleteProduct).
2. Accepted = what the IMS allocated to THIS order, in whole PO units, never more than
   ordered. Stock that is "available" but reserved for another channel is never
   allocated by the IMS, so it is never accepted here.
3. The remainder is backordered only when the PO allows back orders (CSH) and the IMS
   gives a restock date inside the PO's ship window; otherwise it is rejected as
   TemporarilyUnavailable.
4. Every line gets at least one outcome; a partial line gets two.
5. Scheduled ship and delivery dates are placed inside the PO window.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from edi_maps.documents import LineOutcome, RejectionReason


@dataclass(frozen=True)
class OrderFacts:
    """What the rules need to know about the PO as a whole."""

    backorder_allowed: bool
    deliver_not_before: date | None  # DTM*064
    deliver_not_after: date | None  # DTM*063
    today: date
    transit_days: int = 2


@dataclass(frozen=True)
class LineFacts:
    """One PO line and what the catalogue and the IMS say about it."""

    ordered: Decimal  # in the PO's unit
    eaches_per_unit: int  # 1 for EA, the case pack for CA
    in_catalogue: bool
    discontinued: bool = False
    allocated_eaches: int = 0  # what the IMS allocated to this order
    restock_date: date | None = None  # when the IMS expects the rest


@dataclass(frozen=True)
class Outcome:
    outcome: LineOutcome
    quantity: Decimal
    reason: RejectionReason | None = None
    ship_date: date | None = None
    delivery_date: date | None = None


def decide_line(line: LineFacts, order: OrderFacts) -> tuple[Outcome, ...]:
    """The outcomes of one line, in the order they go into the 855 (accepted first)."""
    if not line.in_catalogue:
        return (Outcome(LineOutcome.REJECTED, line.ordered, RejectionReason.INVALID_PRODUCT_IDENTIFIER),)
    if line.discontinued:
        return (Outcome(LineOutcome.REJECTED, line.ordered, RejectionReason.OBSOLETE_PRODUCT),)
    whole_units = Decimal(max(line.allocated_eaches, 0) // max(line.eaches_per_unit, 1))
    accepted = min(whole_units, line.ordered)
    remainder = line.ordered - accepted
    outcomes = []
    if accepted > 0:
        ship, delivery = schedule(order.today, order)
        outcomes.append(Outcome(LineOutcome.ACCEPTED, accepted, ship_date=ship, delivery_date=delivery))
    if remainder > 0:
        restock = line.restock_date
        if order.backorder_allowed and restock is not None and _inside_window(restock, order):
            ship, delivery = schedule(restock, order)
            outcomes.append(Outcome(LineOutcome.BACKORDERED, remainder, ship_date=ship, delivery_date=delivery))
        else:
            outcomes.append(Outcome(LineOutcome.REJECTED, remainder, RejectionReason.TEMPORARILY_UNAVAILABLE))
    return tuple(outcomes)


def schedule(earliest_ship: date, order: OrderFacts) -> tuple[date, date]:
    """Ship and delivery dates: ship no earlier than ``earliest_ship``, deliver inside the window."""
    transit = timedelta(days=order.transit_days)
    delivery = earliest_ship + transit
    if order.deliver_not_before and delivery < order.deliver_not_before:
        delivery = order.deliver_not_before
    if order.deliver_not_after and delivery > order.deliver_not_after:
        delivery = order.deliver_not_after
    return max(earliest_ship, delivery - transit), delivery


def _inside_window(restock: date, order: OrderFacts) -> bool:
    """A back order is only worth promising if the goods can still arrive in the window."""
    arrival = restock + timedelta(days=order.transit_days)
    return order.deliver_not_after is None or arrival <= order.deliver_not_after
