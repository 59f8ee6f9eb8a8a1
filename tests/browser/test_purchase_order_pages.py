"""The PO list and a PO page in a real browser (Debian's Chromium driven by Playwright).

Ops sign in, filter the PO list to the 855s being retried, open the PO whose 855 Amazon
does not have, read its delivery state and what the 855 said of each line, and follow
its delivery exception. The 855 is the gateway's own: written by the acknowledgement
engine and sent by the AS2 sender to a fake Amazon that takes it without returning an
MDN. Screenshots go to ``test-artifacts/browser/<backend>/``.
"""
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from edi_maps.documents import AckStatus
from tests.browser.test_operations_pages import ARTIFACTS, browser_page  # noqa: F401  (a fixture)
from tests.support.operations_pages import PASSWORD, site  # noqa: F401  (a fixture)
from tests.support.purchase_orders import Line, acknowledge, allocated_po, amazon_997, amazon_partner, attempt

pytestmark = pytest.mark.slow  # a Chromium process

UNDELIVERED = "8UNDLV01"


def seed(settings) -> None:
    """Three POs: one whose 855 was delivered and accepted, one awaiting its 855, and one
    whose 855 went out and came back without an MDN (retrying)."""
    now = datetime.now(timezone.utc)
    with amazon_partner(settings) as amazon:
        delivered = allocated_po(settings, "4DLVRD01", (Line("5012345678900", 12, 12),),
                                 received_at=now - timedelta(hours=5))
        message_id = acknowledge(settings, delivered)
        assert attempt(settings, message_id) == "delivered"
        amazon_997(settings, message_id, AckStatus.ACCEPTED)
        undelivered = allocated_po(settings, UNDELIVERED, received_at=now - timedelta(hours=3))
        amazon.mdn_missing_next = 1
        assert attempt(settings, acknowledge(settings, undelivered)) == "HTTP 200, no MDN came back"
        allocated_po(settings, "2AWAIT01", received_at=now - timedelta(hours=1))


def test_find_the_po_whose_855_is_not_delivered_and_follow_its_exception(site, browser_page, request):
    shots = ARTIFACTS / request.node.callspec.params["settings"]
    shots.mkdir(parents=True, exist_ok=True)
    page = browser_page
    seed(site.settings)

    page.goto(f"{site.url}/purchase-orders")
    page.get_by_label("Username").fill("ops")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Purchase orders")).to_be_visible()
    rows = page.locator("#purchase-orders tbody tr")
    expect(rows).to_have_count(3)
    page.screenshot(path=shots / "po-01-list.png", full_page=True)

    page.get_by_label("State").select_option(label="855 retrying")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("retrying after attempt 1: HTTP 200, no MDN came back")
    page.screenshot(path=shots / "po-02-retrying.png", full_page=True)

    rows.first.get_by_role("link", name=UNDELIVERED).click()
    expect(page.get_by_role("heading", name=f"Purchase order {UNDELIVERED}")).to_be_visible()
    expect(page.locator("#ack-delivery")).to_contain_text("retrying after attempt 1: HTTP 200, no MDN came back")
    lines = page.locator("#lines tbody tr")
    expect(lines.nth(0).locator("td.line-status")).to_have_text("accepted")
    expect(lines.nth(1).locator("td.line-status")).to_have_text("partially accepted")
    expect(lines.nth(1)).to_contain_text("rejected 4 EA: temporarily unavailable")
    expect(lines.nth(2).locator("td.line-status")).to_have_text("rejected")
    expect(lines.nth(2)).to_contain_text("rejected 1 EA: item not in catalogue / unknown identifier")
    expect(page.locator("#timeline")).to_contain_text("855 delivery attempt 1 failed: HTTP 200, no MDN came back")
    page.screenshot(path=shots / "po-03-purchase-order.png", full_page=True)

    page.get_by_role("link", name="AS2 message not delivered").click()
    expect(page.locator("#exception-status")).to_have_text("open")
    expect(page.get_by_role("main")).to_contain_text(f"855 for PO {UNDELIVERED}")
    page.screenshot(path=shots / "po-04-exception.png", full_page=True)
