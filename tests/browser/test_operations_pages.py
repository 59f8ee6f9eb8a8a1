"""The operations pages in a real browser: Debian's headless Chromium driven by Playwright.

Sign in, find a PO by number in the message archive, resolve an exception; and no page
breaks the Content-Security-Policy. Screenshots of each step go to
``test-artifacts/browser/<backend>/`` for a person to look at. The browser is the system's ``/usr/bin/chromium`` (Playwright's own download cannot be used
here); without it the test fails, never skips.
"""
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from gateway.platform.db import session_scope
from gateway.models import OperationalException
from tests.fixtures import REPOSITORY
from tests.integration.finance_web.books import NOVEMBER, keep_books
from tests.support.invoices import stored_invoice
from tests.support.operations_pages import PASSWORD, PO_NUMBER, failed_send, inbound_850, sent_group, site  # noqa: F401

pytestmark = pytest.mark.slow  # a Chromium process

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPOSITORY / "test-artifacts" / "browser"


@pytest.fixture
def browser_page(request):
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium); "
                    ".ci/run does so before the tests", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def open_from_menu(page, site, username: str, link: str) -> None:
    """Sign in as ``username`` and open ``link`` (a page headed the same) from the main menu."""
    page.goto(f"{site.url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=link)).to_be_visible()


def test_sign_in_find_a_po_and_resolve_its_exception(site, browser_page, request):
    shots = ARTIFACTS / request.node.callspec.params["settings"]
    shots.mkdir(parents=True, exist_ok=True)
    page = browser_page
    inbound_850(site.settings)
    _, problem = failed_send(site.settings)
    sent_group(site.settings, "3MZQ81RT", due_in=-timedelta(minutes=40))

    page.goto(f"{site.url}/exceptions")
    expect(page.get_by_role("heading", name="Sign in to the EDI gateway")).to_be_visible()
    page.get_by_label("Username").fill("ops")
    page.get_by_label("Password").fill(PASSWORD)
    page.screenshot(path=shots / "01-login.png", full_page=True)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Exceptions")).to_be_visible()
    page.get_by_role("link", name="Needs action").click()
    expect(page.get_by_role("heading", name="Needs action now")).to_be_visible()
    page.screenshot(path=shots / "02-home.png", full_page=True)

    page.get_by_role("link", name="Messages").click()
    page.get_by_label("PO number, interchange control number or AS2 Message-ID").fill(PO_NUMBER)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("table")).to_contain_text("matching “2XK7QP9M”")
    results = page.locator("tbody tr")
    expect(results).to_have_count(1)
    page.screenshot(path=shots / "03-archive-search.png", full_page=True)
    results.first.get_by_role("link").first.click()
    expect(page.locator("pre.x12").first).to_contain_text("ST*850*1011~\nBEG*00*NE*2XK7QP9M**20261120~")
    page.screenshot(path=shots / "04-message.png", full_page=True)

    page.get_by_role("link", name=PO_NUMBER).first.click()
    expect(page.get_by_role("heading", name=f"Purchase order {PO_NUMBER}")).to_be_visible()
    page.get_by_role("link", name="AS2 message not delivered").click()
    expect(page.locator("#exception-status")).to_have_text("open")
    page.screenshot(path=shots / "05-exception.png", full_page=True)
    page.get_by_label("How it was resolved").fill("Amazon's AS2 endpoint was down; resent after their fix")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_have_text("Resolved.")
    expect(page.locator("#exception-status")).to_contain_text("resolved")
    page.screenshot(path=shots / "06-resolved.png", full_page=True)

    page.get_by_role("link", name="997 tracker").click()
    expect(page.locator("td.state-overdue")).to_have_text("overdue")
    page.screenshot(path=shots / "07-tracker.png", full_page=True)

    with session_scope(site.settings) as session:
        row = session.get(OperationalException, problem)
        assert row.status == "resolved" and row.notes[-1]["by"] == "user:ops"


def test_the_content_security_policy_blocks_nothing_the_pages_use(site, browser_page):
    """Chromium reports every CSP violation on the console: an inline script or style in a
    template would be one, and the stylesheet must still apply."""
    page = browser_page
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    inbound_850(site.settings)
    failed_send(site.settings)
    stored_invoice(site.settings, "INV-0200", "5CSPINV1", serial=201)
    keep_books(site.settings)
    page.goto(f"{site.url}/login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for path in ("/", "/exceptions", "/exceptions/1", "/tracker", "/messages", "/messages/1", "/users",
                 f"/purchase-orders/{PO_NUMBER}", "/invoices", "/invoices/INV-0200", "/inventory", "/inventory/holds",
                 "/inventory/holds?show=ended", "/inventory/drift", "/inventory/drift?drifting=1", "/remittances",
                 f"/remittances/{NOVEMBER}", "/finance/month-close?month=2026-11", "/invoices/INV-F2"):
        page.goto(f"{site.url}{path}")
        assert page.evaluate("document.styleSheets.length") == 1, path
    assert violations == []
