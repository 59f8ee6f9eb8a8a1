"""The operations pages over real HTTP: sign-in, sessions, CSRF, roles and every action on
an exception, each leaving its audit row; on SQLite and PostgreSQL."""
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from gateway.platform.db import session_scope
from gateway.models import AuditEvent, Message, OperationalException, User
from gateway.web import create_app
from tests.support.operations_pages import (  # noqa: F401  (site is a fixture)
    PASSWORD,
    PO_NUMBER,
    csrf_token,
    failed_send,
    post_form,
    queued_tasks,
    sent_group,
    site,
)

PAGES = ["/", "/exceptions", "/exceptions/1", "/tracker", "/messages", "/messages/1", "/users",
         f"/purchase-orders/{PO_NUMBER}", "/shipments", "/shipments/SHIP-0001", "/shipments/SHIP-0001/labels.pdf",
         "/invoices", "/invoices/INV-0001", "/inventory", "/inventory/holds", "/inventory/drift",
         "/inventory/drift.csv", "/remittances", "/remittances.csv", "/remittances/TRN-1", "/finance/month-close",
         "/finance/month-close.csv"]


def audit_actions(settings, subject_type, subject_id):
    with session_scope(settings) as session:
        return [(event.actor, event.action) for event in session.scalars(
            select(AuditEvent).where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
            .order_by(AuditEvent.id))]


def exception_row(settings, exception_id):
    with session_scope(settings) as session:
        row = session.get(OperationalException, exception_id)
        session.expunge(row)
        return row


@pytest.mark.parametrize("path", PAGES)
def test_a_request_without_a_session_is_sent_to_login(site, path):
    with site.client() as client:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("/login?next=")
        assert 'name="password"' in client.get(path).text


def test_the_stylesheet_needs_no_session(site):
    with site.client() as client:
        answer = client.get("/assets/gateway.css")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/css")


def test_a_form_post_without_a_session_changes_nothing(site):
    _, problem = failed_send(site.settings)
    with site.client() as client:
        answer = client.post(f"/exceptions/{problem}/resolve", data={"note": "done"}, follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert exception_row(site.settings, problem).status == "open"


def test_sign_in_lands_on_the_page_asked_for_and_sign_out_ends_the_session(site):
    with site.client() as client:
        login = client.get("/tracker")
        assert str(login.url).endswith("/login?next=/tracker")
        wrong = client.post("/login", data={"username": "ops", "password": "not the password",
                                            "csrf_token": csrf_token(login.text), "next": "/tracker"})
        assert wrong.status_code == 401 and "Wrong username or password" in wrong.text
        right = client.post("/login", data={"username": "ops", "password": PASSWORD,
                                            "csrf_token": csrf_token(wrong.text), "next": "/tracker"})
        assert right.status_code == 200 and str(right.url).endswith("/tracker")
        out = client.post("/logout", data={"csrf_token": csrf_token(right.text)})
        assert 'name="password"' in out.text
        assert str(client.get("/").url).endswith("/login?next=/")
    actions = [action for _, action in audit_actions(site.settings, "user", 1)]
    assert actions[-2:] == ["user.signed_in", "user.signed_out"]


def test_next_never_leaves_the_site(site):
    with site.client() as client:
        page = client.get("/login?next=https://evil.example/")
        answer = client.post("/login", data={"username": "ops", "password": PASSWORD, "csrf_token": csrf_token(page.text),
                                             "next": "//evil.example/"}, follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_session_cookie_is_http_only_same_site_lax_and_secure_over_https(site):
    with site.client() as client:
        page = client.get("/login")
        answer = client.post("/login", data={"username": "ops", "password": PASSWORD,
                                             "csrf_token": csrf_token(page.text)}, follow_redirects=False)
        cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    https = create_app(replace(site.settings, public_url="https://edi.example.com")).test_client()
    page = https.get("/login")
    answer = https.post("/login", data={"username": "ops", "password": PASSWORD, "csrf_token": csrf_token(page.text)})
    assert "Secure" in answer.headers["Set-Cookie"] and "HttpOnly" in answer.headers["Set-Cookie"]


def test_a_form_post_without_its_csrf_token_is_refused(site):
    _, problem = failed_send(site.settings)
    with site.sign_in("ops") as client:
        answer = client.post(f"/exceptions/{problem}/resolve", data={"note": "forged"})
        forged = client.post(f"/exceptions/{problem}/resolve", data={"note": "forged", "csrf_token": "x" * 40})
    assert answer.status_code == 400 and "CSRF" in answer.text
    assert forged.status_code == 400
    assert exception_row(site.settings, problem).status == "open"
    with site.client() as client:
        assert client.post("/login", data={"username": "ops", "password": PASSWORD}).status_code == 400


def test_resolve_with_a_note(site):
    _, problem = failed_send(site.settings)
    with site.sign_in("ops") as client:
        page = f"/exceptions/{problem}"
        assert post_form(client, page, f"{page}/resolve", note="").status_code == 400
        answer = post_form(client, page, f"{page}/resolve", note="Amazon fixed their firewall; resent by hand")
    assert answer.status_code == 200 and "Resolved." in answer.text
    row = exception_row(site.settings, problem)
    assert row.status == "resolved" and row.resolved_at is not None
    assert row.notes[-1]["by"] == "user:ops" and row.notes[-1]["note"] == "Amazon fixed their firewall; resent by hand"
    assert ("user:ops", "exception.resolved") in audit_actions(site.settings, "exception", problem)


def test_acknowledge_assign_and_note(site):
    _, problem = failed_send(site.settings)
    page = f"/exceptions/{problem}"
    with site.sign_in("finance") as client:
        post_form(client, page, f"{page}/acknowledge")
        post_form(client, page, f"{page}/assign", owner="dana")
        answer = post_form(client, page, f"{page}/note", note="asked Amazon vendor support, case 123")
    assert answer.status_code == 200 and "asked Amazon vendor support" in answer.text
    row = exception_row(site.settings, problem)
    assert (row.status, row.owner) == ("acknowledged", "dana")
    assert row.notes[-1] == {"at": row.notes[-1]["at"], "by": "user:finance", "note": "asked Amazon vendor support, case 123"}
    actions = audit_actions(site.settings, "exception", problem)
    for action in ("exception.acknowledged", "exception.assigned", "exception.noted"):
        assert ("user:finance", action) in actions
    with site.sign_in("ops") as client:
        queue = client.get("/exceptions", params={"status": "acknowledged", "owner": "dana"}).text
        assert f"/exceptions/{problem}" in queue
        assert f"/exceptions/{problem}" not in client.get("/exceptions", params={"status": "open"}).text


def test_replay_of_a_failed_send_requeues_it(site):
    message_id, problem = failed_send(site.settings)
    page = f"/exceptions/{problem}"
    with site.sign_in("ops") as client:
        assert "Replay" in client.get(page).text
        answer = post_form(client, page, f"{page}/replay")
    assert answer.status_code == 200 and f"Message {message_id} queued again" in answer.text
    with session_scope(site.settings) as session:
        message = session.get(Message, message_id)
        assert (message.status, message.error) == ("queued", None)
    assert ("workers.tasks.send_as2_message", {"message_id": message_id}) in queued_tasks(site.settings)
    assert ("user:ops", "message.replayed") in audit_actions(site.settings, "message", message_id)
    assert "replayed" in exception_row(site.settings, problem).notes[-1]["note"]


def test_replay_of_failed_inbound_processing_requeues_it(site):
    with session_scope(site.settings) as session:
        message = Message(direction="inbound", status="failed", document_type=None, headers={}, body=b"junk",
                          body_sha256="0" * 64, body_size=4, error="not X12")
        session.add(message)
        session.flush()
        message_id = message.id
        from gateway.operations.exception_queue import record_exception

        problem = record_exception(session, "inbound_rejected", "not X12", subject_type="message",
                                   subject_id=message_id).id
    with site.sign_in("admin") as client:
        post_form(client, f"/exceptions/{problem}", f"/exceptions/{problem}/replay")
    with session_scope(site.settings) as session:
        assert session.get(Message, message_id).status == "accepted"
    assert ("workers.tasks.process_inbound_message", {"message_id": message_id}) in queued_tasks(site.settings)


def test_replay_of_a_sales_order_the_ims_refused_requeues_it(site):
    from datetime import date

    from gateway.operations.exception_queue import record_exception
    from gateway.models import PurchaseOrder
    from gateway.partners.registry import add_partner, set_organisation

    with session_scope(site.settings) as session:
        set_organisation(session, name="Acme", as2_id="ACMEBRANDS", x12_id="ACMEBRANDS")
        partner_id = add_partner(session, name="Amazon", as2_id="AMAZON", x12_id="AMAZON").id
        po = PurchaseOrder(partner_id=partner_id, po_number="9HELD001", order_type="NE", status="held",
                           content_sha256="0" * 64, ship_not_before=date(2026, 12, 1), ship_not_after=date(2026, 12, 8))
        session.add(po)
        session.flush()
        po_id = po.id
        problem = record_exception(session, "ims_call_failed", "PO 9HELD001: create sales order failed: 401",
                                   subject_type="purchase_order", subject_id="9HELD001", po_number="9HELD001",
                                   key="create", detail={"operation": "create", "status": 401}).id
    page = f"/exceptions/{problem}"
    with site.sign_in("ops") as client:
        answer = post_form(client, page, f"{page}/replay")
    assert answer.status_code == 200 and "PO 9HELD001 queued again" in answer.text
    with session_scope(site.settings) as session:
        assert session.get(PurchaseOrder, po_id).status == "received"
    assert ("workers.tasks.create_sales_order", {"purchase_order_id": po_id}) in queued_tasks(site.settings)
    assert ("user:ops", "purchase_order.replayed") in audit_actions(site.settings, "purchase_order", "9HELD001")


def test_finance_cannot_replay(site):
    message_id, problem = failed_send(site.settings)
    page = f"/exceptions/{problem}"
    with site.sign_in("finance") as client:
        assert "Replay" not in client.get(page).text
        answer = post_form(client, page, f"{page}/replay")
    assert answer.status_code == 403
    with session_scope(site.settings) as session:
        assert session.get(Message, message_id).status == "failed"
    assert queued_tasks(site.settings) == []
    assert audit_actions(site.settings, "message", message_id) == []


def test_ops_cannot_manage_users_and_admin_can(site):
    with site.sign_in("ops") as client:
        assert 'href="/users"' not in client.get("/").text
        assert client.get("/users").status_code == 403
        answer = post_form(client, "/", "/users", username="mallory", role="admin", password="x" * 20)
        assert answer.status_code == 403
    with site.sign_in("admin") as client:
        assert 'href="/users"' in client.get("/").text
        short = post_form(client, "/users", "/users", username="sam", role="finance", password="short")
        assert short.status_code == 400 and "at least 12 characters" in short.text
        answer = post_form(client, "/users", "/users", username="sam", role="finance", password="a long passphrase")
        assert answer.status_code == 200 and "Added finance user sam" in answer.text
    with session_scope(site.settings) as session:
        assert session.scalars(select(User.username).where(User.role == "admin")).all() == ["admin"]
        sam = session.scalars(select(User).where(User.username == "sam")).one()
        assert sam.password_hash.startswith("scrypt:")
        sam_id = sam.id
    assert ("user:admin", "user.created") in audit_actions(site.settings, "user", sam_id)
    with site.sign_in("sam", "a long passphrase") as client:
        assert client.get("/users").status_code == 403


def test_home_shows_what_needs_action_now(site):
    failed_send(site.settings, po_number="5PQR7TUV")
    sent_group(site.settings, "3MZQ81RT", due_in=-timedelta(minutes=30))
    sent_group(site.settings, "9WAITING", due_in=timedelta(hours=3))
    with site.sign_in("ops") as client:
        home = client.get("/").text
        tracker = client.get("/tracker").text
    urgent, overdue = home.split('id="overdue"')[0], home.split('id="overdue"')[1].split('id="acks-due"')[0]
    assert "AS2 message not delivered" in urgent and "5PQR7TUV" in urgent
    assert "3MZQ81RT" in overdue and "9WAITING" not in overdue
    assert "overdue" in tracker and "waiting" in tracker and "9WAITING" in tracker


def test_purchase_order_page(site):
    from tests.support.operations_pages import inbound_850

    inbound_850(site.settings)
    failed_send(site.settings)
    with site.sign_in("finance") as client:
        page = client.get(f"/purchase-orders/{PO_NUMBER}")
        missing = client.get("/purchase-orders/NOSUCHPO")
    assert page.status_code == 200
    assert "850 1011" in page.text and "AS2 message not delivered" in page.text
    assert missing.status_code == 404
