"""The sandbox's shipping over real HTTP: cartons of the case pack, SSCC-18s that parse and never
repeat, the order turning shipped, the shipment posted to (a stand-in for) the gateway with
retries and its answer kept, and auto-ship."""
import time

from biip.sscc import Sscc

from reference_ims.shipments import ShippingSettings
from tests.fixtures import REPOSITORY
from tests.integration.reference_ims.conftest import GATEWAY_TOKEN
from tests.integration.reference_ims.contract import assert_matches
from tests.integration.reference_ims.sales_orders import create_order, line, order_body, stock
from tests.support.processes import wait_for

# The demo stock `make run` uses: mugs 6 to a carton, candles 12, lamps 2.
SANDBOX_STOCK = REPOSITORY / "gateway" / "sandbox" / "stock.csv"


def ship(ims, po_number: str, **body):
    return ims.post(f"/api/v1/sales-orders/{po_number}/shipments", json=body or None)


def shipments(ims, po_number: str) -> list[dict]:
    response = ims.get(f"/api/v1/sales-orders/{po_number}/shipments")
    assert response.status_code == 200, response.text
    assert_matches("SandboxShipmentList", response.json())
    return response.json()["items"]


def cartons_of(shipment: dict, line_number: str) -> list[int]:
    return [item["quantity"] for carton in shipment["cartons"] for item in carton["items"]
            if item["line_number"] == line_number]


def test_cartons_follow_the_case_pack(start_ims):
    ims = start_ims(stock_csv=SANDBOX_STOCK)
    create_order(ims, order_body("PO300001", ("ACME-MUG-01", 25), ("ACME-CANDLE-12", 24), ("ACME-LAMP-02", 3)))

    response = ship(ims, "PO300001", shipped_at="2026-12-02T14:30:00+01:00", carrier_scac="UPSN")

    assert response.status_code == 201, response.text
    shipment = response.json()
    assert_matches("Shipment", shipment)
    assert cartons_of(shipment, "1") == [6, 6, 6, 6, 1]  # 25 is not whole cartons of 6: one partial
    assert cartons_of(shipment, "2") == [12, 12]  # Amazon orders candles in cases of 12: never partial
    assert cartons_of(shipment, "3") == [2, 1]
    assert all(len(carton["items"]) == 1 and carton["po_number"] == "PO300001" for carton in shipment["cartons"])
    assert (shipment["carton_count"], shipment["pallet_count"]) == (9, 1)
    assert {carton["pallet_id"] for carton in shipment["cartons"]} == {"P1"}
    assert (shipment["shipped_at"], shipment["ship_date"], shipment["estimated_delivery_date"]) == (
        "2026-12-02T13:30:00Z", "2026-12-02", "2026-12-04")
    assert (shipment["ship_from"], shipment["ship_to"], shipment["carrier_scac"]) == ("WH1", "RNO1", "UPSN")
    assert shipment["shipment_id"].startswith("SHP-20261202-")
    assert shipment["bill_of_lading"].startswith("BOL") and shipment["bill_of_lading"][3:].isdigit()
    assert shipments(ims, "PO300001")[0]["shipment"] == shipment


def test_twenty_cartons_to_a_pallet_or_loose(start_ims):
    ims = start_ims(stock_csv=SANDBOX_STOCK)
    create_order(ims, order_body("PO300002", ("ACME-MUG-01", 96), ("ACME-CANDLE-12", 60)))  # 16 + 5 cartons
    create_order(ims, order_body("PO300003", ("ACME-LAMP-02", 4)))

    palletised = ship(ims, "PO300002").json()
    loose = ship(ims, "PO300003", pallets=False).json()

    assert [pallet["pallet_id"] for pallet in palletised["pallets"]] == ["P1", "P2"]
    assert [carton["pallet_id"] for carton in palletised["cartons"]] == ["P1"] * 20 + ["P2"]
    assert (loose["pallets"], loose["pallet_count"]) == ([], 0)
    assert [carton["pallet_id"] for carton in loose["cartons"]] == [None, None]


def test_ssccs_are_valid_and_never_repeat(start_ims):
    ims = start_ims(stock_csv=SANDBOX_STOCK)
    create_order(ims, order_body("PO300004", ("ACME-MUG-01", 30), ("ACME-LAMP-02", 4)))
    create_order(ims, order_body("PO300005", ("ACME-MUG-01", 12)))
    first, second = ship(ims, "PO300004").json(), ship(ims, "PO300005").json()

    cartons = [carton["sscc"] for shipment in (first, second) for carton in shipment["cartons"]]
    pallets = [pallet["sscc"] for shipment in (first, second) for pallet in shipment["pallets"]]
    for sscc, extension_digit in [(value, 0) for value in cartons] + [(value, 1) for value in pallets]:
        parsed = Sscc.parse(sscc)  # biip checks the length and the GS1 check digit
        assert parsed.extension_digit == extension_digit
        assert parsed.company_prefix is not None and parsed.company_prefix.value == "0614141"
    assert (len(cartons), len(pallets)) == (9, 2)
    assert len(set(cartons + pallets)) == len(cartons + pallets)
    assert first["shipment_id"] != second["shipment_id"]
    assert first["bill_of_lading"] != second["bill_of_lading"]


def test_the_gs1_company_prefix_is_configured(start_ims):
    ims = start_ims(stock_csv=SANDBOX_STOCK, shipping=ShippingSettings(company_prefix="0860001234", ship_from="WH7"))
    create_order(ims, order_body("PO300006", ("ACME-LAMP-02", 2)))

    shipment = ship(ims, "PO300006").json()

    parsed = Sscc.parse(shipment["cartons"][0]["sscc"])  # biip checks the check digit
    # biip finds a prefix's length in GS1's allocation list, which this made-up one is not in.
    assert parsed.payload.startswith("00860001234")
    assert shipment["ship_from"] == "WH7"


def test_nothing_left_to_ship_answers_409(start_ims):
    ims = start_ims(stock_csv=SANDBOX_STOCK)
    create_order(ims, order_body("PO300007", ("ACME-LAMP-02", 2)))
    create_order(ims, order_body("PO300008", ("ACME-MUG-02", 6)))  # no stock: backordered
    assert ship(ims, "PO300007").status_code == 201

    again = ship(ims, "PO300007")
    nothing_allocated = ship(ims, "PO300008")

    assert again.status_code == 409
    assert again.json()["detail"] == "sales order PO300007 has shipped already (GET its /shipments): there is nothing to ship"
    assert nothing_allocated.status_code == 409
    assert "holds no allocated eaches" in nothing_allocated.json()["detail"]
    assert ship(ims, "PO399999").status_code == 404
    assert len(shipments(ims, "PO300007")) == 1


def test_a_bad_ship_request_says_which_field(start_ims):
    ims = start_ims(stock_csv=SANDBOX_STOCK)
    create_order(ims, order_body("PO300009", ("ACME-LAMP-02", 2)))

    response = ship(ims, "PO300009", pallets="yes", shipped_at="2026-12-02 14:30", carrier_scac="ups")

    assert response.status_code == 422
    assert {error["pointer"] for error in response.json()["errors"]} == {"/pallets", "/shipped_at", "/carrier_scac"}
    assert ims.get("/api/v1/sales-orders/PO300009").json()["status"] == "open"


def test_the_order_turns_shipped_and_a_callback_carries_it(start_ims, callback_receiver):
    ims = start_ims(stock_csv=SANDBOX_STOCK, callback_url=callback_receiver.url, callback_token=GATEWAY_TOKEN)
    created = create_order(ims, order_body("PO300010", ("ACME-MUG-01", 12), ("ACME-MUG-02", 3))).json()
    assert (line(created, "1")["allocated"], line(created, "2")["backordered"]) == (12, 3)

    ship(ims, "PO300010")
    _, body, _ = callback_receiver.next()

    assert_matches("SalesOrder", body)
    assert (body["po_number"], body["status"], body["revision"]) == ("PO300010", "shipped", 2)
    assert body == ims.get("/api/v1/sales-orders/PO300010").json()
    assert (stock(ims, "ACME-MUG-01")["on_hand"], stock(ims, "ACME-MUG-01")["allocated"]) == (88, 0)
    assert ims.post("/api/v1/sales-orders/PO300010/cancel").status_code == 409
    changed = ims.patch("/api/v1/sales-orders/PO300010", json={"lines": [{"line_number": "1", "quantity": 1}]})
    assert changed.status_code == 409


def test_the_shipment_is_posted_and_retried_after_a_503(start_ims, shipment_receiver):
    ims = start_ims(stock_csv=SANDBOX_STOCK, shipment_url=shipment_receiver.url, callback_token=GATEWAY_TOKEN)
    shipment_receiver.statuses = [503]
    create_order(ims, order_body("PO300011", ("ACME-CANDLE-12", 36)))

    shipment = ship(ims, "PO300011").json()
    first, second = shipment_receiver.next(), shipment_receiver.next()

    assert (first[2], second[2]) == (503, 202)
    assert first[1] == second[1] == shipment  # exactly what the ship call answered
    assert second[0]["Authorization"] == f"Bearer {GATEWAY_TOKEN}"
    record = wait_for(lambda: next((item for item in shipments(ims, "PO300011")
                                    if item["gateway"]["state"] == "accepted"), None), 10, "the accepted shipment")
    assert (record["gateway"]["attempts"], record["gateway"]["status"]) == (2, 202)
    assert record["gateway"]["answer"] == {"status": "accepted"}


def test_the_gateways_422_is_recorded_and_not_retried(start_ims, shipment_receiver):
    ims = start_ims(stock_csv=SANDBOX_STOCK, shipment_url=shipment_receiver.url, callback_token=GATEWAY_TOKEN)
    refusal = {"title": "Unprocessable Entity", "status": 422, "detail": "the shipment breaks the contract",
               "errors": [{"pointer": "/ship_from", "detail": "no warehouse WH1: add it with edi-gateway warehouses add"}]}
    shipment_receiver.statuses = [(422, refusal)]
    create_order(ims, order_body("PO300012", ("ACME-LAMP-02", 2)))

    ship(ims, "PO300012")
    assert shipment_receiver.next()[2] == 422

    record = wait_for(lambda: next((item for item in shipments(ims, "PO300012")
                                    if item["gateway"]["state"] == "refused"), None), 10, "the refused shipment")
    assert (record["gateway"]["status"], record["gateway"]["answer"], record["gateway"]["attempts"]) == (422, refusal, 1)
    time.sleep(1)
    assert shipment_receiver.received.empty()


def test_without_a_shipment_url_nothing_is_sent(start_ims):
    ims = start_ims(stock_csv=SANDBOX_STOCK)
    create_order(ims, order_body("PO300013", ("ACME-LAMP-02", 2)))
    ship(ims, "PO300013")

    assert shipments(ims, "PO300013")[0]["gateway"] == {
        "state": "not_sent", "attempts": 0, "status": None, "answer": None, "answered_at": None}


def test_auto_ship_ships_after_n_seconds(start_ims, shipment_receiver):
    ims = start_ims(stock_csv=SANDBOX_STOCK, shipment_url=shipment_receiver.url, callback_token=GATEWAY_TOKEN,
                    auto_ship_seconds=2)
    started = time.monotonic()
    create_order(ims, order_body("PO300014", ("ACME-MUG-01", 6), ("ACME-MUG-02", 6)))  # partly allocated
    create_order(ims, order_body("PO300015", ("ACME-MUG-02", 6)))  # nothing allocated: stays

    assert shipments(ims, "PO300014") == []
    _, posted, _ = shipment_receiver.next(timeout=15)
    waited = time.monotonic() - started

    assert waited >= 2
    assert (posted["cartons"][0]["po_number"], cartons_of(posted, "1")) == ("PO300014", [6])
    assert ims.get("/api/v1/sales-orders/PO300014").json()["status"] == "shipped"
    assert ims.get("/api/v1/sales-orders/PO300015").json()["status"] == "open"
    assert shipments(ims, "PO300015") == []
