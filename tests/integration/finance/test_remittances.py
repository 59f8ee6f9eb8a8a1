"""Remittances matched to invoices on a real database (SQLite and PostgreSQL): each matching
rule, each deduction kind, a reversal cancelling its claim, an unknown invoice, an 820 with
several payments, the month close and the overdue watch."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from gateway.finance.month_close import month_close
from gateway.finance.payments import PaymentStatus
from gateway.finance.remittances import invoice_standing
from gateway.finance.watch import watch_overdue
from gateway.models import Invoice, OperationalException, PurchaseOrder, Remittance, RemittanceLine
from gateway.platform.db import session_scope
from tests.support.purchase_orders import allocated_po, amazon_partner
from tests.support.remittances import Rmr, remittance, take_in

PO1, PO2 = "2XK7QP9M", "3MZQ81RT"


@pytest.fixture
def books(settings):
    """Amazon as a partner and three invoices: INV-1001 (1250.00, PO1), INV-1002 (890.25, PO2) and
    INV-1003 (400.00, PO2), dated 2026-12-03."""
    with amazon_partner(settings):
        received = datetime(2026, 11, 20, tzinfo=timezone.utc)
        pos = {number: allocated_po(settings, number, received_at=received) for number in (PO1, PO2)}
        with session_scope(settings) as session:
            for number, po, total in (("INV-1001", PO1, "1250.00"), ("INV-1002", PO2, "890.25"),
                                      ("INV-1003", PO2, "400.00")):
                order = session.get(PurchaseOrder, pos[po])
                session.add(Invoice(invoice_number=number, partner_id=order.partner_id, purchase_order_id=order.id,
                                    po_number=po, invoice_date=date(2026, 12, 3), currency="USD",
                                    total_amount=Decimal(total), allowances_and_charges=[], source="ims"))
        yield settings


def standing(settings, number: str):
    with session_scope(settings) as session:
        return invoice_standing(session, session.scalars(select(Invoice).where(Invoice.invoice_number == number)).one())


def exceptions(settings, kind: str) -> list[OperationalException]:
    with session_scope(settings) as session:
        return list(session.scalars(select(OperationalException).where(OperationalException.kind == kind,
                                                                      OperationalException.status == "open")))


def lines(settings) -> list[tuple[str, str, str | None, str | None]]:
    with session_scope(settings) as session:
        rows = session.execute(select(RemittanceLine.reference, RemittanceLine.kind, Invoice.invoice_number,
                                      RemittanceLine.matched_by)
                               .outerjoin(Invoice, Invoice.id == RemittanceLine.invoice_id)
                               .order_by(RemittanceLine.id)).all()
        return [tuple(row) for row in rows]


def test_the_sample_820_pays_one_invoice_short_with_its_deduction_and_another_in_full(books):
    take_in(books, remittance("AMZPAY0001", [
        Rmr("INV-1001", "1200.00", "1250.00", PO1, [("-50.00", "CS")]),
        Rmr("INV-1002", "890.25", "890.25", PO2)]))
    short = standing(books, "INV-1001")
    assert (short.status, short.short_by) == (PaymentStatus.SHORT_PAID, Decimal("50.00"))
    [payment] = short.payments
    assert (payment.trace_number, payment.amount) == ("AMZPAY0001", Decimal("1200.00"))
    assert [(d.code, d.amount) for d in payment.deductions] == [("CS", Decimal("50.00"))]
    assert standing(books, "INV-1002").status is PaymentStatus.PAID
    assert standing(books, "INV-1003").status is PaymentStatus.UNPAID
    assert lines(books) == [("INV-1001", "invoice", "INV-1001", "invoice_number"),
                            ("INV-1002", "invoice", "INV-1002", "invoice_number")]


def test_a_line_matches_by_po_number_when_its_invoice_number_is_unknown(books):
    take_in(books, remittance("T-PO", [Rmr("AMZ-REF-77", "1250.00", "1250.00", PO1),  # PO1 has one invoice
                                       Rmr("AMZ-REF-78", "400.00", "400.00", PO2)]))  # PO2: the one for 400.00
    assert lines(books) == [("AMZ-REF-77", "invoice", "INV-1001", "po_number"),
                            ("AMZ-REF-78", "invoice", "INV-1003", "po_number")]
    assert standing(books, "INV-1003").status is PaymentStatus.PAID


def test_a_payment_for_an_invoice_we_do_not_know_is_an_exception(books):
    take_in(books, remittance("T-UNKNOWN", [Rmr("INV-9999", "75.00", "75.00", "9ZZZZZZZ")]))
    assert lines(books) == [("INV-9999", "invoice", None, None)]
    [raised] = exceptions(books, "unreconciled_payment")
    assert "INV-9999 for PO 9ZZZZZZZ of 75.00 that matches no invoice of ours" in raised.message


def test_an_820_whose_lines_do_not_add_up_to_its_payment_is_an_exception(books):
    take_in(books, remittance("T-SUM", [Rmr("INV-1002", "890.25")], total="900.00"))
    [raised] = exceptions(books, "unreconciled_payment")
    assert "pays 900.00 (BPR02) but its lines add up to 890.25" in raised.message


@pytest.mark.parametrize(("reference", "kind", "category"), [
    ("INV-1001SC", "shortage", "shortage"),
    ("INV-1001SCRSC", "shortage_revised", "shortage"),
    ("4471203VCBSINV", "chargeback", "chargeback"),
    ("IPAPUS1234567", "price_protection", "price_protection"),
    ("AB12-34567890", "coop", "coop"),
    ("161017_PROVISION_FOR_RECEIVABLES", "provision", "provision"),
])
def test_each_deduction_kind_is_told_apart_and_counted_in_the_month_close(books, reference, kind, category):
    take_in(books, remittance("T-DED", [Rmr("INV-1001", "1250.00", "1250.00", PO1), Rmr(reference, "-40.00")]))
    assert lines(books)[1][:2] == (reference, kind)
    with session_scope(books) as session:
        report = month_close(session, "2026-12")
    assert report.deducted[category] == Decimal("40.00")
    assert sum(report.deducted.values()) == Decimal("40.00")
    assert exceptions(books, "unreconciled_payment") == [], "a deduction on the account is not unmatched"


def test_a_shortage_reversal_cancels_its_claim(books):
    take_in(books, remittance("T-1", [Rmr("INV-1001", "1250.00", "1250.00", PO1), Rmr("INV-1001SC", "-125.00")]))
    assert standing(books, "INV-1001").status is PaymentStatus.SHORT_PAID
    take_in(books, remittance("T-2", [Rmr("INV-1001SCR", "125.00")]))
    final = standing(books, "INV-1001")
    assert (final.status, final.received) == (PaymentStatus.PAID, Decimal("1250.00"))
    with session_scope(books) as session:
        assert month_close(session, "2026-12").deducted["shortage"] == 0, "the claim and its reversal net out"


def test_a_provision_and_its_reversal_net_out(books):
    take_in(books, remittance("T-P", [Rmr("161017_PROVISION_FOR_RECEIVABLES", "-500.00"),
                                      Rmr("161017_PROVISION_FOR_RECEIVABLESR", "500.00")], total="0.00"))
    with session_scope(books) as session:
        assert month_close(session, "2026-12").deducted["provision"] == 0


def test_an_820_with_several_payments_and_the_same_820_again(books):
    document = remittance("T-MANY", [Rmr("INV-1001", "1250.00", "1250.00", PO1), Rmr("INV-1002", "890.25"),
                                     Rmr("INV-1003", "380.00", "400.00", PO2, [("-20.00", "CS")])])
    take_in(books, document)
    take_in(books, document)  # resent: the same trace number changes nothing
    with session_scope(books) as session:
        assert session.scalars(select(Remittance.trace_number)).all() == ["T-MANY"]
    assert [standing(books, n).status for n in ("INV-1001", "INV-1002", "INV-1003")] == [
        PaymentStatus.PAID, PaymentStatus.PAID, PaymentStatus.SHORT_PAID]
    with session_scope(books) as session:
        report = month_close(session, "2026-12")
    assert (report.invoiced_count, report.invoiced_amount) == (3, Decimal("2540.25"))
    assert (report.remittance_count, report.remitted_amount, report.paid_amount) == (
        1, Decimal("2520.25"), Decimal("2520.25"))
    assert report.deducted["adjustment"] == Decimal("20.00")
    assert (report.outstanding_count, report.outstanding_amount) == (1, Decimal("20.00"))
    assert (report.unmatched_count, report.unmatched_amount) == (0, 0)


def test_an_invoice_unpaid_past_its_terms_is_raised_and_resolved_by_its_payment(books):
    # Terms are 60 days net by default: INV-1001 of 2026-12-03 is due 2027-02-01.
    assert watch_overdue(books, now=datetime(2027, 2, 1, tzinfo=timezone.utc)) == []
    late = datetime(2027, 2, 2, tzinfo=timezone.utc)
    assert watch_overdue(books, now=late) == ["INV-1001", "INV-1002", "INV-1003"]
    raised = {row.subject_id: row for row in exceptions(books, "invoice_overdue")}
    assert "was due on 2027-02-01" in raised["INV-1001"].message
    take_in(books, remittance("T-LATE", [Rmr("INV-1001", "1250.00")], paid_on=date(2027, 2, 3)))
    assert sorted(raised.subject_id for raised in exceptions(books, "invoice_overdue")) == ["INV-1002", "INV-1003"]
    assert watch_overdue(books, now=late + timedelta(days=1)) == ["INV-1002", "INV-1003"]
