"""Operational exceptions: one row per problem, counted, reopened; the certificate watch."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from gateway.partners.certificates import generate_organization_key
from gateway.partners.certificate_watch import check_certificates
from gateway.platform.db import session_scope
from gateway.operations.exception_queue import (
    Severity,
    UnknownKind,
    escalate,
    note_replay,
    open_exceptions,
    record_exception,
    replay_outcome,
    resolve_cause_gone,
    resolve_exception,
)
from gateway.partners.keystore import import_partner_certificate
from gateway.models import AuditEvent, Certificate, OperationalException
from gateway.partners.registry import add_partner, get_partner, set_organisation


def test_the_same_problem_is_one_exception_with_a_count(settings):
    with session_scope(settings) as session:
        for attempt in range(50):
            record_exception(session, "sku_mismatch", f"EN 9999999999994 not in catalogue (seen {attempt})",
                             subject_type="purchase_order", subject_id="5PLK33ZD", po_number="5PLK33ZD", key="1")
        record_exception(session, "sku_mismatch", "another line", subject_type="purchase_order",
                         subject_id="5PLK33ZD", po_number="5PLK33ZD", key="2")
    with session_scope(settings) as session:
        rows = open_exceptions(session, po_number="5PLK33ZD")
        assert sorted(row.count for row in rows) == [1, 50]
        assert {row.severity for row in rows} == {"high"}
        assert "seen 49" in next(row.message for row in rows if row.count == 50)


def test_a_resolved_problem_that_returns_is_opened_again(settings):
    with session_scope(settings) as session:
        row = record_exception(session, "mdn_failed", "no MDN", subject_type="message", subject_id=7)
        resolve_exception(session, row.id, actor="ops-anna", note="partner confirmed receipt by e-mail")
    with session_scope(settings) as session:
        assert open_exceptions(session) == []
        again = record_exception(session, "mdn_failed", "no MDN", subject_type="message", subject_id=7)
        assert (again.status, again.count, again.notes[0]["by"]) == ("open", 2, "ops-anna")
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "exception")).all()
        assert actions == ["exception.opened", "exception.resolved", "exception.reopened"]


def test_an_unknown_kind_is_refused(settings):
    with session_scope(settings) as session, pytest.raises(UnknownKind):
        record_exception(session, "gremlins", "?")


def test_certificates_expiring_within_30_days_become_exceptions(settings):
    soon = generate_organization_key("AMAZON", b"p", valid_days=10).certificate_pem
    later = generate_organization_key("OTHER", b"p", valid_days=200).certificate_pem
    with session_scope(settings) as session:
        set_organisation(session, name="Acme", as2_id="ACMEBRANDS", x12_id="ACMEBRANDS")
        import_partner_certificate(session, add_partner(session, name="Amazon", as2_id="AMAZON", x12_id="AMAZON"),
                                   soon)
        import_partner_certificate(session, add_partner(session, name="Other", as2_id="OTHER", x12_id="OTHER"),
                                   later)
    assert len(check_certificates(settings)) == 1
    assert len(check_certificates(settings, now=datetime.now(timezone.utc) + timedelta(days=175))) == 2
    with session_scope(settings) as session:
        rows = session.scalars(select(OperationalException).order_by(OperationalException.id)).all()
        assert [row.kind for row in rows] == ["certificate_expiring", "certificate_expiring"]
        assert "AMAZON's certificate" in rows[0].message and rows[0].count == 2


def test_an_expiring_certificate_stops_being_an_exception_once_renewed_or_retired(settings):
    with session_scope(settings) as session:
        set_organisation(session, name="Acme", as2_id="ACMEBRANDS", x12_id="ACMEBRANDS")
        amazon = add_partner(session, name="Amazon", as2_id="AMAZON", x12_id="AMAZON")
        other = add_partner(session, name="Other", as2_id="OTHER", x12_id="OTHER")
        import_partner_certificate(session, amazon, generate_organization_key("AMAZON", b"p", valid_days=10).certificate_pem)
        old_other = import_partner_certificate(
            session, other, generate_organization_key("OTHER", b"p", valid_days=10).certificate_pem)
    assert len(check_certificates(settings)) == 2
    with session_scope(settings) as session:  # Amazon sends its new certificate: the rollover has begun
        import_partner_certificate(session, get_partner(session, "AMAZON"),
                                   generate_organization_key("AMAZON", b"p", valid_days=400).certificate_pem)
        session.get(Certificate, old_other.id).active = False  # OTHER's old one is retired
    assert check_certificates(settings) == []
    with session_scope(settings) as session:
        rows = session.scalars(select(OperationalException).order_by(OperationalException.id)).all()
        notes = [(row.status, row.notes[-1]["by"], row.notes[-1]["note"]) for row in rows]
    assert notes == [
        ("resolved", "gateway", "renewed: another active certificate of the same owner is valid beyond the next 30 days"),
        ("resolved", "gateway", "the certificate was retired")]


def test_a_replay_tells_its_outcome_on_the_exception(settings):
    with session_scope(settings) as session:
        row = record_exception(session, "as2_send_failed", "855 not delivered: HTTP 503", subject_type="message",
                               subject_id=9, po_number="2XK7QP9M")
        assert replay_outcome(row) is None
        note_replay(session, row, actor="user:ops", what="message 9")
        assert replay_outcome(row)["outcome"] == "pending"
    with session_scope(settings) as session:  # the replayed send failed again
        row = record_exception(session, "as2_send_failed", "855 not delivered: HTTP 403", subject_type="message",
                               subject_id=9, po_number="2XK7QP9M")
        assert replay_outcome(row) | {"at": None} == {"at": None, "by": "user:ops", "outcome": "failed",
                                                     "detail": "855 not delivered: HTTP 403"}
        note_replay(session, row, actor="user:ops", what="message 9")
    with session_scope(settings) as session:  # replayed again, and this time it went through
        [row] = resolve_cause_gone(session, ("as2_send_failed",), subject_type="message", subject_id=9,
                                   cause="delivered on attempt 1: the MDN says processed")
        assert replay_outcome(row)["outcome"] == "succeeded"
        assert replay_outcome(row)["detail"] == "delivered on attempt 1: the MDN says processed"


def test_severity_rises_and_never_falls(settings):
    with session_scope(settings) as session:
        row = record_exception(session, "as2_send_failed", "attempt 1 failed", subject_type="message", subject_id=3,
                               severity=Severity.HIGH)
        assert row.severity == "high"
        record_exception(session, "as2_send_failed", "attempt 2 failed", subject_type="message", subject_id=3,
                         severity=Severity.HIGH)
        assert row.severity == "high"
        row.emailed_at = datetime.now(timezone.utc)
        record_exception(session, "as2_send_failed", "gave up", subject_type="message", subject_id=3)
        assert row.severity == "critical" and row.emailed_at is None, "critical now: it alerts again"
        assert not escalate(session, row, Severity.HIGH, reason="lower")
        assert row.severity == "critical"
