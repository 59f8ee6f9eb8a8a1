"""The message archive: search by PO number, interchange control number and AS2 Message-ID;
a message shows its X12 one segment per line, its AS2 headers and its MDN."""
import html

import pytest
from sqlalchemy import select

from gateway.models import Message, X12Group
from gateway.platform.db import session_scope
from gateway.platform.storage import attach_body

from tests.support.operations_pages import (  # noqa: F401  (site is a fixture)
    AMAZON_MESSAGE_ID,
    INTERCHANGE,
    PO_NUMBER,
    failed_send,
    inbound_850,
    site,
)


@pytest.mark.parametrize("query", [PO_NUMBER, INTERCHANGE, INTERCHANGE.lstrip("0"), AMAZON_MESSAGE_ID,
                                   AMAZON_MESSAGE_ID.strip("<>")])
def test_search_finds_the_message_by_each_key(site, query):
    wanted = inbound_850(site.settings)
    other, _ = failed_send(site.settings, po_number=None)
    with site.sign_in("ops") as client:
        found = client.get("/messages", params={"q": query}).text
    assert f'href="/messages/{wanted}"' in found
    assert f'href="/messages/{other}"' not in found


def test_a_po_search_finds_the_997_that_answered_its_850_and_lists_it_under_the_po(site):
    wanted = inbound_850(site.settings)
    with session_scope(site.settings) as session:
        ack = Message(direction="outbound", status="delivered", document_type="997", headers={},
                      transport_id="<997-000000001@gateway.example>")
        attach_body(site.settings, ack, b"")
        session.add(ack)
        session.flush()
        session.scalars(select(X12Group).where(X12Group.message_id == wanted)).one().ack_message_id = ack.id
        ack_id = ack.id
    with site.sign_in("ops") as client:
        found = client.get("/messages", params={"q": PO_NUMBER}).text
        everything = client.get("/messages").text
    assert f'href="/messages/{wanted}"' in found and f'href="/messages/{ack_id}"' in found
    assert everything.count(PO_NUMBER) >= 2, "the 997 is listed with the PO it answered"


def test_search_without_a_match_says_so(site):
    inbound_850(site.settings)
    with site.sign_in("finance") as client:
        assert "No message matches." in client.get("/messages", params={"q": "NOTAPO"}).text


def test_a_message_page_lays_out_the_x12_and_shows_headers_and_mdn(site):
    message_id = inbound_850(site.settings)
    with site.sign_in("ops") as client:
        page = html.unescape(client.get(f"/messages/{message_id}").text)
    x12 = page.split('<pre class="x12" aria-label="X12, one segment per line">')[1].split("</pre>")[0]
    lines = x12.splitlines()
    assert lines[0].startswith("ISA*00*") and lines[0].endswith("*>~")
    assert lines[1:4] == ["GS*PO*AMAZON*ACMEBRANDS*20261120*0930*101*X*004010~", "ST*850*1011~",
                          "BEG*00*NE*2XK7QP9M**20261120~"]
    assert lines[-1] == "IEA*1*000000101~" and len(lines) == 18
    assert "AS2-From" in page and "ACMEBRANDS" in page
    assert "<dt>File name</dt><dd>850-2XK7QP9M.edi</dd>" in page
    assert "automatic-action/MDN-sent-automatically; processed" in page and "multipart/signed" in page
    assert f'href="/purchase-orders/{PO_NUMBER}"' in page


def test_credentials_stored_before_redaction_are_not_shown_and_a_partial_body_says_so(site):
    """Rows written before the receiver redacted may hold an Authorization or a Cookie."""
    message_id = inbound_850(site.settings)
    with session_scope(site.settings) as session:
        message = session.get(Message, message_id)
        message.headers = {**message.headers, "Authorization": "Basic c2VjcmV0LXBhc3N3b3Jk",
                           "Cookie": "session=stolen-session-id", "Proxy-Authorization": "Bearer proxy-token"}
        message.body, message.body_size = b"ISA*00*", 1_000_000  # the start of a stranger's body
    with site.sign_in("ops") as client:
        page = client.get(f"/messages/{message_id}").text
    for secret in ("c2VjcmV0LXBhc3N3b3Jk", "stolen-session-id", "proxy-token"):
        assert secret not in page
    assert page.count("[redacted]") == 3
    assert "only the first 7 of its 1000000 bytes were kept" in page
