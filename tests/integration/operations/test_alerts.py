"""Alerts reach a real SMTP server and a real webhook receiver: a storm is one digest, an
exception alerts once (again only when it is reopened), and a failed delivery is retried."""
import json
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from werkzeug.wrappers import Request, Response

from gateway.operations.alerts import AlertDeliveryError, send_alerts
from gateway.platform.db import session_scope
from gateway.operations.exception_queue import record_exception, resolve_exception
from gateway.models import AuditEvent, OperationalException
from tests.support.servers import serve_in_thread


class Inbox:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


class Webhook:
    """A WSGI app that keeps each JSON body posted to it; ``failing`` makes it answer 500."""

    def __init__(self):
        self.documents, self.failing, self._lock = [], False, threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        if self.failing:
            return Response("down", status=500)(environ, start_response)
        with self._lock:
            self.documents.append(json.loads(request.get_data()))
        return Response("ok")(environ, start_response)


@pytest.fixture
def receivers(settings, free_port):
    inbox, webhook = Inbox(), Webhook()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port)
    controller.start()
    try:
        with serve_in_thread(webhook) as url:
            alerting = replace(settings, smtp_host="127.0.0.1", smtp_port=free_port,
                               alert_email_from="gateway@acme.example", alert_email_to=("ops@acme.example",),
                               alert_webhook_url=f"{url}/hook", alert_interval_seconds=300.0,
                               public_url="https://edi.acme.example")
            yield alerting, inbox, webhook
    finally:
        controller.stop()


def problem(settings, kind, subject_id, po_number=None):
    with session_scope(settings) as session:
        return record_exception(session, kind, f"{kind} about {subject_id}", subject_type="message",
                                subject_id=subject_id, po_number=po_number).id


def test_a_storm_is_one_digest_by_email_and_webhook(receivers):
    settings, inbox, webhook = receivers
    ids = [problem(settings, "as2_send_failed", number, po_number=f"PO{number}") for number in range(30)]
    ids += [problem(settings, "ims_call_failed", number) for number in range(30, 40)]
    problem(settings, "unit_mismatch", 99)  # medium: on the pages, not worth waking anyone
    assert sorted(send_alerts(settings)) == sorted(ids)
    [(recipients, email)] = inbox.messages
    assert recipients == ["ops@acme.example"] and email["From"] == "gateway@acme.example"
    assert email["Subject"] == "[edi-gateway] 40 exceptions need action (30 critical)"
    body = email.get_payload()
    assert body.startswith("CRITICAL: AS2 message not delivered")
    assert f"https://edi.acme.example/exceptions/{ids[0]}" in body and "and 0 more" not in body
    [document] = webhook.documents
    assert len(document["exceptions"]) == 40 and document["text"] == email["Subject"]
    assert {"id", "kind", "severity", "message", "po_number", "count", "url"} <= set(document["exceptions"][0])
    assert send_alerts(settings) == []
    assert len(inbox.messages) == 1 and len(webhook.documents) == 1


def test_an_exception_alerts_once_and_again_only_when_reopened(receivers):
    settings, inbox, webhook = receivers
    exception_id = problem(settings, "mdn_failed", 7)
    assert send_alerts(settings) == [exception_id]
    later = datetime.now(timezone.utc) + timedelta(seconds=301)
    for _ in range(5):
        problem(settings, "mdn_failed", 7)  # seen again: the same problem, counted
    assert send_alerts(settings, now=later) == []
    with session_scope(settings) as session:
        resolve_exception(session, exception_id, actor="user:ops", note="partner fixed their certificate")
    problem(settings, "mdn_failed", 7)  # back after a resolution: reopened
    assert send_alerts(settings, now=later) == [exception_id]
    assert len(inbox.messages) == 2 and len(webhook.documents) == 2
    with session_scope(settings) as session:
        assert session.get(OperationalException, exception_id).count == 7
        sent = session.scalars(select(AuditEvent).where(AuditEvent.action == "alerts.sent")).all()
        assert [(event.detail["channel"], event.detail["exceptions"]) for event in sent] == [
            ("email", [exception_id]), ("webhook", [exception_id])] * 2


def test_rate_limit_holds_new_exceptions_for_the_next_digest(receivers):
    settings, inbox, _ = receivers
    first = problem(settings, "as2_send_failed", 1)
    sent_at = datetime.now(timezone.utc)
    assert send_alerts(settings, now=sent_at) == [first]
    second = problem(settings, "as2_send_failed", 2)
    third = problem(settings, "certificate_expiring", 3)
    assert send_alerts(settings, now=sent_at + timedelta(seconds=60)) == []
    assert sorted(send_alerts(settings, now=sent_at + timedelta(seconds=300))) == sorted([second, third])
    assert [email["Subject"] for _, email in inbox.messages] == [
        "[edi-gateway] 1 exception needs action (1 critical)",
        "[edi-gateway] 2 exceptions need action (1 critical)",
    ]


def test_a_failed_delivery_is_tried_again_on_the_next_run_and_the_other_channel_does_not_repeat(receivers):
    settings, inbox, webhook = receivers
    exception_id = problem(settings, "as2_send_failed", 1)
    webhook.failing = True
    for _ in range(3):  # three beat runs while the webhook is down
        with pytest.raises(AlertDeliveryError, match="webhook"):
            send_alerts(settings)
    with session_scope(settings) as session:
        row = session.get(OperationalException, exception_id)
        assert row.emailed_at is not None and row.webhook_posted_at is None
    assert len(inbox.messages) == 1, "the e-mail went out once, not once per run"
    webhook.failing = False
    assert send_alerts(settings) == [exception_id]
    assert len(webhook.documents) == 1 and len(inbox.messages) == 1


def test_no_channel_configured_sends_nothing(settings):
    problem(settings, "as2_send_failed", 1)
    assert send_alerts(settings) == []
    with session_scope(settings) as session:
        assert session.scalars(select(OperationalException.emailed_at)).all() == [None]
