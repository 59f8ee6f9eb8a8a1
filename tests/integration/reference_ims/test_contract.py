"""docs/ims-api.yaml holds together: its examples fit its schemas, its references resolve,
and the reference IMS accepts the examples the gateway will be built from."""
import re

import pytest

from tests.integration.reference_ims.contract import CONTRACT, DOCUMENT, SCHEMAS, assert_matches
from tests.integration.reference_ims.sales_orders import create_order

EXAMPLES = [(name, index, example) for name, schema in SCHEMAS.items()
            for index, example in enumerate(schema.get("examples", []))]


@pytest.mark.parametrize(("schema", "index", "example"), EXAMPLES, ids=[f"{name}-{i}" for name, i, _ in EXAMPLES])
def test_examples_match_their_schema(schema, index, example):
    assert_matches(schema, example)


def test_every_reference_resolves():
    for kind, name in re.findall(r"#/components/(\w+)/(\w+)", CONTRACT.read_text()):
        assert name in DOCUMENT["components"][kind], f"#/components/{kind}/{name}"


def test_the_gateway_side_is_all_there():
    gateway_paths = {path for path in DOCUMENT["paths"] if path.startswith("/api/v1/ims/")}
    assert gateway_paths == {"/api/v1/ims/allocations", "/api/v1/ims/stock", "/api/v1/ims/shipments",
                             "/api/v1/ims/invoices"}
    for path in gateway_paths:
        assert DOCUMENT["paths"][path]["servers"][0]["url"] == "https://gateway.example.com"


def test_the_reference_ims_accepts_the_contract_examples(ims):
    created = create_order(ims, SCHEMAS["SalesOrderCreate"]["examples"][0])
    assert created.status_code == 201, created.text
    assert_matches("SalesOrder", created.json())

    changed = ims.patch(f"/api/v1/sales-orders/{created.json()['po_number']}", json=SCHEMAS["SalesOrderUpdate"]["examples"][0])
    assert changed.status_code == 200, changed.text
    assert_matches("SalesOrder", changed.json())
    assert [item["status"] for item in changed.json()["lines"]] == ["allocated", "cancelled"]
