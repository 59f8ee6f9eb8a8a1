"""The 855 line rules as a table: each row is one situation and its exact outcomes."""
from datetime import date
from decimal import Decimal

import pytest

from edi_maps.documents import LineOutcome as O
from edi_maps.documents import RejectionReason as R
from gateway.orders.line_outcomes import LineFacts, OrderFacts, Outcome, decide_line

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
