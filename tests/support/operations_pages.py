"""The operations pages over real HTTP for tests: a served gateway, signed-in clients, and
rows to look at (a failed send, an inbound 850 with its groups, an overdue 997)."""
from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from gateway.platform.db import session_scope
from gateway.operations.exception_queue import record_exception
from gateway.models import Message, X12Group, X12Set
from gateway.platform.storage import attach_body, attach_payload
from gateway.access.users import create_user
from gateway.web import create_app
from tests.fixtures import AMAZON_FIXTURES
from tests.support.servers import serve_in_thread

PASSWORD = "correct horse battery staple"
PO_NUMBER = "2XK7QP9M"  # the PO in Amazon's 850-single-po.edi
INTERCHANGE = "000000101"
AMAZON_MESSAGE_ID = "<850-single-po-20261120@amazon.example>"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    settings: object
    url: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=True, timeout=30)

    @contextmanager
    def sign_in(self, username: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
        with self.client() as client:
            page = client.get("/login")
            answer = client.post("/login", data={"username": username, "password": password,
                                                 "csrf_token": csrf_token(page.text)})
            assert answer.status_code == 200 and f"{username} (" in answer.text, answer.text[:500]
            yield client

    def read(self, username: str, path: str) -> str:
        """The page at ``path`` as ``username`` sees it, which must open (200)."""
        with self.sign_in(username) as client:
            page = client.get(path)
        assert page.status_code == 200, page.text[:500]
        return page.text


def not_found_page(client: httpx.Client, path: str) -> str:
    """The gateway's 404 page at ``path``, which must be one."""
    page = client.get(path)
    assert page.status_code == 404 and "<h1>Page not found</h1>" in page.text, page.text[:500]
    return page.text


def csrf_token(html: str) -> str:
    return CSRF.search(html).group(1)


def post_form(client: httpx.Client, page: str, action: str, **fields: str) -> httpx.Response:
    """Post a form the way a browser does: with the CSRF token of the page it is on."""
    token = csrf_token(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **fields})


@pytest.fixture
def site(settings):
    """The gateway's web app on real HTTP with one user per role (named after the role)."""
    with session_scope(settings) as session:
        for role in ("ops", "finance", "admin"):
            create_user(session, role, PASSWORD, role)
    with serve_in_thread(create_app(settings)) as url:
        yield Site(settings, url)


def failed_send(settings, document_type: str = "855", po_number: str | None = PO_NUMBER) -> tuple[int, int]:
    """An outbound message the partner refused, and its exception: (message id, exception id)."""
    with session_scope(settings) as session:
        message = Message(direction="outbound", status="failed", document_type=document_type,
                          transport_id=f"<{document_type}-failed@gateway.example>", headers={"AS2-To": "AMAZON"},
                          error="partner refused the message: HTTP 403", attempts=1)
        attach_body(settings, message, b"signed and encrypted")
        session.add(message)
        session.flush()
        problem = record_exception(session, "as2_send_failed", f"{document_type} {message.transport_id}: HTTP 403",
                                   subject_type="message", subject_id=message.id, po_number=po_number)
        session.flush()
        return message.id, problem.id


def inbound_850(settings) -> int:
    """Amazon's 850 as the receiver and the inbound worker leave it: stored, 997 returned."""
    payload = (AMAZON_FIXTURES / "850-single-po.edi").read_bytes()
    with session_scope(settings) as session:
        message = Message(direction="inbound", status="processed", document_type="850", filename="850-2XK7QP9M.edi",
                          transport_id=AMAZON_MESSAGE_ID, headers={"AS2-From": "AMAZON", "AS2-To": "ACMEBRANDS",
                                                                   "Message-Id": AMAZON_MESSAGE_ID},
                          mdn_mode="sync", mdn_status="sent", mdn_disposition="automatic-action/MDN-sent-automatically; processed",
                          mdn_headers={"Content-Type": "multipart/signed"}, mdn_body=b"The message was received")
        attach_body(settings, message, payload)
        attach_payload(settings, message, payload)
        session.add(message)
        session.flush()
        group = X12Group(message_id=message.id, direction="inbound", interchange_control_number=INTERCHANGE,
                         functional_id="PO", control_number="101", version="004010", ack_status="A", ack_codes=[],
                         acked_at=datetime.now(timezone.utc))
        group.sets = [X12Set(set_id="850", control_number="1011", reference=PO_NUMBER, ack_status="A", errors=[])]
        session.add(group)
        session.flush()
        return message.id


def sent_group(settings, po_number: str, due_in: timedelta, set_code: str = "855") -> int:
    """An outbound group waiting for Amazon's 997 (negative ``due_in``: overdue)."""
    with session_scope(settings) as session:
        message = Message(direction="outbound", status="delivered", document_type=set_code, headers={},
                          transport_id=f"<{po_number}-{set_code}@gateway.example>")
        attach_body(settings, message, b"")
        session.add(message)
        session.flush()
        group = X12Group(message_id=message.id, direction="outbound", interchange_control_number="000000900",
                         functional_id="PR", control_number="900", version="004010",
                         ack_due_at=datetime.now(timezone.utc) + due_in)
        group.sets = [X12Set(set_id=set_code, control_number="9001", reference=po_number, errors=[])]
        session.add(group)
        session.flush()
        return group.id


def queued_tasks(settings) -> list[tuple[str, dict]]:
    """(task name, keyword arguments) of every task waiting in the filesystem broker."""
    found = []
    for path in sorted(Path(settings.broker_folder, "queue").glob("*.msg")):
        envelope = json.loads(path.read_text())
        body = json.loads(base64.b64decode(envelope["body"]))
        found.append((envelope["headers"]["task"], body[1]))
    return found
