"""The invoice pages in a real browser (Debian's Chromium driven by Playwright).

Finance sign in, open Invoices from the menu, follow an invoice to its page and read what it
bills, where its 810 stands and Amazon's 997. Screenshots go to ``test-artifacts/browser/<backend>/``.
"""
import pytest
from playwright.sync_api import expect

from tests.browser.test_operations_pages import ARTIFACTS, browser_page, open_from_menu  # noqa: F401  (a fixture)
from tests.support.invoices import stored_invoice
from tests.support.operations_pages import site  # noqa: F401  (a fixture)

pytestmark = pytest.mark.slow  # a Chromium process


def test_open_an_invoice_from_the_list(site, browser_page, request):
    shots = ARTIFACTS / request.node.callspec.params["settings"]
    shots.mkdir(parents=True, exist_ok=True)
    page = browser_page
    stored_invoice(site.settings, "INV-0100", "5BRWSI01", serial=101)

    open_from_menu(page, site, "finance", "Invoices")
    rows = page.locator("#invoices tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("370.00 USD")
    expect(rows.first).to_contain_text("unpaid: no remittance yet")
    page.screenshot(path=shots / "invoices-01-list.png", full_page=True)

    rows.first.get_by_role("link", name="INV-0100").click()
    expect(page.get_by_role("heading", name="Invoice INV-0100")).to_be_visible()
    expect(page.locator("#invoice-997")).to_have_text("accepted")
    expect(page.locator("#invoice-lines")).to_contain_text("ACME-MUG-01")
    expect(page.get_by_role("link", name="SHIP-5BRWSI01")).to_have_attribute("href", "/shipments/SHIP-5BRWSI01")
    page.screenshot(path=shots / "invoices-02-invoice.png", full_page=True)
