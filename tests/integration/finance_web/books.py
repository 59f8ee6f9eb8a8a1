"""A month of books for the finance web, API and CLI tests, stored as the gateway leaves them:
a shipped PO with four invoices (each with its 810), and two of Amazon's 820 remittances taken
in by ``receive_remittance`` as the inbound worker does.

November 2026: INV-F1 (370.00) paid in full; INV-F2 (100.00) paid 95.00 less an ADX CS 5.00,
then a shortage claim of 10.00 (short-paid, 85.00 received); INV-F3 (50.00) unpaid. The
remittance TRN-NOV-1 (20 November) also takes a 25.00 chargeback and pays 40.00 against
INV-NOPE, which is no invoice of ours. October: INV-F0 (200.00) paid by TRN-OCT-1, matched by
its PO number.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from edi_maps.documents import Adjustment
from edi_maps.documents import Remittance as RemittanceDocument
from edi_maps.documents import RemittanceLine as RemittanceLineDocument
from gateway.finance.remittances import receive_remittance
from gateway.models import Invoice, Message, PurchaseOrder
from gateway.platform.db import session_scope
from gateway.platform.storage import attach_body
from tests.support.shipments import amazon, sent_document, stored_shipment

PO = "4FINPO01"
NOVEMBER, OCTOBER = "TRN-NOV-1", "TRN-OCT-1"


def line(reference: str, paid: str, invoiced: str | None = None, *, po_number: str | None = None,
         adjustments: tuple[Adjustment, ...] = ()) -> RemittanceLineDocument:
    return RemittanceLineDocument(reference, po_number, Decimal(paid), None if invoiced is None else Decimal(invoiced),
                                  None, None, adjustments)


def keep_books(settings) -> None:
    stored_shipment(settings, "SHP-FIN-1", PO)
    with session_scope(settings) as session:
        partner = amazon(session)
        po = session.query(PurchaseOrder).filter_by(po_number=PO).one()
        now = datetime.now(timezone.utc)
        for number, total, dated in (("INV-F0", "200.00", date(2026, 10, 1)), ("INV-F1", "370.00", date(2026, 11, 3)),
                                     ("INV-F2", "100.00", date(2026, 11, 10)), ("INV-F3", "50.00", date(2026, 11, 12))):
            message = sent_document(settings, session, partner, "810", number, delivered=True, functional_ack="A",
                                    now=now, po_number=PO)
            session.flush()
            session.add(Invoice(invoice_number=number, partner_id=partner.id, purchase_order_id=po.id, po_number=PO,
                                invoice_date=dated, currency="USD", total_amount=Decimal(total),
                                allowances_and_charges=[], source="ims", message_id=message.id))
        session.flush()
        remit(settings, session, partner, RemittanceDocument(
            Decimal("200.00"), "ACH", date(2026, 10, 5), OCTOBER, "AMAZON.COM", "ACME BRANDS", None,
            (line("PAYMENT-X9", "200.00", "200.00", po_number=PO),)))
        remit(settings, session, partner, RemittanceDocument(
            Decimal("470.00"), "ACH", date(2026, 11, 20), NOVEMBER, "AMAZON.COM", "ACME BRANDS", None,
            (line("INV-F1", "370.00", "370.00", po_number=PO),
             line("INV-F2", "95.00", "100.00", po_number=PO, adjustments=(Adjustment(Decimal("-5.00"), "CS"),)),
             line("INV-F2SC", "-10.00"),
             line("12345VCBSINV", "-25.00"),
             line("INV-NOPE", "40.00", "40.00"))))


def remit(settings, session, partner, document: RemittanceDocument) -> None:
    message = Message(direction="inbound", status="processed", document_type="820", partner_id=partner.id,
                      transport_id=f"<820-{document.trace_number}@amazon.example>", headers={"AS2-From": "AMAZON"})
    attach_body(settings, message, b"ISA*...~")
    session.add(message)
    session.flush()
    receive_remittance(session, partner, message, document)
