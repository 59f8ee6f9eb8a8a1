"""The cost check as a table: Amazon's cost for a line against the catalogue's per-each cost,
compared in the PO's unit."""
from decimal import Decimal

import pytest

from edi_maps.documents import UnitOfMeasure
from gateway.orders.line_costs import CostDifference, cost_difference

EA, CA = UnitOfMeasure.EACH, UnitOfMeasure.CASE
D = Decimal


@pytest.mark.parametrize(("po_cost", "unit", "pack_size", "catalogue", "expected"), [
    pytest.param(D("40.00"), EA, 12, D("40.00"), None, id="EA equal: the case pack plays no part"),
    pytest.param(D("39.00"), EA, 12, D("40.00"), CostDifference(EA, D("39.00"), D("40.00"), D("40.00"), 1),
                 id="EA differs: the trial's 2 EA at 39.00 against 40.00"),
    pytest.param(D("480.00"), CA, 12, D("40.00"), None, id="CA equal to unit_cost x pack"),
    pytest.param(D("174.00"), CA, 24, D("7.25"), None, id="CA equal with the PO4's pack"),
    pytest.param(D("40.00"), CA, 12, D("3.3333"), None,
                 id="CA equal once 12 x 3.3333 = 39.9996 is rounded as the PO's 40.00"),
    pytest.param(D("39.00"), CA, 12, D("40.00"), CostDifference(CA, D("39.00"), D("480.00"), D("40.00"), 12),
                 id="CA differs: a case price against a per-each cost"),
    pytest.param(D("41.00"), CA, 12, D("3.3333"), CostDifference(CA, D("41.00"), D("40.00"), D("3.3333"), 12),
                 id="CA differs, PO higher"),
    pytest.param(D("39.00"), CA, None, D("40.00"), None, id="CA without a pack size: unit_mismatch says why"),
    pytest.param(D("39.00"), EA, None, None, None, id="no catalogue cost: no check"),
    pytest.param(D("0.125"), EA, None, D("0.1250"), None, id="the PO's own decimals count"),
    pytest.param(D("0.125"), EA, None, D("0.1254"), None, id="finer than the PO states is no difference"),
    pytest.param(D("0.125"), EA, None, D("0.1255"), CostDifference(EA, D("0.125"), D("0.126"), D("0.1255"), 1),
                 id="a difference at the PO's decimals is one"),
    pytest.param(D("39.0000"), EA, None, D("39.004"), None, id="stored decimals are not the PO's (40.00 is kept as 40.0000)"),
])
def test_cost_difference(po_cost, unit, pack_size, catalogue, expected):
    assert cost_difference(po_cost, unit, pack_size, catalogue) == expected


@pytest.mark.parametrize(("difference", "words"), [
    (CostDifference(EA, D("39.00"), D("40.00"), D("40.00"), 1),
     "PO cost 39.00 per each is 1.00 lower than the catalogue's 40.00 per each"),
    (CostDifference(CA, D("39.00"), D("480.00"), D("40.00"), 12),
     "PO cost 39.00 per case is 441.00 lower than the catalogue's 480.00 per case (12 x 40.00 each)"),
    (CostDifference(CA, D("41.0000"), D("40.00"), D("3.3333"), 12),
     "PO cost 41.00 per case is 1.00 higher than the catalogue's 40.00 per case (12 x 3.3333 each)"),
])
def test_the_difference_says_both_figures_which_is_higher_by_how_much_and_per_what(difference, words):
    assert difference.describe() == words


def test_the_exception_detail_keeps_the_figures_per_the_pos_unit():
    difference = cost_difference(D("39.00"), CA, 12, D("3.3333"))
    assert difference is not None and difference.as_detail() == {
        "unit": "CA", "po_cost": "39.00", "catalogue_cost": "40.00", "difference": "1.00", "higher": "catalogue",
        "catalogue_unit_cost": "3.3333", "eaches_per_unit": 12}
