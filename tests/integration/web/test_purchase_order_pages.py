"""The PO list (each state filter, paging, the deadline marks) and the PO page (what the
latest 855 told Amazon of each line, the timeline in words) over real HTTP, and the API
saying the same of the lines; on SQLite and PostgreSQL."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from html.parser import HTMLParser

import httpx
import pytest
from sqlalchemy import select

from edi_maps.documents import AckStatus
from gateway.access.tokens import create_token
from gateway.models import Message, PurchaseOrder, PurchaseOrderLine, X12Group, X12Set
from gateway.partners.registry import add_partner, set_organisation
from gateway.platform.db import session_scope
from tests.support.operations_pages import site  # noqa: F401  (a fixture)
from tests.support.purchase_orders import acknowledge, allocated_po, amazon_997, amazon_partner, attempt

NOW = datetime.now(timezone.utc)
PO_LINK = re.compile(r'href="/purchase-orders/([A-Z0-9]+)"')


class _Tables(HTMLParser):
    """The text of each cell of the tables of a page, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id") or f"table-{len(self.tables)}", [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "li" and self._cell is not None and self._cell:
            self._cell.append(" | ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table(html: str, table_id: str) -> list[list[str]]:
    """The rows of the table ``table_id`` (header row left out), each a list of cell texts."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables[table_id][1:]


# --- the PO page, from a real 855 --------------------------------------------------------


def test_the_po_page_says_what_amazon_was_told_of_each_line_and_the_timeline_in_words(site):
    received = datetime.combine(NOW.date(), time(8, 0), tzinfo=timezone.utc)
    ship, deliver = NOW.date() + timedelta(days=2), NOW.date() + timedelta(days=4)
    with amazon_partner(site.settings) as amazon:
        po_id = allocated_po(site.settings, "7RTY1QPA", received_at=received)
        with site.sign_in("ops") as client:
            before = table(client.get("/purchase-orders/7RTY1QPA").text, "lines")
        message_id = acknowledge(site.settings, po_id, now=received + timedelta(hours=1))
        amazon.fail_next = 1  # Amazon's endpoint is busy once, then answers with its signed MDN
        assert attempt(site.settings, message_id) == "HTTP 503"
        assert attempt(site.settings, message_id) == "delivered"
        amazon_997(site.settings, message_id, AckStatus.ACCEPTED)
    with site.sign_in("finance") as client:
        page = client.get("/purchase-orders/7RTY1QPA").text

    # Before the 855 the lines read as the IMS work has them: the unknown identifier is held.
    assert [(row[0], row[6], row[7]) for row in before] == [
        ("1", "allocated", "no 855 yet"), ("2", "partially allocated", "no 855 yet"), ("3", "held", "no 855 yet")]
    # After it, as Amazon was told: never "held" or "allocated" for a line the 855 rejected.
    assert [(row[0], row[6], row[7]) for row in table(page, "lines")] == [
        ("1", "accepted", f"accepted 24 EA, ship {ship}, deliver {deliver}"),
        ("2", "partially accepted", f"accepted 20 EA, ship {ship}, deliver {deliver} | rejected 4 EA: temporarily "
                                    "unavailable: not allocated, and no back order possible inside the ship window"),
        ("3", "rejected", "rejected 1 EA: item not in catalogue / unknown identifier"),
    ]
    assert 'id="ack-delivery" class="delivery-delivered">sent ' in page and 'id="ack-997">accepted<' in page
    what = [row[2] for row in table(page, "timeline")]
    assert what[:3] == ["855 queued for AMAZON", "855 written (3 lines: 1 accepted, 1 partially accepted, 1 rejected)",
                        what[2]]
    assert what[2].startswith("855 signed and encrypted (Message-ID ")
    assert what[3:] == ["855 delivery attempt 1 failed: HTTP 503", "855 delivered (MDN processed)",
                        "997 from AMAZON for the 855: accepted"]
    assert not any(re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_-]+", text) for text in what), "no bare event key"


def test_the_api_lines_never_contradict_their_outcomes(site):
    with amazon_partner(site.settings) as amazon:
        po_id = allocated_po(site.settings, "7RTY1QPA", received_at=NOW - timedelta(hours=2))
        message_id = acknowledge(site.settings, po_id)
        amazon.mdn_missing_next = 1
        assert attempt(site.settings, message_id) == "HTTP 200, no MDN came back"
    with session_scope(site.settings) as session:
        token = create_token(session, "ops")
    body = httpx.get(f"{site.url}/api/v1/purchase-orders/7RTY1QPA", headers={"Authorization": f"Bearer {token}"},
                     timeout=10).json()

    told = [(line["status"], [(o["code"], o["quantity"], o["reason"]) for o in line["outcomes"]])
            for line in body["lines"]]
    assert told == [
        ("accepted", [("accepted", 24, None)]),
        ("partially_accepted", [("accepted", 20, None), ("rejected", 4, "TemporarilyUnavailable")]),
        ("rejected", [("rejected", 1, "InvalidProductIdentifier")]),
    ]
    assert all(o["ship_date"] and o["delivery_date"] for o in body["lines"][0]["outcomes"])
    assert body["acknowledgement"]["delivery"] == "retrying"
    texts = [event["text"] for event in body["timeline"]]
    assert "855 delivery attempt 1 failed: HTTP 200, no MDN came back" in texts
    assert body["timeline"][-1]["message_id"] == message_id


# --- the PO list -------------------------------------------------------------------------


def seeded_states(settings) -> None:
    """A PO in each state the list filters by, and the edge cases between them.

    Rows straight through the models: which PO a filter picks is the read model's
    business, whoever wrote the rows (the PO page tests above use the real writers)."""
    with session_scope(settings) as session:
        set_organisation(session, name="Brand", as2_id="BRAND", x12_id="BRAND")
        partner_id = add_partner(session, name="Amazon", as2_id="AMAZON", x12_id="AMAZON", as2={}).id
        minutes = iter(range(1000))

        def po(po_number: str, status: str, due_in: timedelta = timedelta(hours=20)) -> PurchaseOrder:
            received = NOW - timedelta(hours=30) + timedelta(minutes=next(minutes))
            row = PurchaseOrder(partner_id=partner_id, vendor_code="BRAND1", po_number=po_number, order_type="SA",
                                status=status, content_sha256="0" * 64, received_at=received,
                                ack_due_at=NOW + due_in, lines=[PurchaseOrderLine(
                                    line_number="1", qualifier="EN", identifier="5012345678900",
                                    quantity=Decimal(1), unit="EA", unit_cost=Decimal("1.00"), status="allocated")])
            session.add(row)
            session.flush()
            return row

        def sent(row: PurchaseOrder, status: str, *, attempts: int = 1, error: str | None = None,
                 set_997: str | None = None, group_997: str | None = None) -> Message:
            message = Message(direction="outbound", partner_id=partner_id, document_type="855",
                              po_number=row.po_number, status=status, attempts=attempts, error=error, headers={})
            session.add(message)
            session.flush()
            session.add(X12Group(message_id=message.id, partner_id=partner_id, direction="outbound",
                                 interchange_control_number=f"{message.id:09d}", functional_id="PR",
                                 control_number=str(message.id), version="004010", ack_status=group_997,
                                 ack_due_at=NOW + timedelta(hours=4),
                                 sets=[X12Set(set_id="855", control_number="0001", reference=row.po_number,
                                              ack_status=set_997, errors=[])]))
            row.ack_message_id, row.ack_sent_at = message.id, NOW
            return message

        po("IMS00001", "received")
        po("IMS00002", "held")
        po("IMS00003", "sales_order_created")
        po("IMS00004", "change_pending")
        po("ALLOC001", "allocated")
        po("ALLOC002", "unavailable", due_in=-timedelta(hours=1))  # late, nothing sent
        sent(po("PEND0001", "allocated"), "queued", attempts=0)
        sent(po("PEND0002", "allocated"), "awaiting-mdn")
        sent(po("RETRY001", "allocated", due_in=-timedelta(minutes=5)), "queued", attempts=2,
             error="HTTP 200, no MDN came back")  # late too: sent is not delivered
        sent(po("DELIV001", "allocated", due_in=-timedelta(hours=2)), "delivered", set_997="A", group_997="A")
        sent(po("DELIV002", "backordered"), "delivered", set_997="E", group_997="E")
        sent(po("DELIV003", "allocated"), "delivered", set_997="R", group_997="R")
        sent(po("DELIV004", "allocated"), "delivered", group_997="R")  # a 997 that lists no sets
        sent(po("FAIL0001", "allocated"), "failed", attempts=7, error="gave up after 7 attempts: HTTP 503")
        sent(po("FAIL0002", "allocated"), "mdn-failed", error="processed/error: decryption-failed")
        # The first 855 was delivered; the latest (after an 860) is being retried: not late.
        resent = po("RESENT01", "allocated", due_in=-timedelta(hours=3))
        sent(resent, "delivered")
        sent(resent, "queued", attempts=1, error="HTTP 503")
        po("CANCEL01", "cancelled", due_in=-timedelta(hours=3))  # owes no 855, never late


STATES = {
    "awaiting-ims": ["IMS00004", "IMS00003", "IMS00002", "IMS00001"],
    "awaiting-855": ["ALLOC002", "ALLOC001"],
    "855-pending": ["PEND0002", "PEND0001"],
    "855-retrying": ["RESENT01", "RETRY001"],
    "855-delivered": ["DELIV004", "DELIV003", "DELIV002", "DELIV001"],
    "855-failed": ["FAIL0002", "FAIL0001"],
    "997-accepted": ["DELIV002", "DELIV001"],
    "997-rejected": ["DELIV004", "DELIV003"],
    "late": ["RETRY001", "ALLOC002"],
}


def listed(client: httpx.Client, **params) -> list[str]:
    return PO_LINK.findall(client.get("/purchase-orders", params=params).text.split('id="purchase-orders"')[1])


def test_each_state_filter_lists_its_pos_newest_first(site):
    seeded_states(site.settings)
    with site.sign_in("ops") as client:
        everything = listed(client)
        for state, expected in STATES.items():
            assert listed(client, state=state) == expected, state
        unknown = client.get("/purchase-orders", params={"state": "shipped"})
    assert len(everything) == 17 and everything[0] == "CANCEL01" and everything[-1] == "IMS00001"
    assert unknown.status_code == 400 and "cannot be filtered by" in unknown.text


def test_a_row_says_where_the_po_stands_and_marks_deadlines_not_met(site):
    seeded_states(site.settings)
    with site.sign_in("finance") as client:
        rows = {row[0]: row for row in table(client.get("/purchase-orders").text, "purchase-orders")}
        html = client.get("/purchase-orders", params={"state": "late"}).text

    po, vendor, status, _, deadline, delivery, answered = rows["RETRY001"]
    assert (vendor, status, delivery, answered) == ("BRAND1", "allocated",
                                                    "retrying after attempt 2: HTTP 200, no MDN came back", "waiting")
    assert deadline.endswith("UTC (late)")
    assert rows["ALLOC001"][5:] == ["not sent", ""]
    assert rows["ALLOC001"][4].endswith("UTC"), "due in 20 h: not marked"
    assert rows["DELIV001"][4].endswith("UTC") and rows["DELIV001"][6] == "accepted", "delivered: no mark though past"
    assert rows["DELIV002"][6] == "accepted with errors" and rows["DELIV004"][6] == "rejected"
    assert rows["CANCEL01"][4].endswith("UTC"), "a cancelled PO owes no 855"
    assert 'class="deadline-late"' in html
    with session_scope(site.settings) as session:
        session.scalars(select(PurchaseOrder).where(PurchaseOrder.po_number == "ALLOC001")).one().ack_due_at = (
            NOW + timedelta(hours=5))
    with site.sign_in("ops") as client:
        soon = {row[0]: row for row in table(client.get("/purchase-orders").text, "purchase-orders")}
    assert soon["ALLOC001"][4].endswith("UTC (due within 6 h)")


def test_pages_follow_on_without_gaps_and_keep_the_filter(site, monkeypatch):
    seeded_states(site.settings)
    monkeypatch.setattr("gateway.web.pages.PO_ROWS", 3)
    seen = []
    with site.sign_in("ops") as client:
        path = "/purchase-orders?state=855-delivered"
        while path:
            html = client.get(path).text
            seen.append(PO_LINK.findall(html.split('id="purchase-orders"')[1]))
            older = re.search(r'href="(/purchase-orders\?[^"]+)">Older<', html)
            path = older.group(1).replace("&amp;", "&") if older else None
        altered = client.get("/purchase-orders", params={"cursor": "not-a-cursor"})
    assert seen == [["DELIV004", "DELIV003", "DELIV002"], ["DELIV001"]]
    assert altered.status_code == 400 and "first page" in altered.text


def test_ops_and_finance_find_the_list_in_the_navigation(site):
    with site.client() as client:
        assert "/login?next=/purchase-orders" in str(client.get("/purchase-orders").url)
    for role in ("ops", "finance"):
        with site.sign_in(role) as client:
            home = client.get("/").text
            page = client.get("/purchase-orders")
        assert re.search(r'<a href="/purchase-orders"\s*>Purchase orders</a>', home)
        assert page.status_code == 200 and 'aria-current="page">Purchase orders' in page.text
