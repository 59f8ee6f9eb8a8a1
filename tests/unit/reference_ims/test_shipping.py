"""Packing and SSCC numbering, free of I/O: the cases the sandbox's shipments are built from."""
import pytest
from biip.sscc import Sscc

from reference_ims.shipping import CARTONS_PER_PALLET, ShipLine, carton_quantities, check_company_prefix, pack, sscc


@pytest.mark.parametrize(("quantity", "case_pack", "cartons"), [
    (24, 12, [12, 12]),  # whole cases: no partial carton
    (25, 12, [12, 12, 1]),
    (5, 12, [5]),
    (3, 1, [1, 1, 1]),
])
def test_cartons_are_whole_case_packs_but_the_last(quantity, case_pack, cartons):
    assert carton_quantities(quantity, case_pack) == cartons


def test_one_sku_per_carton_and_twenty_cartons_a_pallet():
    cartons, pallets = pack([ShipLine("1", "A", 2 * CARTONS_PER_PALLET, 2), ShipLine("2", "B", 1, 6)], pallets=True)

    assert pallets == 2
    assert [carton.pallet for carton in cartons] == [0] * CARTONS_PER_PALLET + [1]
    assert cartons[-1].sku == "B" and cartons[-1].quantity == 1
    assert pack([ShipLine("1", "A", 4, 2)], pallets=False)[1] == 0


def test_the_sscc_of_the_contract_example():
    """docs/ims-api.yaml's Shipment example: serial 100000001 under GS1's example prefix."""
    assert sscc("0614141", 0, 100000001) == "006141411000000019"
    assert Sscc.parse(sscc("0614141", 1, 100000001)).extension_digit == 1


def test_a_serial_that_does_not_fit_is_refused():
    with pytest.raises(ValueError, match="does not fit the 4 digits"):
        sscc("061414112345", 0, 10_000)


@pytest.mark.parametrize("prefix", ["12345", "0614141X", "0614141234567"])
def test_a_company_prefix_is_6_to_12_digits(prefix):
    with pytest.raises(ValueError, match="must be 6 to 12 digits"):
        check_company_prefix(prefix)
