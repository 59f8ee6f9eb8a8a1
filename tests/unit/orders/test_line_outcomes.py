"""The 855 line rules as a table: each row is one situation and its exact outcomes."""
import io
from datetime import date
from decimal import Decimal

import pytest

from edi_maps.amazon import purchase_order_from_segments
from edi_maps.documents import LineOutcome as O
from edi_maps.documents import RejectionReason as R
from edi_maps.x12.reader import X12Reader, transaction_sets
from gateway.orders.line_outcomes import LineFacts, OrderFacts, Outcome, decide_line
from tests.fixtures import AMAZON_FIXTURES

TODAY = date(2026, 11, 20)
WINDOW = {"deliver_not_before": date(2026, 11, 24), "deliver_not_after": date(2026, 12, 1), "today": TODAY}
NO_BACKORDER = OrderFacts(backorder_allowed=False, **WINDOW)
BACKORDER = OrderFacts(backorder_allowed=True, **WINDOW)
D = Decimal
ACCEPT_DATES = {"ship_date": date(2026, 11, 22), "delivery_date": date(2026, 11, 24)}


@pytest.mark.parametrize(("line", "order", "expected"), [
    pytest.param(LineFacts(D(24), 1, True, allocated_eaches=24), NO_BACKORDER,
                 (Outcome(O.ACCEPTED, D(24), **ACCEPT_DATES),), id="full accept"),
    pytest.param(LineFacts(D(24), 1, True, allocated_eaches=100), NO_BACKORDER,
                 (Outcome(O.ACCEPTED, D(24), **ACCEPT_DATES),), id="never more than ordered"),
    pytest.param(LineFacts(D(24), 1, True, allocated_eaches=20, restock_date=date(2026, 11, 27)), BACKORDER,
                 (Outcome(O.ACCEPTED, D(20), **ACCEPT_DATES),
                  Outcome(O.BACKORDERED, D(4), ship_date=date(2026, 11, 27), delivery_date=date(2026, 11, 29))),
                 id="partial accept + backorder"),
    pytest.param(LineFacts(D(24), 1, True, allocated_eaches=20, restock_date=date(2026, 11, 27)), NO_BACKORDER,
                 (Outcome(O.ACCEPTED, D(20), **ACCEPT_DATES),
                  Outcome(O.REJECTED, D(4), R.TEMPORARILY_UNAVAILABLE)), id="PO forbids back orders"),
    pytest.param(LineFacts(D(24), 1, True, allocated_eaches=20, restock_date=date(2026, 12, 5)), BACKORDER,
                 (Outcome(O.ACCEPTED, D(20), **ACCEPT_DATES),
                  Outcome(O.REJECTED, D(4), R.TEMPORARILY_UNAVAILABLE)), id="restock after the window"),
    pytest.param(LineFacts(D(24), 1, True, allocated_eaches=20), BACKORDER,
                 (Outcome(O.ACCEPTED, D(20), **ACCEPT_DATES),
                  Outcome(O.REJECTED, D(4), R.TEMPORARILY_UNAVAILABLE)), id="no restock date"),
    pytest.param(LineFacts(D(8), 1, True, allocated_eaches=0), NO_BACKORDER,
                 (Outcome(O.REJECTED, D(8), R.TEMPORARILY_UNAVAILABLE),), id="reserved for another channel"),
    pytest.param(LineFacts(D(1), 1, False), BACKORDER,
                 (Outcome(O.REJECTED, D(1), R.INVALID_PRODUCT_IDENTIFIER),), id="unknown identifier"),
    pytest.param(LineFacts(D(5), 1, True, discontinued=True, allocated_eaches=5), NO_BACKORDER,
                 (Outcome(O.REJECTED, D(5), R.OBSOLETE_PRODUCT),), id="discontinued"),
    pytest.param(LineFacts(D(6), 12, True, allocated_eaches=30), NO_BACKORDER,
                 (Outcome(O.ACCEPTED, D(2), **ACCEPT_DATES), Outcome(O.REJECTED, D(4), R.TEMPORARILY_UNAVAILABLE)),
                 id="cases: only whole cases accepted"),
])
def test_line_outcomes(line, order, expected):
    assert decide_line(line, order) == expected


def test_outcome_quantities_add_up_to_the_order():
    for allocated in range(0, 40):
        outcomes = decide_line(LineFacts(D(24), 1, True, allocated_eaches=allocated), BACKORDER)
        assert sum(o.quantity for o in outcomes) == 24


def test_delivery_is_kept_inside_the_window_when_accepting_late():
    late = OrderFacts(backorder_allowed=False, deliver_not_before=date(2026, 11, 24),
                      deliver_not_after=date(2026, 12, 1), today=date(2026, 11, 30))
    [outcome] = decide_line(LineFacts(D(1), 1, True, allocated_eaches=1), late)
    assert outcome.delivery_date == date(2026, 12, 1) and outcome.ship_date == date(2026, 11, 30)


def test_the_backorder_sample_backorders_what_can_still_arrive_in_its_window():
    """850-backorder-allowed.edi (CSH*Y, window 24 Nov - 8 Dec) against the demo stock:
    what the IMS could allocate from stock.csv (on hand minus reserved) and a restock date."""
    sample = (AMAZON_FIXTURES / "850-backorder-allowed.edi").read_bytes()
    [(segments, _)] = transaction_sets(X12Reader(io.BytesIO(sample)))
    order = purchase_order_from_segments(segments)
    facts = OrderFacts(backorder_allowed=order.backorder_allowed, deliver_not_before=order.do_not_deliver_before,
                       deliver_not_after=order.do_not_deliver_after, today=TODAY)
    ims = {  # line: (allocated eaches, restock date)
        "1": (20, None),                   # ACME-MUG-01: 100 on hand
        "2": (4, date(2026, 11, 27)),      # ACME-TEE-BLK-M: 4 on hand
        "3": (0, date(2026, 12, 7)),       # ACME-MUG-02: none, and the 7 Dec restock lands after 8 Dec
        "4": (40, date(2026, 12, 1)),      # ACME-LAMP-02: 50 on hand, 10 reserved for another channel
    }

    outcomes = {}
    for line in order.lines:
        allocated, restock = ims[line.line_number]
        facts_of_line = LineFacts(line.quantity, 1, True, allocated_eaches=allocated, restock_date=restock)
        outcomes[line.line_number] = decide_line(facts_of_line, facts)

    assert outcomes == {
        "1": (Outcome(O.ACCEPTED, D(20), **ACCEPT_DATES),),
        "2": (Outcome(O.ACCEPTED, D(4), **ACCEPT_DATES),
              Outcome(O.BACKORDERED, D(6), ship_date=date(2026, 11, 27), delivery_date=date(2026, 11, 29))),
        "3": (Outcome(O.REJECTED, D(12), R.TEMPORARILY_UNAVAILABLE),),
        "4": (Outcome(O.ACCEPTED, D(40), **ACCEPT_DATES),
              Outcome(O.BACKORDERED, D(20), ship_date=date(2026, 12, 1), delivery_date=date(2026, 12, 3))),
    }
