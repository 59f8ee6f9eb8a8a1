"""The inventory pages in a real browser (Debian's Chromium driven by Playwright).

Ops sign in, open Inventory from the menu, follow the held SKUs, release the critical lamp
with a note and read the flash; the inventory pages, with feeds, holds, a held snapshot and
drift to show, break nothing of the Content-Security-Policy. Screenshots go to
``test-artifacts/browser/<backend>/``.
"""
import pytest
from playwright.sync_api import expect

from tests.browser.test_operations_pages import ARTIFACTS, browser_page, open_from_menu  # noqa: F401  (a fixture)
from tests.integration.web.test_inventory_pages import LAMP, held_lamp, held_snapshot
from tests.support.inventory_flow import gateway, level, report  # noqa: F401  (a fixture)
from tests.support.operations_pages import site  # noqa: F401  (a fixture)

pytestmark = pytest.mark.slow  # a Chromium process


def test_release_a_held_sku_and_no_inventory_page_breaks_the_policy(site, gateway, browser_page, request):
    shots = ARTIFACTS / request.node.callspec.params["settings"]
    shots.mkdir(parents=True, exist_ok=True)
    page = browser_page
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    held_lamp(gateway)
    held_snapshot(gateway, report(level("ACME-MUG-01", 7)))

    open_from_menu(page, site, "ops", "Inventory")
    expect(page.locator("#snapshots tbody tr")).to_have_count(1)
    expect(page.locator("#snapshots")).to_contain_text("5 of 6")
    expect(page.locator("#feeds tbody tr")).to_have_count(2)
    page.screenshot(path=shots / "inventory-01-overview.png", full_page=True)

    page.get_by_role("link", name="1 SKU held at zero").click()
    expect(page.get_by_role("heading", name="Held SKUs")).to_be_visible()
    rows = page.locator("#holds tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("it is a critical SKU at zero")
    page.screenshot(path=shots / "inventory-02-holds.png", full_page=True)
    rows.first.get_by_label("Note").fill("listing retired by merchandising")
    rows.first.get_by_role("button", name="Release").click()
    expect(page.get_by_role("status")).to_have_text(f"Released SKU {LAMP}: its zero goes out in the next 846.")
    expect(page.locator("#holds")).to_contain_text("No SKU is held.")
    page.get_by_label("Show").select_option("ended")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#holds")).to_contain_text("listing retired by merchandising")
    page.screenshot(path=shots / "inventory-03-released.png", full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inventory").click()
    page.get_by_role("link", name="Drift report").click()
    expect(page.get_by_role("heading", name="Inventory drift")).to_be_visible()
    expect(page.get_by_role("link", name="Download CSV")).to_have_attribute("href", "/inventory/drift.csv")
    page.screenshot(path=shots / "inventory-04-drift.png", full_page=True)

    for path in ("/", "/inventory", "/inventory/holds", "/inventory/holds?show=ended", "/inventory/drift",
                 "/inventory/drift?drifting=1"):
        page.goto(f"{site.url}{path}")
        assert page.evaluate("document.styleSheets.length") == 1, path
    assert violations == []
