"""The shipment pages in a real browser (Debian's Chromium driven by Playwright).

Ops sign in, open Shipments from the menu, follow a shipment to its page, read where its
856 stands and what was packed, and find the links to print its labels. Screenshots go to
``test-artifacts/browser/<backend>/``.
"""
import pytest
from playwright.sync_api import expect

from tests.browser.test_operations_pages import ARTIFACTS, browser_page, open_from_menu  # noqa: F401  (a fixture)
from tests.support.operations_pages import site  # noqa: F401  (a fixture)
from tests.support.shipments import stored_shipment

pytestmark = pytest.mark.slow  # a Chromium process


def test_open_a_shipment_and_find_its_labels(site, browser_page, request):
    shots = ARTIFACTS / request.node.callspec.params["settings"]
    shots.mkdir(parents=True, exist_ok=True)
    page = browser_page
    seeded = stored_shipment(site.settings, "SHIP-0100", "5BRWSR01")

    open_from_menu(page, site, "ops", "Shipments")
    rows = page.locator("#shipments tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("856 accepted by Amazon")
    page.screenshot(path=shots / "shipments-01-list.png", full_page=True)

    rows.first.get_by_role("link", name="SHIP-0100").click()
    expect(page.get_by_role("heading", name="Shipment SHIP-0100")).to_be_visible()
    expect(page.locator("#asn-997")).to_have_text("accepted")
    expect(page.locator("#cartons")).to_contain_text(seeded.ssccs[0])
    labels = page.get_by_role("link", name="Print labels (PDF)")
    expect(labels).to_be_visible()
    expect(labels).to_have_attribute("href", "/shipments/SHIP-0100/labels.pdf")
    expect(page.get_by_role("link", name="ZPL for Zebra printers")).to_be_visible()
    page.screenshot(path=shots / "shipments-02-shipment.png", full_page=True)
