"""docs/gateway-api.yaml against the running gateway: schemathesis generates requests from
the contract, with an admin token, and every answer must be no 5xx, a documented status
and content type, and a body the schema allows.

Bounded (at most 30 examples per operation) and derandomized, so a run is short and a
failure comes back on the next run. The IMS callbacks (tag ``gateway``) belong to the IMS
contract and its own tests; they are left out here.
"""
from __future__ import annotations


import pytest
import schemathesis
from hypothesis import HealthCheck, settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gateway.platform.db import session_scope
from gateway.models import CatalogueItem
from gateway.platform.queue import prepare_broker
from tests.fixtures import REPOSITORY
from tests.integration.finance_web.books import keep_books
from tests.integration.web.test_api import Api, add_exception, seed_full_po, seed_list, start_api

pytestmark = pytest.mark.slow  # every test fuzzes one operation for seconds

CONTRACT = REPOSITORY / "docs" / "gateway-api.yaml"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def seeded_api(settings):
    """A ready gateway with POs (one in full), exceptions, catalogue items, invoices and remittances, so
    answers have bodies to check."""
    prepare_broker(settings)  # what `edi-gateway init` does; without it /readyz is rightly 503
    for running in start_api(settings):
        seed_full_po(running)
        seed_list(running)
        with session_scope(settings) as session:
            add_exception(session, "as2_send_failed", None)
            session.add(CatalogueItem(qualifier="EN", identifier="5012345678900", sku="MUG-RED"))
        keep_books(settings)
        yield running


contract = schemathesis.openapi.from_path(CONTRACT).exclude(tag="gateway")


@contract.parametrize()
@hypothesis_settings(max_examples=30, derandomize=True, deadline=None, database=None,
                     suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(case, seeded_api: Api):
    case.call_and_validate(base_url=seeded_api.url, headers=seeded_api.auth("admin"), checks=CHECKS, timeout=10)
